#include "aws/aws_client.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

#include "aws/beast_transport.hpp"
#include "aws/deadline.hpp"
#include "log/log.hpp"
#include "test_http_server.hpp"

using namespace ssc::aws;
using namespace std::chrono_literals;
using ssc::test::ScriptedResponse;
using ssc::test::TestHttpServer;

namespace {

// Far enough for any test that is not about the deadline.
Deadline in_a_minute() { return std::chrono::steady_clock::now() + 60s; }

class FixedCredentials : public CredentialsProvider {
 public:
  Credentials get() override { return {"AKIDTEST", "test-secret", "test-token", std::nullopt}; }
};

// The test's own service speaks "code in the body": enough to drive the retry rules, which
// a parser applies once (as detail::make_service_error does).
AwsError body_code_parser(const HttpResponse& response) {
  const std::string code = response.body.empty() ? "Unknown" : response.body;
  return AwsError(code, "scripted error", response.header("x-amzn-requestid"), response.status,
                  is_retryable(code, response.status));
}

RetryPolicy fast_policy(int attempts) {
  RetryPolicy policy;
  policy.max_attempts = attempts;
  policy.base_delay = 1ms;
  policy.max_delay = 5ms;
  policy.max_total = 10s;
  return policy;
}

class AwsClientTest : public ::testing::Test {
 protected:
  AwsClient client(RetryPolicy policy, const std::string& url = "") {
    return AwsClient(ServiceEndpoint{url.empty() ? server.url() : url, {"eu-west-2", "sqs"}},
                     credentials, transport, policy, body_code_parser);
  }

  TestHttpServer server;
  FixedCredentials credentials;
  BeastTransport transport;
};

// Sets an environment variable for one test and restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_F(AwsClientTest, AnUnreadableCaBundleFailsAtOnceAsAConfigurationError) {
  // Something to connect to: the bundle is read for the TLS handshake.
  const ScopedEnv ca("SSL_CERT_FILE", "/nonexistent/ca-bundle.pem");
  std::string url = server.url();
  url.replace(0, std::string("http:").size(), "https:");
  auto aws = client(fast_policy(5), url);
  try {
    aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q", in_a_minute());
    FAIL() << "expected ConfigurationError";
  } catch (const ConfigurationError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("SSL_CERT_FILE"), std::string::npos) << what;
  }
  EXPECT_EQ(aws.stats().requests.load(), 1u);
  EXPECT_EQ(aws.stats().retries.load(), 0u);  // no retry can mend it
}

