#include "metrics/pushgateway_publisher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <deque>

#include "aws/aws_error.hpp"
#include "aws/deadline.hpp"
#include "metrics/detail/grouping_key.hpp"

namespace ssc::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Far enough for any test that is not about the deadline.
aws::Deadline in_a_minute() { return std::chrono::steady_clock::now() + std::chrono::minutes(1); }

// Records requests and answers them from a script.
class ScriptedTransport : public aws::HttpTransport {
 public:
  aws::HttpResponse send(const aws::HttpRequest& request,
                         const aws::HttpTimeouts& timeouts) override {
    requests.push_back(request);
    used_timeouts.push_back(timeouts);
    if (answers.empty()) return {200, {}, ""};
    auto answer = answers.front();
    answers.pop_front();
    if (answer.status == 0) throw aws::TransportError("connection refused", request.url);
    return answer;
  }
  std::vector<aws::HttpRequest> requests;
  std::vector<aws::HttpTimeouts> used_timeouts;
  std::deque<aws::HttpResponse> answers;
};

const core::RunLabels kRun{"run/1 x", "2020-01-01", "full"};

PushGatewaySettings settings() {
  PushGatewaySettings s;
  s.host = "gateway.local";
  s.port = 9091;
  s.instance = "host-12-abcd";
  return s;
}

TEST(PaddedBase64Url, EncodesUrlSafeWithPadding) {
  EXPECT_EQ(padded_base64url("a/b c"), "YS9iIGM=");
  EXPECT_EQ(padded_base64url("\xfb\xff"), "-_8=");
  EXPECT_EQ(padded_base64url(""), "=");
  EXPECT_EQ(padded_base64url("abc"), "YWJj");
  EXPECT_EQ(padded_base64url("a"), "YQ==");
}

TEST(ProcessInstanceId, HasHostPidAndRandomPart) {
  const auto id = process_instance_id();
  EXPECT_THAT(id, HasSubstr("-" + std::to_string(getpid()) + "-"));
  EXPECT_NE(id, process_instance_id());
}

TEST(PushGatewayPublisher, PushAddsTheRunIntoItsOwnEncodedGroup) {
  RunMetrics metrics;
  ScriptedTransport http;
  PushGatewayPublisher publisher(metrics, http, settings());
  metrics.collection_received(kRun);

  publisher.push(kRun.correlation_id, in_a_minute());

  ASSERT_EQ(http.requests.size(), 1U);
  const auto& request = http.requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://gateway.local:9091/metrics/job@base64/" +
                             padded_base64url("snapshot_sender_status_checker") +
                             "/component@base64/" +
                             padded_base64url("snapshot_sender_status_checker") +
                             "/correlation_id@base64/" + padded_base64url("run/1 x") +
                             "/instance@base64/" + padded_base64url("host-12-abcd"));
  EXPECT_THAT(request.body, HasSubstr("snapshot_sender_status_checker_collections_received_total"));
}

TEST(PushGatewayPublisher, SkipsARunWithNothingRecorded) {
  RunMetrics metrics;
  ScriptedTransport http;
  PushGatewayPublisher publisher(metrics, http, settings());
  publisher.push("unknown", in_a_minute());
  EXPECT_TRUE(http.requests.empty());
}

TEST(PushGatewayPublisher, DoesNothingWithoutAGateway) {
  RunMetrics metrics;
  ScriptedTransport http;
  PushGatewayPublisher publisher(metrics, http, std::nullopt);
  metrics.collection_received(kRun);
  publisher.push(kRun.correlation_id, in_a_minute());
  publisher.delete_run(kRun.correlation_id, in_a_minute());
  EXPECT_TRUE(http.requests.empty());
  EXPECT_FALSE(metrics.exposition(kRun.correlation_id).has_value());
}

TEST(PushGatewayPublisher, ThrowsOnARefusedPushOrAnUnreachableGateway) {
  RunMetrics metrics;
  ScriptedTransport http;
  PushGatewayPublisher publisher(metrics, http, settings());
  metrics.collection_received(kRun);
  http.answers.push_back({400, {}, "bad metric"});
  EXPECT_THROW(publisher.push(kRun.correlation_id, in_a_minute()), PushGatewayError);
  http.answers.push_back({0, {}, ""});
  EXPECT_THROW(publisher.push(kRun.correlation_id, in_a_minute()), PushGatewayError);
}

