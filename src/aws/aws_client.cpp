#include "aws/aws_client.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include "aws/detail/sigv4.hpp"
#include "log/log.hpp"

namespace ssc::aws {
namespace {

using std::chrono::milliseconds;

AwsError generic_error(const HttpResponse& response) {
  std::string code = "HttpError" + std::to_string(response.status);
  const bool retryable = is_retryable(code, response.status);
  return AwsError(std::move(code), "the service answered HTTP " + std::to_string(response.status),
                  "", response.status, retryable);
}

std::string join_url(const std::string& endpoint, const std::string& target) {
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) return target;
  if (target.empty()) return endpoint + "/";
  if (target.front() == '/') return endpoint + target;
  return endpoint + "/" + target;
}

}  // namespace

AwsClient::AwsClient(ServiceEndpoint endpoint, CredentialsProvider& credentials,
                     HttpTransport& http, RetryPolicy policy, ErrorParser parse_error,
                     HttpTimeouts timeouts, std::vector<std::string> refusal_codes)
    : endpoint_(std::move(endpoint)),
      credentials_(credentials),
      http_(http),
      policy_(policy),
      parse_error_(std::move(parse_error)),
      timeouts_(timeouts),
      refusal_codes_(std::move(refusal_codes)) {}

Answer AwsClient::call(HttpRequest request, const std::string& operation,
                       const std::string& resource, Deadline deadline) {
  request.url = join_url(endpoint_.url, request.url);
  int attempts = 0;
  try {
    Answer answer = send_with_retries(request, operation, resource, deadline, attempts);
    answer.attempts = attempts;
    if (answer.refusal) answer.refusal->set_failed_call({operation, resource, attempts});
    return answer;
  } catch (AwsError& error) {
    error.set_failed_call({operation, resource, attempts});
    throw;
  }
}

Answer AwsClient::send_with_retries(const HttpRequest& request, const std::string& operation,
                                    const std::string& resource, Deadline deadline, int& attempts) {
  RetryBudget budget(policy_, deadline);
  std::exception_ptr last_error;

  while (true) {
    const std::optional<HttpTimeouts> attempt_timeouts = timeouts_until(timeouts_, deadline);
    if (!attempt_timeouts) break;

    // Signed afresh each attempt: the signature carries the time and a retry may come
    // after credentials were refreshed.
    HttpRequest signed_request = request;
    detail::sign_request(signed_request, credentials_.get(), endpoint_.scope,
                         std::chrono::system_clock::now());

    std::string error_code;
    bool contention = false;
    attempts = budget.attempts();
    try {
      stats_.requests.fetch_add(1, std::memory_order_relaxed);
      HttpResponse response = http_.send(signed_request, *attempt_timeouts);
      if (response.status >= 200 && response.status < 300) return {std::move(response), {}, 0};
      AwsError error = parse_error_ ? parse_error_(response) : generic_error(response);
      if (std::find(refusal_codes_.begin(), refusal_codes_.end(), error.code()) !=
          refusal_codes_.end()) {
        return {std::move(response), std::move(error), 0};
      }
      if (!error.retryable()) throw error;
      error_code = error.code();
      contention = is_contention(error_code);
      last_error = std::make_exception_ptr(error);
    } catch (const TransportError& error) {
      error_code = error.code();
      last_error = std::current_exception();
    }

    const std::optional<milliseconds> delay = budget.next_delay(contention);
    if (!delay) break;
    stats_.retries.fetch_add(1, std::memory_order_relaxed);
    if (log::enabled(log::Level::Debug)) {
      log::debug("aws", "retrying AWS request",
                 {{"service", endpoint_.scope.service},
                  {"operation", operation},
                  {"resource", resource},
                  {"attempt", std::to_string(budget.attempts())},
                  {"error_code", error_code},
                  {"delay_ms", std::to_string(delay->count())}});
    }
    std::this_thread::sleep_for(*delay);
  }

  if (last_error) std::rethrow_exception(last_error);
  throw AwsError("DeadlineExceeded",
                 "the invocation deadline passed before a request to " + endpoint_.scope.service +
                     " could be sent",
                 "", 0, false);
}

}  // namespace ssc::aws
