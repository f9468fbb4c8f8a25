// A thin SQS client on the AWS JSON 1.0 protocol (X-Amz-Target AmazonSQS.<Operation>),
// for the operations this system uses.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.hpp"
#include "aws/credentials.hpp"
#include "aws/deadline.hpp"
#include "aws/endpoints.hpp"
#include "aws/http.hpp"
#include "aws/retry.hpp"

namespace ssc::aws {

struct SendMessageRequest {
  std::string queue_url;
  std::string body;
  std::string message_group_id;  // FIFO queues; left out when empty
  std::string deduplication_id;  // FIFO queues without content-based dedup; left out when empty
  std::optional<int> delay_seconds;
};

struct SendMessageResult {
  std::string message_id;
  std::string sequence_number;  // FIFO queues only
};

struct ReceiveMessageRequest {
  std::string queue_url;
  int max_messages = 1;  // 1..10
  // Long polling: the client's HttpTimeouts.total must be longer than this wait.
  int wait_time_seconds = 0;
  std::optional<int> visibility_timeout;
  std::vector<std::string> system_attribute_names = {"All"};
};

struct SqsMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  std::map<std::string, std::string> attributes;  // e.g. MessageGroupId, ApproximateReceiveCount
};

struct DeleteEntry {
  std::string id;  // unique within the batch
  std::string receipt_handle;
};

struct BatchFailure {
  std::string id;
  std::string code;
  std::string message;
  bool sender_fault = false;
};

struct DeleteBatchResult {
  std::vector<std::string> successful;  // entry ids
  std::vector<BatchFailure> failed;
};

// The queue's name: the last path segment of `queue_url` (empty when the path ends in '/').
// nullopt when the URL is not an absolute http(s) URL with a host and without a query, so
// not one a queue could have.
std::optional<std::string> queue_name_of(std::string_view queue_url);

// Every operation may be called from many threads at once: the client is its AwsClient
// (thread-safe); a request's state lives in the call.
class SqsClient {
 public:
  SqsClient(ServiceEndpoint endpoint, CredentialsProvider& credentials, HttpTransport& http,
            RetryPolicy policy = {}, HttpTimeouts timeouts = {});

  // Every operation and its retries end by `deadline`.
  SendMessageResult send_message(const SendMessageRequest& request, Deadline deadline);
  std::vector<SqsMessage> receive_message(const ReceiveMessageRequest& request, Deadline deadline);
  // Up to 10 entries; an entry that failed is reported, not thrown.
  DeleteBatchResult delete_message_batch(const std::string& queue_url,
                                         const std::vector<DeleteEntry>& entries,
                                         Deadline deadline);
  void change_message_visibility(const std::string& queue_url, const std::string& receipt_handle,
                                 int visibility_timeout_seconds, Deadline deadline);

  // Any operation: the answer's JSON object. Throws AwsError.
  nlohmann::json call(std::string_view operation, const nlohmann::json& request, Deadline deadline);

  [[nodiscard]] const AwsClient& aws() const { return client_; }

 private:
  AwsClient client_;
};

}  // namespace ssc::aws