TEST(PushGatewayPublisher, DeleteRemovesEveryInstanceOfTheRunOnly) {
  RunMetrics metrics;
  ScriptedTransport http;
  PushGatewayPublisher publisher(metrics, http, settings());
  metrics.collection_received(kRun);
  metrics.collection_received({"other", "d", "t"});
  http.answers.push_back({200, {}, R"({"status":"success","data":[
    {"labels":{"job":"snapshot_sender_status_checker","component":"snapshot_sender_status_checker","correlation_id":"run/1 x","instance":"a"}},
    {"labels":{"job":"snapshot_sender_status_checker","component":"snapshot_sender_status_checker","correlation_id":"other","instance":"a"}},
    {"labels":{"job":"another_job","correlation_id":"run/1 x"}},
    {"labels":{"job":"snapshot_sender_status_checker","component":"snapshot_sender_status_checker","correlation_id":"run/1 x","instance":"b"}}]})"});
  http.answers.push_back({202, {}, ""});
  http.answers.push_back({202, {}, ""});

  publisher.delete_run(kRun.correlation_id, in_a_minute());

  ASSERT_EQ(http.requests.size(), 3U);
  EXPECT_EQ(http.requests[0].method, "GET");
  EXPECT_EQ(http.requests[0].url, "http://gateway.local:9091/api/v1/metrics");
  for (int i : {1, 2}) {
    EXPECT_EQ(http.requests[i].method, "DELETE");
    EXPECT_THAT(http.requests[i].url,
                HasSubstr("/correlation_id@base64/" + padded_base64url("run/1 x")));
  }
  EXPECT_THAT(http.requests[1].url, HasSubstr("/instance@base64/" + padded_base64url("a")));
  EXPECT_THAT(http.requests[2].url, HasSubstr("/instance@base64/" + padded_base64url("b")));
  EXPECT_FALSE(metrics.exposition(kRun.correlation_id).has_value());
  EXPECT_TRUE(metrics.exposition("other").has_value());
}

TEST(PushGatewayPublisher, KeepsLocalSeriesWhenTheDeleteFails) {
  RunMetrics metrics;
  ScriptedTransport http;
  PushGatewayPublisher publisher(metrics, http, settings());
  metrics.collection_received(kRun);
  http.answers.push_back({500, {}, "oops"});
  EXPECT_THROW(publisher.delete_run(kRun.correlation_id, in_a_minute()), PushGatewayError);
  EXPECT_TRUE(metrics.exposition(kRun.correlation_id).has_value());
  http.answers.push_back({200, {}, "not json"});
  EXPECT_THROW(publisher.delete_run(kRun.correlation_id, in_a_minute()), PushGatewayError);
}

TEST(PushGatewayPublisher, KeepsAHostGivenAsUrlWithPort) {
  RunMetrics metrics;
  ScriptedTransport http;
  auto s = settings();
  s.host = "https://gw.example:8443/";
  PushGatewayPublisher publisher(metrics, http, s);
  metrics.collection_received(kRun);
  publisher.push(kRun.correlation_id, in_a_minute());
  EXPECT_THAT(http.requests.at(0).url, StartsWith("https://gw.example:8443/metrics/job@base64/"));
}

TEST(PushGatewayPublisher, BoundsTheRequestByTheDeadline) {
  RunMetrics metrics;
  ScriptedTransport http;
  PushGatewayPublisher publisher(metrics, http, settings());
  metrics.collection_received(kRun);
  publisher.push(kRun.correlation_id,
                 std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
  EXPECT_LE(http.used_timeouts.at(0).total.count(), 500);
  EXPECT_THROW(publisher.push(kRun.correlation_id,
                              std::chrono::steady_clock::now() - std::chrono::milliseconds(1)),
               PushGatewayError);
  EXPECT_EQ(http.requests.size(), 1u);  // nothing is sent once the deadline has passed
}

}  // namespace
}  // namespace ssc::metrics
