// One AWS service endpoint: signs, sends, retries, and turns error answers into AwsError.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/deadline.hpp"
#include "aws/endpoints.hpp"
#include "aws/http.hpp"
#include "aws/retry.hpp"

namespace ssc::aws {

// Turns a non-2xx answer into the service's error (code, message, request id).
using ErrorParser = std::function<AwsError(const HttpResponse&)>;

// What a call came to: a 2xx answer, or a refusal, an error answer whose code the client was
// given as an expected answer (a condition that did not hold): it comes back as it came,
// never retried and never thrown, with its error (code, message, request id, and the call).
// `attempts` counts the HTTP attempts made.
struct Answer {
  HttpResponse response;
  std::optional<AwsError> refusal;
  int attempts = 0;
};

struct CallStats {
  std::atomic<std::uint64_t> requests{0};  // HTTP attempts, retries included
  std::atomic<std::uint64_t> retries{0};
};

// call() may be made from many threads at once: what it holds is set at construction and
// only read after, the counters are atomics, and the transport and the credentials provider
// it is given take concurrent calls themselves.
class AwsClient {
 public:
  // `refusal_codes`: the error codes that are answers (Answer::refusal), not failures.
  AwsClient(ServiceEndpoint endpoint, CredentialsProvider& credentials, HttpTransport& http,
            RetryPolicy policy, ErrorParser parse_error, HttpTimeouts timeouts = {},
            std::vector<std::string> refusal_codes = {});

  // `request.url` may be a path ("/" or "/?Action=..."); it is joined to the endpoint.
  // Retries within the policy and `deadline`, which every attempt ends by; throws AwsError,
  // which names `operation`, `resource` ("table <name>", "queue <url>", ...; may be empty)
  // and the attempts made (AwsError::failed_call).
  Answer call(HttpRequest request, const std::string& operation, const std::string& resource,
              Deadline deadline);

  [[nodiscard]] const ServiceEndpoint& endpoint() const { return endpoint_; }
  [[nodiscard]] const CallStats& stats() const { return stats_; }

 private:
  ServiceEndpoint endpoint_;
  CredentialsProvider& credentials_;
  HttpTransport& http_;
  RetryPolicy policy_;
  ErrorParser parse_error_;
  HttpTimeouts timeouts_;
  std::vector<std::string> refusal_codes_;
  CallStats stats_;

  // `attempts` holds how many were made, also when it throws.
  Answer send_with_retries(const HttpRequest& request, const std::string& operation,
                           const std::string& resource, Deadline deadline, int& attempts);
};

}  // namespace ssc::aws
