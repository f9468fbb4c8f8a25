// A thin SQS client on the AWS JSON 1.0 protocol (X-Amz-Target AmazonSQS.<Operation>),
// for the one operation this system uses: SendMessage.
#pragma once

#include <optional>
#include <string>
#include <string_view>

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

  [[nodiscard]] const AwsClient& aws() const { return client_; }

 private:
  AwsClient client_;
};

}  // namespace ssc::aws
