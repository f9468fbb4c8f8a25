// project_sqs_event and project_body (core/event.hpp): the one file that includes simdjson.
// Its DOM parser validates the whole text (structure, UTF-8, escapes, numbers) before
// anything is read, so a projection never accepts what nlohmann rejects; what they read
// mirrors split_event and nlohmann's tree.
#include <simdjson.h>

#include <algorithm>

#include "core/event.hpp"
#include "core/message.hpp"

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

// A string, a boolean or null as nlohmann holds it; nullopt for the others, whose nlohmann
// form (e.g. of -0 or 1.0) is left to nlohmann's parser.
std::optional<nlohmann::json> scalar_of(element value) {
  std::string_view text;
  bool flag = false;
  if (value.get(text) == simdjson::SUCCESS) return nlohmann::json(std::string(text));
  if (value.get(flag) == simdjson::SUCCESS) return nlohmann::json(flag);
  if (value.is_null()) return nlohmann::json(nullptr);
  return std::nullopt;
}

// The text as an object; nullopt for anything else. The parser is the thread's: it keeps
// its buffers, sized for the largest text so far, and each text is read before the next.
std::optional<object> object_of(std::string_view text) {
  thread_local simdjson::dom::parser parser;
  object fields;
  if (parser.parse(text.data(), text.size()).get(fields) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return fields;
}

}  // namespace

std::optional<nlohmann::json> project_body(std::string_view body_text) {
  const std::optional<object> fields = object_of(body_text);
  if (!fields) return std::nullopt;
  nlohmann::json body = nlohmann::json::object();
  for (const auto field : *fields) {
    if (std::find(kMessageFields.begin(), kMessageFields.end(), field.key) ==
        kMessageFields.end()) {
      continue;
    }
    std::optional<nlohmann::json> value = scalar_of(field.value);
    if (!value) return std::nullopt;
    body[std::string(field.key)] = std::move(*value);  // the last of duplicates wins
  }
  return body;
}

std::optional<std::vector<EventRecord>> project_sqs_event(std::string_view event_text) {
  const std::optional<object> event = object_of(event_text);
  if (!event) return std::nullopt;
  const std::optional<element> records = last_field(*event, "Records");
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