TEST_F(AwsClientTest, JoinsPathAndSignsTheRequest) {
  server.enqueue({200, {}, "ok"});
  auto aws = client(fast_policy(3));
  const auto answer =
      aws.call({"POST", "/?Action=ListQueues", {}, "{}"}, "ListQueues", "", in_a_minute());
  EXPECT_EQ(answer.response.body, "ok");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/?Action=ListQueues");
  EXPECT_EQ(requests[0].header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(requests[0].header("x-amz-security-token"), "test-token");
  EXPECT_EQ(requests[0].header("x-amz-date").size(), 16u);
  const std::string authorization = requests[0].header("authorization");
  EXPECT_EQ(authorization.rfind("AWS4-HMAC-SHA256 Credential=AKIDTEST/", 0), 0u) << authorization;
  EXPECT_NE(authorization.find("/eu-west-2/sqs/aws4_request"), std::string::npos);
  EXPECT_EQ(aws.stats().requests.load(), 1u);
  EXPECT_EQ(aws.stats().retries.load(), 0u);
}

TEST_F(AwsClientTest, Retries5xxAndThrottlingThenSucceeds) {
  server.enqueue({500, {}, "InternalError"});
  server.enqueue({503, {}, "ServiceUnavailable"});
  server.enqueue({400, {}, "ThrottlingException"});
  server.enqueue({400, {}, "ProvisionedThroughputExceededException"});
  server.enqueue({200, {}, "done"});
  auto aws = client(fast_policy(5));
  EXPECT_EQ(
      aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q", in_a_minute()).response.body,
      "done");
  EXPECT_EQ(aws.stats().requests.load(), 5u);
  EXPECT_EQ(aws.stats().retries.load(), 4u);
  // Each attempt is signed afresh: one Authorization header, never an accumulation.
  for (const auto& request : server.requests()) {
    EXPECT_EQ(request.header_count("authorization"), 1u);
    EXPECT_EQ(request.header_count("x-amz-date"), 1u);
  }
}

TEST_F(AwsClientTest, RetriesWhatTheParserDecidedIsRetryable) {
  // The client asks no rule of its own: a code no rule knows is retried when its parser says.
  server.enqueue({400, {}, "Custom"});
  server.enqueue({200, {}, "done"});
  AwsClient aws(ServiceEndpoint{server.url(), {"eu-west-2", "sqs"}}, credentials, transport,
                fast_policy(5), [](const HttpResponse& response) {
                  return AwsError(response.body, "m", "", response.status, true);
                });
  EXPECT_EQ(
      aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q", in_a_minute()).response.body,
      "done");
  EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(AwsClientTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  server.set_fallback({503, {{"x-amzn-RequestId", "r-503"}}, "ServiceUnavailable"});
  auto aws = client(fast_policy(3));
  try {
    aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q", in_a_minute());
    FAIL() << "expected AwsError";
  } catch (const AwsError& error) {
    EXPECT_EQ(error.http_status(), 503);
    EXPECT_EQ(error.code(), "ServiceUnavailable");
    EXPECT_EQ(error.request_id(), "r-503");
    ASSERT_NE(error.failed_call(), nullptr);
    EXPECT_EQ(error.failed_call()->attempts, 3);
    EXPECT_EQ(std::string(error.what()),
              "TestOperation on queue q failed after 3 attempts: ServiceUnavailable: scripted "
              "error (HTTP 503, request id r-503)");
  }
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_EQ(aws.stats().requests.load(), 3u);
  EXPECT_EQ(aws.stats().retries.load(), 2u);
}

TEST_F(AwsClientTest, DoesNotRetryValidationException) {
  server.set_fallback({400, {}, "ValidationException"});
  auto aws = client(fast_policy(5));
  try {
    aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q", in_a_minute());
    FAIL() << "expected AwsError";
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "ValidationException");
    EXPECT_EQ(error.http_status(), 400);
    EXPECT_EQ(std::string(error.what())
                  .rfind("TestOperation on queue q failed after 1 attempt: "
                         "ValidationException: ",
                         0),
              0u)
        << error.what();
  }
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_EQ(aws.stats().retries.load(), 0u);
}

TEST_F(AwsClientTest, ARefusalIsAnAnswerNeitherRetriedNorThrown) {
  server.set_fallback({400, {{"x-amzn-RequestId", "r-1"}}, "ConditionalCheckFailedException"});
  AwsClient aws(ServiceEndpoint{server.url(), {"eu-west-2", "dynamodb"}}, credentials, transport,
                fast_policy(5), body_code_parser, {}, {"ConditionalCheckFailedException"});
  const Answer answer = aws.call({"POST", "/", {}, "{}"}, "UpdateItem", "table T", in_a_minute());
  ASSERT_TRUE(answer.refusal.has_value());
  EXPECT_EQ(answer.refusal->code(), "ConditionalCheckFailedException");
  EXPECT_EQ(answer.refusal->request_id(), "r-1");
  EXPECT_EQ(answer.response.status, 400);
  EXPECT_EQ(answer.attempts, 1);
  // Named as a failed call would be, for a caller that does not expect it.
  ASSERT_NE(answer.refusal->failed_call(), nullptr);
  EXPECT_EQ(answer.refusal->failed_call()->resource, "table T");
  EXPECT_EQ(server.request_count(), 1u);
  // Any other code of an error answer is still thrown.
  server.set_fallback({400, {}, "ValidationException"});
  EXPECT_THROW(aws.call({"POST", "/", {}, "{}"}, "UpdateItem", "table T", in_a_minute()), AwsError);
}

TEST_F(AwsClientTest, RefusedPortIsTransportErrorAfterRetries) {
  auto aws =
      client(fast_policy(3), "http://127.0.0.1:" + std::to_string(ssc::test::refused_port()));
  try {
    aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q", in_a_minute());
    FAIL() << "expected TransportError";
  } catch (const TransportError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("TestOperation on queue q failed after 3 attempts: "
                        "TransportError: "),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(aws.stats().requests.load(), 3u);
  EXPECT_EQ(aws.stats().retries.load(), 2u);
}

TEST_F(AwsClientTest, RecoversFromOneTransportError) {
  ScriptedResponse slow;
  slow.delay = 1500ms;
  server.enqueue(slow);
  server.enqueue({200, {}, "second"});
  AwsClient aws(ServiceEndpoint{server.url(), {"eu-west-2", "sqs"}}, credentials, transport,
                fast_policy(3), body_code_parser, HttpTimeouts{500ms, 200ms});
  EXPECT_EQ(
      aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q", in_a_minute()).response.body,
      "second");
  EXPECT_EQ(aws.stats().retries.load(), 1u);
}

TEST_F(AwsClientTest, NeverSleepsPastTheDeadline) {
  server.set_fallback({503, {}, "ServiceUnavailable"});
  RetryPolicy policy;
  policy.max_attempts = 100;
  // Backoffs of up to 300 ms (full jitter) against a deadline at 1,000 ms: a client that
  // slept into the deadline would end up to 300 ms past it, one that gives up first ends
  // by it, plus the time of its last request. The 100 ms margin is for a loaded machine.
  policy.base_delay = 300ms;
  policy.max_delay = 300ms;
  auto aws = client(policy);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q", started + 1000ms),
               AwsError);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_LT(elapsed, 1000ms + 100ms);
  EXPECT_GE(aws.stats().requests.load(), 2u);
}

TEST_F(AwsClientTest, SlowAnswerIsCutAtTheDeadline) {
  ScriptedResponse slow;
  slow.delay = 3000ms;
  server.set_fallback(slow);
  auto aws = client(fast_policy(5));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q", started + 300ms),
               TransportError);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1000ms);
}

