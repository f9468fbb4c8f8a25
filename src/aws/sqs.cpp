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

SendMessageResult SqsClient::send_message(const SendMessageRequest& request, Deadline deadline) {
  nlohmann::json body = {{"QueueUrl", request.queue_url}, {"MessageBody", request.body}};
  if (!request.message_group_id.empty()) body["MessageGroupId"] = request.message_group_id;
  if (!request.deduplication_id.empty()) {
    body["MessageDeduplicationId"] = request.deduplication_id;
  }
  if (request.delay_seconds) body["DelaySeconds"] = *request.delay_seconds;
  const nlohmann::json answer =
      detail::call_json_protocol(client_, kService, kTargetPrefix, "SendMessage", body, deadline)
          .body;
  return {string_field(answer, "MessageId"), string_field(answer, "SequenceNumber")};
}

}  // namespace ssc::aws
