#include "core/event.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "core/message.hpp"

namespace ssc::core {
namespace {

bool is_sqs_event(const nlohmann::json& event) {
  if (!event.is_object()) return false;
  const auto records = event.find("Records");
  if (records == event.end() || !records->is_array() || records->empty()) return false;
  return std::all_of(records->begin(), records->end(), [](const nlohmann::json& record) {
    return record.is_object() && record.contains("body");
  });
}

std::string string_or_empty(const nlohmann::json& object, const char* name) {
  const auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

long receive_count_of(const nlohmann::json& item) {
  const auto attributes = item.find("attributes");
  if (attributes == item.end() || !attributes->is_object()) return 0;
  return receive_count_from(string_or_empty(*attributes, "ApproximateReceiveCount"));
}

}  // namespace

long receive_count_from(std::string_view text) {
  long count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  return error == std::errc() && end == text.data() + text.size() && count > 0 ? count : 0;
}

std::vector<EventRecord> split_event(const nlohmann::json& event) {
  if (!is_sqs_event(event)) return {EventRecord{std::nullopt, 0, "", event}};
  std::vector<EventRecord> records;
  for (const auto& item : event.at("Records")) {
    records.push_back(EventRecord{string_or_empty(item, "messageId"), receive_count_of(item),
                                  string_or_empty(item, "eventSourceARN"), item.at("body")});
  }
  return records;
}

std::vector<EventRecord> read_event(std::string_view event_text) {
  std::optional<std::vector<EventRecord>> records = project_sqs_event(event_text);
  return records ? std::move(*records) : split_event(nlohmann::json::parse(event_text));
}

nlohmann::json decode_body(const EventRecord& record) {
  nlohmann::json body;
  if (record.body.is_string()) {
    const auto& text = record.body.get_ref<const std::string&>();
    if (std::optional<nlohmann::json> fields = project_body(text)) return std::move(*fields);
    body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) throw InvalidMessage({"body is not valid JSON"});
  } else {
    body = record.body;
  }
  if (!body.is_object()) throw InvalidMessage({"body is not a JSON object"});
  return body;
}

bool from_fifo_queue(const EventRecord& record) {
  constexpr std::string_view suffix = ".fifo";
  return record.event_source_arn.ends_with(suffix);
}

}  // namespace ssc::core
