// The Lambda event and the messages it carries (SPEC section 1).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
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

// The record's body as a JSON object. Throws InvalidMessage when a string body is not valid
// JSON or the body is not an object.
nlohmann::json decode_body(const EventRecord& record);

// AWS requires in-order failure reporting for FIFO queues, whose ARNs end in ".fifo".
bool from_fifo_queue(const EventRecord& record);

}  // namespace ssc::core
