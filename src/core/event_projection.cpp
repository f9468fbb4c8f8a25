// project_sqs_event (core/event.hpp): the one file that includes simdjson. Its DOM parser
// validates the whole text (structure, UTF-8, escapes, numbers) before anything is read, so
// the projection never accepts what nlohmann rejects; what it reads mirrors split_event.
#include <simdjson.h>

#include "core/event.hpp"

namespace ssc::core {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// nlohmann keeps the last of duplicate names, so every look-up here does too.
std::optional<element> last_field(object fields, std::string_view name) {
  std::optional<element> found;
  for (const auto field : fields) {
    if (field.key == name) found = field.value;
  }
  return found;
}

std::string_view string_or_empty(object fields, std::string_view name) {
  const std::optional<element> value = last_field(fields, name);
  std::string_view text;
  return value && value->get(text) == simdjson::SUCCESS ? text : std::string_view();
}

long receive_count_of(object item) {
  const std::optional<element> value = last_field(item, "attributes");
  object attributes;
  if (!value || value->get(attributes) != simdjson::SUCCESS) return 0;
  return receive_count_from(string_or_empty(attributes, "ApproximateReceiveCount"));
}

}  // namespace

std::optional<std::vector<EventRecord>> project_sqs_event(std::string_view event_text) {
  // Reused by the thread's next event: it keeps its buffers, sized for the largest so far.
  thread_local simdjson::dom::parser parser;
  object event;
  if (parser.parse(event_text.data(), event_text.size()).get(event) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  const std::optional<element> records = last_field(event, "Records");
  simdjson::dom::array items;
  if (!records || records->get(items) != simdjson::SUCCESS || items.begin() == items.end()) {
    return std::nullopt;
  }
  std::vector<EventRecord> projected;
  for (const element value : items) {
    object item;
    if (value.get(item) != simdjson::SUCCESS) return std::nullopt;
    const std::optional<element> body = last_field(item, "body");
    std::string_view body_text;
    // An object body stays JSON (numbers and all): split_event keeps it as nlohmann's.
    if (!body || body->get(body_text) != simdjson::SUCCESS) return std::nullopt;
    projected.push_back(
        EventRecord{std::string(string_or_empty(item, "messageId")), receive_count_of(item),
                    std::string(string_or_empty(item, "eventSourceARN")), std::string(body_text)});
  }
  return projected;
}

}  // namespace ssc::core
