#include "core/event.hpp"

#include <algorithm>

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

}  // namespace

std::vector<EventRecord> split_event(const nlohmann::json& event) {
  if (!is_sqs_event(event)) return {EventRecord{std::nullopt, "", event}};
  std::vector<EventRecord> records;
  for (const auto& item : event.at("Records")) {
    records.push_back(EventRecord{string_or_empty(item, "messageId"),
                                  string_or_empty(item, "eventSourceARN"), item.at("body")});
  }
  return records;
}

nlohmann::json decode_body(const EventRecord& record) {
  nlohmann::json body = record.body;
  if (body.is_string()) {
    body = nlohmann::json::parse(body.get_ref<const std::string&>(), nullptr,
                                 /*allow_exceptions=*/false);
    if (body.is_discarded()) throw InvalidMessage({"body is not valid JSON"});
  }
  if (!body.is_object()) throw InvalidMessage({"body is not a JSON object"});
  return body;
}

bool from_fifo_queue(const EventRecord& record) {
  constexpr std::string_view suffix = ".fifo";
  return record.event_source_arn.ends_with(suffix);
}

}  // namespace ssc::core
