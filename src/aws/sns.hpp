// A thin SNS client on the AWS query protocol: a form-encoded POST
// (Action=...&Version=2010-03-31&...), answered in XML.
#pragma once

#include <string>

#include "aws/aws_client.hpp"
#include "aws/credentials.hpp"
#include "aws/deadline.hpp"
#include "aws/endpoints.hpp"
#include "aws/http.hpp"
#include "aws/retry.hpp"

namespace ssc::aws {

struct PublishRequest {
  std::string topic_arn;
  std::string message;
  std::string subject;           // left out when empty
  std::string message_group_id;  // FIFO topics; left out when empty
  std::string deduplication_id;  // FIFO topics; left out when empty
};

struct PublishResult {
  std::string message_id;
  std::string request_id;
};

// Every operation may be called from many threads at once: the client is its AwsClient
// (thread-safe); a request's state lives in the call.
class SnsClient {
 public:
  SnsClient(ServiceEndpoint endpoint, CredentialsProvider& credentials, HttpTransport& http,
            RetryPolicy policy = {}, HttpTimeouts timeouts = {});

  // Ends, with its retries, by `deadline`.
  PublishResult publish(const PublishRequest& request, Deadline deadline);

  [[nodiscard]] const AwsClient& aws() const { return client_; }

 private:
  AwsClient client_;
};

}  // namespace ssc::aws
