#include "core/payloads.hpp"

#include <algorithm>

#include "core/python_format.hpp"
#include "digest/digest.hpp"

namespace ssc::core {
namespace {

// 18 bytes encode to exactly 24 base64 characters: no padding to strip, and 144 bits keep
// collisions between all the files the table holds negligible (about n^2 / 2^145).
constexpr std::size_t kReceiptKeyBytes = 18;

// 43 characters (SHA-256 in base64url), within SQS's 128, for any names.
std::string deduplication_id(std::string_view purpose, std::string_view correlation_id,
                             std::string_view collection_name) {
  std::string key(purpose);
  key += '|';
  key += correlation_id;
  key += '|';
  key += collection_name;
  return digest::base64url(digest::sha256(key));
}

}  // namespace

std::string export_state_body(const Message& message) {
  nlohmann::ordered_json body;
  body["shutdown_flag"] = nlohmann::ordered_json(message.shutdown_flag);
  body["correlation_id"] = message.correlation_id;
  body["topic_name"] = message.collection_name;
  body["snapshot_type"] = message.snapshot_type;
  body["reprocess_files"] = nlohmann::ordered_json(message.reprocess_files);
  body["export_date"] = message.export_date;
  body["send_success_indicator"] = "true";
  return python_json_dumps(body);
}

std::string export_state_group_id(std::string_view collection_name) {
  std::string group_id(collection_name);
  std::replace(group_id.begin(), group_id.end(), '.', '_');
  return group_id;
}

std::string export_state_deduplication_id(std::string_view correlation_id,
                                          std::string_view collection_name) {
  return deduplication_id("received", correlation_id, collection_name);
}

std::string export_state_resend_deduplication_id(std::string_view correlation_id,
                                                 std::string_view collection_name,
                                                 std::int64_t now_ms) {
  return deduplication_id("resend|" + std::to_string(now_ms / kDeduplicationIntervalMs),
                          correlation_id, collection_name);
}

std::string monitoring_message(const Message& message, std::string_view status_text) {
  nlohmann::ordered_json payload;
  payload["severity"] = "Critical";
  payload["notification_type"] = "Information";
  payload["slack_username"] = "Snapshot Sender";
  payload["title_text"] = python_title(message.snapshot_type) + " - " + std::string(status_text);
  payload["custom_elements"] = nlohmann::ordered_json::array(
      {nlohmann::ordered_json{{"key", "Export date"}, {"value", message.export_date}},
       nlohmann::ordered_json{{"key", "Correlation Id"}, {"value", message.correlation_id}}});
  return python_json_dumps(payload);
}

std::string file_receipt_key(const Message& message) {
  // Each part is preceded by its length, so that no two different triples hash the same
  // text (names may hold any character).
  std::string identity;
  for (const std::string* part : {&message.correlation_id, &message.collection_name}) {
    identity += std::to_string(part->size()) + ":" + *part;
  }
  identity += message.file_name;
  return digest::base64url(digest::sha256(identity).substr(0, kReceiptKeyBytes));
}

}  // namespace ssc::core
