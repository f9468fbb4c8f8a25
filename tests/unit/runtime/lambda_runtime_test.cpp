#include "runtime/lambda_runtime.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <limits>
#include <nlohmann/json.hpp>

#include "aws/aws_error.hpp"

namespace ssc::runtime {
namespace {

using ::testing::HasSubstr;

// Plays the Runtime API: answers from a script, then refuses (which ends serve()).
class FakeRuntimeApi : public aws::HttpTransport {
 public:
  aws::HttpResponse send(const aws::HttpRequest& request,
                         const aws::HttpTimeouts& timeouts) override {
    requests.push_back(request);
    used_timeouts.push_back(timeouts);
    if (answers.empty()) throw aws::TransportError("connection refused", request.url);
    auto answer = answers.front();
    answers.pop_front();
    return answer;
  }
  void invocation(const std::string& id, const std::string& deadline, const std::string& body) {
    answers.push_back(
        {200,
         {{"lambda-runtime-aws-request-id", id}, {"lambda-runtime-deadline-ms", deadline}},
         body});
  }
  void accepted() { answers.push_back({202, {}, R"({"status":"OK"})"}); }

  std::vector<aws::HttpRequest> requests;
  std::vector<aws::HttpTimeouts> used_timeouts;
  std::deque<aws::HttpResponse> answers;
};

std::string header(const aws::HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

TEST(LambdaRuntime, PostsTheHandlersAnswerForEachInvocation) {
  FakeRuntimeApi api;
  api.invocation("req-1", "1700000000123", R"({"Records":[]})");
  api.accepted();
  api.invocation("req-2", "1700000000456", R"({"a":1})");
  api.accepted();
  RuntimeApiClient client(api, "127.0.0.1:9001");

  std::vector<std::pair<std::string, std::int64_t>> seen;
  EXPECT_THROW(serve(client,
                     [&](const std::string& event, std::int64_t deadline_ms) {
                       seen.emplace_back(event, deadline_ms);
                       return std::string(R"({"batchItemFailures":[]})");
                     }),
               aws::TransportError);

  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(seen[0].first, R"({"Records":[]})");
  EXPECT_EQ(seen[0].second, 1700000000123);
  EXPECT_EQ(seen[1].second, 1700000000456);

  ASSERT_GE(api.requests.size(), 4U);
  EXPECT_EQ(api.requests[0].method, "GET");
  EXPECT_EQ(api.requests[0].url, "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next");
  // The long poll must not time out while Lambda has nothing to give.
  EXPECT_GE(api.used_timeouts[0].total, std::chrono::hours(24));
  EXPECT_EQ(api.requests[1].method, "POST");
  EXPECT_EQ(api.requests[1].url,
            "http://127.0.0.1:9001/2018-06-01/runtime/invocation/req-1/response");
  EXPECT_EQ(api.requests[1].body, R"({"batchItemFailures":[]})");
  EXPECT_EQ(api.requests[3].url,
            "http://127.0.0.1:9001/2018-06-01/runtime/invocation/req-2/response");
}

class SomethingBroke : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

TEST(LambdaRuntime, ReportsAThrowingHandlerAsAnInvocationErrorAndGoesOn) {
  FakeRuntimeApi api;
  api.invocation("req-1", "1700000000123", "{}");
  api.accepted();
  api.invocation("req-2", "1700000000123", "{}");
  api.accepted();
  RuntimeApiClient client(api, "localhost:1");
  int calls = 0;
  EXPECT_THROW(serve(client,
                     [&](const std::string&, std::int64_t) -> std::string {
                       if (++calls == 1) throw SomethingBroke("row \"x\" not found");
                       return "{}";
                     }),
               aws::TransportError);

  EXPECT_EQ(calls, 2);
  const auto& failed = api.requests.at(1);
  EXPECT_EQ(failed.url, "http://localhost:1/2018-06-01/runtime/invocation/req-1/error");
  EXPECT_EQ(header(failed, "Lambda-Runtime-Function-Error-Type"), "SomethingBroke");
  const auto body = nlohmann::json::parse(failed.body);
  EXPECT_EQ(body.at("errorType"), "SomethingBroke");
  EXPECT_EQ(body.at("errorMessage"), "row \"x\" not found");
  EXPECT_EQ(api.requests.at(3).url,
            "http://localhost:1/2018-06-01/runtime/invocation/req-2/response");
}

TEST(LambdaRuntime, InitErrorIsPostedToTheInitPath) {
  FakeRuntimeApi api;
  api.accepted();
  RuntimeApiClient client(api, "127.0.0.1:9001");
  client.init_error("ConfigurationError", "MONITORING_SNS_TOPIC_ARN is required");
  ASSERT_EQ(api.requests.size(), 1U);
  EXPECT_EQ(api.requests[0].url, "http://127.0.0.1:9001/2018-06-01/runtime/init/error");
  EXPECT_EQ(header(api.requests[0], "Lambda-Runtime-Function-Error-Type"), "ConfigurationError");
  EXPECT_THAT(api.requests[0].body, HasSubstr("MONITORING_SNS_TOPIC_ARN is required"));
}

TEST(LambdaRuntime, RefusesAnInvocationWithoutIdOrDeadline) {
  FakeRuntimeApi api;
  api.answers.push_back({200, {{"lambda-runtime-deadline-ms", "1"}}, "{}"});
  api.answers.push_back({200, {{"lambda-runtime-aws-request-id", "r"}}, "{}"});
  api.answers.push_back(
      {200, {{"lambda-runtime-aws-request-id", "r"}, {"lambda-runtime-deadline-ms", "12x"}}, "{}"});
  api.answers.push_back({500, {}, "oops"});
  RuntimeApiClient client(api, "127.0.0.1:9001");
  for (int i = 0; i < 4; ++i) EXPECT_THROW(client.next(), RuntimeApiError);
}

// Found by fuzz/runtime_api_fuzz: strtoll read a deadline too large for 64 bits as the
// largest number instead of refusing it.
TEST(LambdaRuntime, RefusesADeadlineTooLargeForANumber) {
  FakeRuntimeApi api;
  api.invocation("r", "154240999999999999999999999706888", "{}");
  api.invocation("r", "9223372036854775808", "{}");
  api.invocation("r", "9223372036854775807", "{}");
  RuntimeApiClient client(api, "127.0.0.1:9001");
  EXPECT_THROW(client.next(), RuntimeApiError);
  EXPECT_THROW(client.next(), RuntimeApiError);
  EXPECT_EQ(client.next().deadline_ms, std::numeric_limits<std::int64_t>::max());
}

TEST(LambdaRuntime, AFailedPostEndsTheLoop) {
  FakeRuntimeApi api;
  api.invocation("req-1", "1700000000123", "{}");
  api.answers.push_back({500, {}, "container error"});
  RuntimeApiClient client(api, "127.0.0.1:9001");
  EXPECT_THROW(serve(client, [](const std::string&, std::int64_t) { return std::string("{}"); }),
               RuntimeApiError);
}

TEST(LambdaRuntime, ErrorTypeIsTheShortClassName) {
  EXPECT_EQ(error_type_of(SomethingBroke("x")), "SomethingBroke");
  EXPECT_EQ(error_type_of(std::runtime_error("x")), "runtime_error");
  EXPECT_EQ(error_type_of(RuntimeApiError("x")), "RuntimeApiError");
}

}  // namespace
}  // namespace ssc::runtime
