// What the fuzz targets share: reading the fuzzer's bytes as text, and an HttpTransport
// that hands a client the fuzzer's answer, so that each target goes through the real
// client and its parser exactly as an answer from the network would.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "aws/aws_error.hpp"
#include "aws/credentials.hpp"
#include "aws/deadline.hpp"
#include "aws/endpoints.hpp"
#include "aws/http.hpp"
#include "aws/retry.hpp"

namespace ssc::fuzz {

// The fuzzer's bytes, taken apart front to back.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  // One byte (0 when none is left): picks an operation or a status.
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto value = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return value;
  }

  // Up to the next `separator` (which is dropped), or all that is left.
  std::string_view until(std::string_view separator) {
    const auto at = rest_.find(separator);
    const std::string_view part = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + separator.size());
    return part;
  }

  std::string_view rest() { return std::exchange(rest_, std::string_view{}); }

 private:
  std::string_view rest_;
};

// Answers every request with the same response; `sent` counts them. The clients follow
// pages (LastEvaluatedKey), so an answer that pages forever is cut off after `limit`.
class AnswerTransport : public aws::HttpTransport {
 public:
  explicit AnswerTransport(aws::HttpResponse answer, int limit = 3)
      : answer_(std::move(answer)), limit_(limit) {}

  aws::HttpResponse send(const aws::HttpRequest& request, const aws::HttpTimeouts&) override {
    if (++sent > limit_) throw aws::TransportError("fuzz: no answer left", request.url);
    return answer_;
  }

  int sent = 0;

 private:
  aws::HttpResponse answer_;
  int limit_;
};

class FixedCredentials : public aws::CredentialsProvider {
 public:
  aws::Credentials get() override { return {"AKIDFUZZ", "fuzz-secret", "token", std::nullopt}; }
};

// The address is never contacted: AnswerTransport answers in its place.
inline aws::ServiceEndpoint endpoint(const std::string& service) {
  return {"http://127.0.0.1:9", {"eu-west-2", service}};
}

// One attempt, no waiting: a retryable answer is thrown at once.
// A deadline that no fuzzed answer reaches: the transport answers at once.
inline aws::Deadline in_a_minute() {
  return std::chrono::steady_clock::now() + std::chrono::minutes(1);
}

inline aws::RetryPolicy one_attempt() {
  aws::RetryPolicy policy;
  policy.max_attempts = 1;
  policy.base_delay = std::chrono::milliseconds(0);
  policy.max_delay = std::chrono::milliseconds(0);
  return policy;
}

// A status from one byte: mostly the answers a service gives, sometimes any number.
inline long status_from(std::uint8_t selector) {
  constexpr long kCommon[] = {200, 400, 403, 404, 409, 413, 429, 500, 503};
  constexpr std::size_t kCount = sizeof kCommon / sizeof kCommon[0];
  return selector < 240 ? kCommon[selector % kCount] : static_cast<long>(selector) * 7 - 1700;
}

// A service's answer: the status picked by one byte, the request id a service sends.
inline aws::HttpResponse service_answer(std::uint8_t status_selector) {
  return {status_from(status_selector), {{"x-amzn-requestid", "fuzz-request"}}, ""};
}

// A real client (DynamoDbClient, SqsClient, SnsClient) whose every request gets `answer`.
template <class Client>
struct AnsweredClient {
  AnsweredClient(aws::HttpResponse answer, const std::string& service)
      : transport(std::move(answer)),
        client(endpoint(service), credentials, transport, one_attempt()) {}

  AnswerTransport transport;
  FixedCredentials credentials;
  Client client;
};

}  // namespace ssc::fuzz
