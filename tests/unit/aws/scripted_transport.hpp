// An HttpTransport that answers from a script and records what it was sent, so that the
// clients and adapters can be tested through the real AwsClient without a network.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/aws_client.hpp"
#include "aws/aws_error.hpp"
#include "aws/credentials.hpp"
#include "aws/deadline.hpp"
#include "aws/endpoints.hpp"
#include "aws/http.hpp"
#include "aws/retry.hpp"

namespace ssc::test {

class ScriptedTransport : public aws::HttpTransport {
 public:
  aws::HttpResponse send(const aws::HttpRequest& request, const aws::HttpTimeouts&) override {
    requests.push_back(request);
    if (responses.empty()) throw aws::TransportError("no scripted answer left", request.url);
    aws::HttpResponse response = responses.front();
    responses.pop_front();
    if (response.status == kConnectionReset) {
      throw aws::TransportError("Connection reset by peer (scripted)", request.url);
    }
    return response;
  }

  // The request reached the server (which may have applied it) but the connection was reset
  // instead of answered.
  void reset_connection() { responses.push_back({kConnectionReset, {}, ""}); }

  void reply(long status, const std::string& body, aws::Headers headers = {}) {
    responses.push_back({status, std::move(headers), body});
  }
  void reply_json(long status, const nlohmann::json& body, aws::Headers headers = {}) {
    reply(status, body.dump(), std::move(headers));
  }

  [[nodiscard]] nlohmann::json body(std::size_t index) const {
    return nlohmann::json::parse(requests.at(index).body);
  }

  [[nodiscard]] std::string header(std::size_t index, const std::string& name) const {
    const auto lower = [](std::string text) {
      std::transform(text.begin(), text.end(), text.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      return text;
    };
    for (const auto& [key, value] : requests.at(index).headers) {
      if (lower(key) == lower(name)) return value;
    }
    return {};
  }

  std::deque<aws::HttpResponse> responses;
  std::vector<aws::HttpRequest> requests;

 private:
  static constexpr long kConnectionReset = -1;
};

class FixedCredentials : public aws::CredentialsProvider {
 public:
  aws::Credentials get() override { return {"AKIDTEST", "test-secret", "", std::nullopt}; }
};

inline aws::ServiceEndpoint test_endpoint(const std::string& service) {
  return {"http://127.0.0.1:9", {"eu-west-2", service}};
}

// Retries without waiting, so a test of a retryable answer stays fast.
// Far enough for any test that is not about the deadline.
inline aws::Deadline in_a_minute() {
  return std::chrono::steady_clock::now() + std::chrono::minutes(1);
}

inline aws::RetryPolicy fast_policy(int attempts = 3) {
  aws::RetryPolicy policy;
  policy.max_attempts = attempts;
  policy.base_delay = std::chrono::milliseconds(0);
  policy.max_delay = std::chrono::milliseconds(0);
  return policy;
}

}  // namespace ssc::test
