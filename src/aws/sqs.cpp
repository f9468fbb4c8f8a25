#include "aws/sqs.hpp"

#include <utility>

#include "aws/detail/error_parsers.hpp"
#include "aws/detail/json_protocol.hpp"
#include "aws/detail/uri.hpp"

namespace ssc::aws {
namespace {

constexpr const char* kService = "sqs";
constexpr const char* kTargetPrefix = "AmazonSQS.";

std::string string_field(const nlohmann::json& object, const char* name) {
  const auto found = object.find(name);
  if (found != object.end() && found->is_string()) return found->get<std::string>();
  return {};
}

const nlohmann::json& array_field(const nlohmann::json& object, const char* name) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  const auto found = object.find(name);
  if (found != object.end() && found->is_array()) return *found;
  return kEmpty;
}

}  // namespace

std::optional<std::string> queue_name_of(std::string_view queue_url) {
  const auto parts = detail::split_url(queue_url);
  if (!parts || parts->host.empty() || !parts->query.empty()) return std::nullopt;
  return parts->path.substr(parts->path.rfind('/') + 1);
}

SqsClient::SqsClient(ServiceEndpoint endpoint, CredentialsProvider& credentials,
                     HttpTransport& http, RetryPolicy policy, HttpTimeouts timeouts)
    : client_(std::move(endpoint), credentials, http, policy, detail::json_error_parser(kService),
              timeouts) {}

nlohmann::json SqsClient::call(std::string_view operation, const nlohmann::json& request,
                               Deadline deadline) {
  return detail::call_json_protocol(client_, kService, kTargetPrefix, operation, request, deadline);
}

SendMessageResult SqsClient::send_message(const SendMessageRequest& request, Deadline deadline) {
  nlohmann::json body = {{"QueueUrl", request.queue_url}, {"MessageBody", request.body}};
  if (!request.message_group_id.empty()) body["MessageGroupId"] = request.message_group_id;
  if (!request.deduplication_id.empty()) {
    body["MessageDeduplicationId"] = request.deduplication_id;
  }
  if (request.delay_seconds) body["DelaySeconds"] = *request.delay_seconds;
  const nlohmann::json answer = call("SendMessage", body, deadline);
  return {string_field(answer, "MessageId"), string_field(answer, "SequenceNumber")};
}

std::vector<SqsMessage> SqsClient::receive_message(const ReceiveMessageRequest& request,
                                                   Deadline deadline) {
  nlohmann::json body = {{"QueueUrl", request.queue_url},
                         {"MaxNumberOfMessages", request.max_messages},
                         {"WaitTimeSeconds", request.wait_time_seconds}};
  if (request.visibility_timeout) body["VisibilityTimeout"] = *request.visibility_timeout;
  if (!request.system_attribute_names.empty()) {
    // The older name is still the one every implementation knows; the newer one is sent
    // too so that a service that has dropped the old one still answers with attributes.
    body["AttributeNames"] = request.system_attribute_names;
    body["MessageSystemAttributeNames"] = request.system_attribute_names;
  }
  const nlohmann::json answer = call("ReceiveMessage", body, deadline);
  std::vector<SqsMessage> messages;
  for (const auto& entry : array_field(answer, "Messages")) {
    if (!entry.is_object()) continue;
    SqsMessage message{string_field(entry, "MessageId"),
                       string_field(entry, "ReceiptHandle"),
                       string_field(entry, "Body"),
                       {}};
    if (const auto attributes = entry.find("Attributes");
        attributes != entry.end() && attributes->is_object()) {
      for (const auto& [name, value] : attributes->items()) {
        if (value.is_string()) message.attributes[name] = value.get<std::string>();
      }
    }
    messages.push_back(std::move(message));
  }
  return messages;
}

DeleteBatchResult SqsClient::delete_message_batch(const std::string& queue_url,
                                                  const std::vector<DeleteEntry>& entries,
                                                  Deadline deadline) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& entry : entries) {
    list.push_back({{"Id", entry.id}, {"ReceiptHandle", entry.receipt_handle}});
  }
  const nlohmann::json answer =
      call("DeleteMessageBatch", {{"QueueUrl", queue_url}, {"Entries", std::move(list)}}, deadline);
  DeleteBatchResult result;
  for (const auto& entry : array_field(answer, "Successful")) {
    if (entry.is_object()) result.successful.push_back(string_field(entry, "Id"));
  }
  for (const auto& entry : array_field(answer, "Failed")) {
    if (!entry.is_object()) continue;
    const auto fault = entry.find("SenderFault");
    result.failed.push_back({string_field(entry, "Id"), string_field(entry, "Code"),
                             string_field(entry, "Message"),
                             fault != entry.end() && fault->is_boolean() && fault->get<bool>()});
  }
  return result;
}

void SqsClient::change_message_visibility(const std::string& queue_url,
                                          const std::string& receipt_handle,
                                          int visibility_timeout_seconds, Deadline deadline) {
  call("ChangeMessageVisibility",
       {{"QueueUrl", queue_url},
        {"ReceiptHandle", receipt_handle},
        {"VisibilityTimeout", visibility_timeout_seconds}},
       deadline);
}

}  // namespace ssc::aws