TEST_F(AwsClientTest, PassedDeadlineSendsNothing) {
  auto aws = client(fast_policy(3));
  try {
    aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q",
             std::chrono::steady_clock::now() - 1ms);
    FAIL() << "expected AwsError";
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "DeadlineExceeded");
    EXPECT_NE(std::string(error.what()).find("TestOperation on queue q failed after 0 attempts"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(server.request_count(), 0u);
}

TEST_F(AwsClientTest, MaxTotalBoundsTheRetries) {
  server.set_fallback({500, {}, "InternalError"});
  RetryPolicy policy;
  policy.max_attempts = 100;
  policy.base_delay = 50ms;
  policy.max_delay = 50ms;
  policy.max_total = 200ms;
  auto aws = client(policy);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q", in_a_minute()),
               AwsError);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 400ms);
}

TEST_F(AwsClientTest, LogsEachRetryAtDebugWithoutSecrets) {
  server.enqueue({503, {}, "ServiceUnavailable"});
  server.enqueue({200, {}, "ok"});
  auto aws = client(fast_policy(3));
  ssc::log::configure({ssc::log::Level::Debug, "test", "aws_tests"});
  ::testing::internal::CaptureStderr();
  aws.call({"POST", "/", {}, "{}"}, "TestOperation", "queue q", in_a_minute());
  const std::string logged = ::testing::internal::GetCapturedStderr();
  ssc::log::configure({});
  EXPECT_NE(logged.find("retrying AWS request"), std::string::npos) << logged;
  EXPECT_NE(logged.find("ServiceUnavailable"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("test-secret"), std::string::npos) << logged;
  EXPECT_EQ(logged.find("test-token"), std::string::npos) << logged;
}

}  // namespace
