// The Lambda event and the messages it carries (SPEC section 1).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssc::core {

struct EventRecord {
  // The SQS messageId; nullopt when the whole event is the message.
  std::optional<std::string> message_id;
  // The record's attributes.ApproximateReceiveCount: 1 on the first delivery, one more on
  // each delivery after; 0 when absent or not a number.
  long receive_count = 0;
  std::string event_source_arn;  // empty when the whole event is the message
  nlohmann::json body;           // an object, or a string holding JSON, as delivered
};

// An SQS event (a non-empty Records array whose every item has a body) gives one record per
// item; any other event is itself the one message.
std::vector<EventRecord> split_event(const nlohmann::json& event);

// The records of an event's text: project_sqs_event's when it takes the text, else
// split_event's of nlohmann's tree. Throws nlohmann::json::parse_error when it is not JSON.
std::vector<EventRecord> read_event(std::string_view event_text);

// The records of an SQS event whose bodies are all strings (the common event), read from
// its text without a tree (src/core/event_projection.cpp): exactly what split_event gives
// for it. nullopt for any other text: another event, an object body, or JSON that the
// projection declines (it is strict: at any doubt, e.g. a BOM, it declines).
std::optional<std::vector<EventRecord>> project_sqs_event(std::string_view event_text);

// The receive count an ApproximateReceiveCount text gives (see EventRecord): 0 unless it is
// a positive decimal number.
long receive_count_from(std::string_view text);

// The record's body as a JSON object: of a string body, project_body's fields when it takes
// the text. Throws InvalidMessage when a string body is not valid JSON or the body is not an
// object.
nlohmann::json decode_body(const EventRecord& record);

// The fields of a body's text that the message is read from (kMessageFields in
// core/message.hpp), read without nlohmann's parser (src/core/event_projection.cpp): exactly
// what nlohmann's tree holds for them. nullopt when the text is not a JSON object, when one
// of them holds a number, an array or an object (kept as nlohmann reads it), or when the
// projection declines the text: decode_body then reads it with nlohmann.
std::optional<nlohmann::json> project_body(std::string_view body_text);

// AWS requires in-order failure reporting for FIFO queues, whose ARNs end in ".fifo".
bool from_fifo_queue(const EventRecord& record);

}  // namespace ssc::core
