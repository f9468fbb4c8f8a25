// SQS events as Lambda hands them to the handler, for the core's tests: message bodies,
// records, whole events, and the failed ids of a batch response.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ssc::core::testing {

inline constexpr const char* kFifoArn = "arn:aws:sqs:eu-west-2:123456789012:files.fifo";
inline constexpr const char* kStandardArn = "arn:aws:sqs:eu-west-2:123456789012:files";

inline nlohmann::json body(const std::string& corr, const std::string& coll,
                           const std::string& file_name) {
  return {{"correlation_id", corr},
          {"collection_name", coll},
          {"snapshot_type", "incremental"},
          {"export_date", "2020-01-01"},
          {"file_name", file_name}};
}

inline nlohmann::json success_body(const std::string& corr, const std::string& coll) {
  nlohmann::json b = body(corr, coll, coll + "/_success");
  b["is_success_file"] = "true";
  return b;
}

inline nlohmann::json record(const std::string& id, const nlohmann::json& message_body,
                             const char* arn = kStandardArn) {
  return {{"messageId", id}, {"eventSourceARN", arn}, {"body", message_body}};
}

// As SQS sends it: the receive count says which delivery of the message this is.
inline nlohmann::json delivery(const std::string& id, const nlohmann::json& message_body,
                               int receive_count, const char* arn = kStandardArn) {
  nlohmann::json r = record(id, message_body, arn);
  r["attributes"] = {{"ApproximateReceiveCount", std::to_string(receive_count)}};
  return r;
}

inline nlohmann::json sqs_event(std::vector<nlohmann::json> records) {
  return {{"Records", records}};
}

inline std::vector<std::string> failed_ids(const nlohmann::json& response) {
  std::vector<std::string> ids;
  for (const auto& failure : response.at("batchItemFailures")) {
    ids.push_back(failure.at("itemIdentifier"));
  }
  return ids;
}

}  // namespace ssc::core::testing
