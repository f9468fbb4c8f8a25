#include "core/handler.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "aws/aws_error.hpp"
#include "core/message.hpp"
#include "core/owner.hpp"
#include "fakes.hpp"
#include "sqs_events.hpp"

namespace ssc::core {
namespace {

using nlohmann::json;
using testing::body;
using testing::delivery;
using testing::failed_ids;
using testing::FakeClock;
using testing::FakeMetrics;
using testing::FakeMetricsPublisher;
using testing::FakeMonitoring;
using testing::FakeOwnerTokens;
using testing::FakeProductTable;
using testing::FakeQueue;
using testing::FakeStatusTable;
using testing::kFifoArn;
using testing::kStandardArn;
using testing::record;
using testing::sqs_event;
using testing::success_body;

std::vector<json> parse_lines(const std::string& text) {
  std::vector<json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(json::parse(line));
  return lines;
}

class HandlerTest : public ::testing::Test {
 protected:
  void SetUp() override { log::configure(log::Settings{log::Level::Critical, "t", "t"}); }
  void TearDown() override { log::configure(log::Settings{}); }

  // Ten minutes: room for the whole scrape wait and the reserve.
  json handle(const json& event) {
    return handler.handle(event, budget_until(clock.peek() + 600'000));
  }
  // The budget of an invocation that Lambda ends at `lambda_ms`, starting now.
  TimeBudget budget_until(std::int64_t lambda_ms) { return TimeBudget::starting(lambda_ms, clock); }
  // A budget with the ends given (epoch ms on the fake clock).
  static TimeBudget budget(std::int64_t work_end_ms, std::int64_t io_end_ms,
                           std::int64_t lambda_ms) {
    return {lambda_ms, FakeClock::steady_at(lambda_ms), FakeClock::steady_at(io_end_ms),
            FakeClock::steady_at(work_end_ms), FakeClock::steady_at(work_end_ms)};
  }
  std::int64_t received(const std::string& corr, const std::string& coll) {
    return status.row({corr, coll}).files_received_or_zero();
  }

  FakeStatusTable status;
  FakeProductTable product;
  FakeQueue queue;
  FakeMonitoring monitoring;
  FakeMetrics metrics;
  FakeClock clock;
  FakeMetricsPublisher publisher;
  FakeOwnerTokens tokens;
  BatchHandler handler{
      HandlerPorts{WorkflowPorts{status, product, queue, monitoring, metrics, clock}, publisher,
                   tokens},
      70};
};

TEST_F(HandlerTest, AllGoodBatchReportsNoFailures) {
  status.put({"c1", "db.a.b"}, "Exported", 5);
  const json response = handle(sqs_event(
      {record("m1", body("c1", "db.a.b", "f1")), record("m2", body("c1", "db.a.b", "f2").dump())}));
  EXPECT_EQ(response, json::parse(R"({"batchItemFailures": []})"));
  EXPECT_EQ(received("c1", "db.a.b"), 2);
}

TEST_F(HandlerTest, StandardQueueReportsOnlyTheFailedMessages) {
  status.put({"c1", "db.a.b"}, "Exported", 5);
  json invalid = body("c1", "db.a.b", "f2");
  invalid.erase("export_date");
  const json response =
      handle(sqs_event({record("m1", body("c1", "db.a.b", "f1")), record("m2", invalid),
                        record("m3", body("c1", "db.unknown.x", "f3")), record("m4", "{not json"),
                        record("m5", body("c1", "db.a.b", "f5"))}));
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m2", "m3", "m4"}));
  EXPECT_EQ(received("c1", "db.a.b"), 2);  // m1 and m5
}

TEST_F(HandlerTest, FifoQueueReturnsTheFailedMessageAndEveryLaterOneUnprocessed) {
  status.put({"c1", "db.a.b"}, "Exported", 5);
  const json response = handle(sqs_event({record("m1", body("c1", "db.a.b", "f1"), kFifoArn),
                                          record("m2", body("c1", "db.unknown.x", "f2"), kFifoArn),
                                          record("m3", body("c1", "db.a.b", "f3"), kFifoArn),
                                          record("m4", body("c1", "db.a.b", "f4"), kFifoArn)}));
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m2", "m3", "m4"}));
  EXPECT_EQ(received("c1", "db.a.b"), 1);  // m3 and m4 were not processed
}

TEST_F(HandlerTest, AStandardBatchCountsEachCollectionsFilesTogether) {
  status.put({"c1", "db.a.b"}, "Exported", 3);
  status.put({"c1", "db.a.c"}, "Exported", 9);
  const json response = handle(
      sqs_event({record("m1", body("c1", "db.a.b", "f1")), record("m2", body("c1", "db.a.c", "f1")),
                 record("m3", body("c1", "db.a.b", "f2")), record("m4", body("c1", "db.a.b", "f3")),
                 record("m5", body("c1", "db.a.b", "f2"))}));
  EXPECT_EQ(failed_ids(response), std::vector<std::string>{});
  EXPECT_EQ(status.counts(), 2);           // one count per collection, not one per message
  EXPECT_EQ(received("c1", "db.a.b"), 3);  // m5 is f2 again: counted once
  EXPECT_EQ(received("c1", "db.a.c"), 1);
  // db.a.b is received: one transition, its effects once.
  EXPECT_EQ(status.row({"c1", "db.a.b"}).status, "Received");
  EXPECT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(metrics.count("file_received"), 4);
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(metrics.processing_times().size(), 5u);  // one per message
}

TEST_F(HandlerTest, MessagesThatDifferInWhatTheEffectsCarryAreNotCountedTogether) {
  status.put({"c1", "db.a.b"}, "Exported", 9);
  json other_date = body("c1", "db.a.b", "f2");
  other_date["export_date"] = "2020-01-02";
  json other_flag = body("c1", "db.a.b", "f3");
  other_flag["shutdown_flag"] = "false";
  handle(sqs_event({record("m1", body("c1", "db.a.b", "f1")), record("m2", other_date),
                    record("m3", other_flag), record("m4", body("c1", "db.a.b", "f4"))}));
  EXPECT_EQ(status.counts(), 3);
  EXPECT_EQ(received("c1", "db.a.b"), 4);
}

TEST_F(HandlerTest, AFailedCountFailsTheWholeGroupAndNothingElse) {
  status.put({"c1", "db.a.c"}, "Exported", 9);
  // db.a.b has no row: its group's count is refused, both of its messages fail.
  const json response = handle(
      sqs_event({record("m1", body("c1", "db.a.b", "f1")), record("m2", body("c1", "db.a.c", "f1")),
                 record("m3", body("c1", "db.a.b", "f2"))}));
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m1", "m3"}));
  EXPECT_EQ(metrics.count("message_failed"), 2);
  EXPECT_EQ(received("c1", "db.a.c"), 1);
}

TEST_F(HandlerTest, AFailedTransitionFailsOnlyTheMessageThatCarriesIt) {
  status.put({"c1", "db.a.b"}, "Exported", 2);
  queue.failures.fail_next(1);
  const json response = handle(sqs_event({delivery("m1", body("c1", "db.a.b", "f1"), 1),
                                          delivery("m2", body("c1", "db.a.b", "f2"), 1)}));
  // m2 carried the transition, whose effects failed: it comes back; m1's file is counted.
  EXPECT_EQ(failed_ids(response), std::vector<std::string>{"m2"});
  EXPECT_EQ(received("c1", "db.a.b"), 2);
  EXPECT_EQ(metrics.count("file_received"), 1);
  // Its redelivery finds its own file counted by its earlier delivery, and that delivery's
  // mark: it is over, so the effects are taken over and performed.
  const json again = handle(sqs_event({delivery("m2", body("c1", "db.a.b", "f2"), 2)}));
  EXPECT_EQ(failed_ids(again), std::vector<std::string>{});
  EXPECT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(metrics.count("file_received"), 2);  // the earlier delivery's count, reported now
  EXPECT_EQ(metrics.count("collection_received"), 1);
}

TEST_F(HandlerTest, AFifoBatchCountsConsecutiveMessagesTogetherAndStopsAtAFailedGroup) {
  status.put({"c1", "db.a.b"}, "Exported", 9);
  status.put({"c1", "db.a.c"}, "Exported", 9);
  const json response = handle(sqs_event({record("m1", body("c1", "db.a.b", "f1"), kFifoArn),
                                          record("m2", body("c1", "db.a.b", "f2"), kFifoArn),
                                          record("m3", body("c1", "db.a.c", "f1"), kFifoArn),
                                          record("m4", body("c1", "db.x.y", "f1"), kFifoArn),
                                          record("m5", body("c1", "db.x.y", "f2"), kFifoArn),
                                          record("m6", body("c1", "db.a.b", "f3"), kFifoArn)}));
  // Groups in batch order: [m1 m2] [m3] [m4 m5] [m6]. The third fails: it and the rest
  // come back, in order.
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m4", "m5", "m6"}));
  EXPECT_EQ(status.counts(), 2);
  EXPECT_EQ(received("c1", "db.a.b"), 2);
  EXPECT_EQ(received("c1", "db.a.c"), 1);
}

TEST_F(HandlerTest, AFifoGroupWhoseTransitionFailsComesBackWholeAndIsCreditedOnce) {
  status.put({"c1", "db.a.b"}, "Exported", 2);
  queue.failures.fail_next(1);
  const json response =
      handle(sqs_event({delivery("m1", body("c1", "db.a.b", "f1"), 1, kFifoArn),
                        delivery("m2", body("c1", "db.a.b", "f2"), 1, kFifoArn),
                        delivery("m3", body("c1", "db.a.c", "f1"), 1, kFifoArn)}));
  // The group [m1 m2] failed with m2's effects: it comes back whole, and m3 after it.
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m1", "m2", "m3"}));
  EXPECT_EQ(received("c1", "db.a.b"), 2);
  EXPECT_EQ(metrics.count("file_received"), 0);  // reported by their next deliveries
  const json again = handle(sqs_event({delivery("m1", body("c1", "db.a.b", "f1"), 2, kFifoArn),
                                       delivery("m2", body("c1", "db.a.b", "f2"), 2, kFifoArn)}));
  EXPECT_EQ(failed_ids(again), std::vector<std::string>{});
  EXPECT_EQ(metrics.count("file_received"), 2);  // each file once in all
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(queue.sent().size(), 1u);
}

TEST_F(HandlerTest, FifoInvalidMessageAlsoStopsTheBatch) {
  status.put({"c1", "db.a.b"}, "Exported", 5);
  const json response = handle(sqs_event({record("m1", json::object(), kFifoArn),
                                          record("m2", body("c1", "db.a.b", "f2"), kFifoArn)}));
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(received("c1", "db.a.b"), 0);
}

TEST_F(HandlerTest, SingleMessageEventIsProcessed) {
  status.put({"c1", "db.a.b"}, "Exported", 5);
  EXPECT_EQ(failed_ids(handle(body("c1", "db.a.b", "f1"))), std::vector<std::string>{});
  EXPECT_EQ(received("c1", "db.a.b"), 1);
}

TEST_F(HandlerTest, SingleMessageFailureFailsTheInvocationAfterPushing) {
  EXPECT_THROW(handle(body("c1", "db.unknown.x", "f1")), CollectionNotFound);
  EXPECT_EQ(publisher.pushed, std::vector<std::string>{"c1"});
  EXPECT_THROW(handle(json{{"correlation_id", "c1"}}), InvalidMessage);
}

TEST_F(HandlerTest, AwsErrorsFailTheMessage) {
  class FailingMonitoring : public Monitoring {
   public:
    void publish(const std::string&, Deadline) override {
      throw aws::AwsError("InternalError", "boom", "req-1", 500, true);
    }
  } failing;
  BatchHandler failing_handler{
      HandlerPorts{WorkflowPorts{status, product, queue, failing, metrics, clock}, publisher,
                   tokens},
      70};
  status.put({"c1", "db.a.b"}, "Sent", 1);
  const json response = failing_handler.handle(
      sqs_event({record("m1", body("c1", "db.a.b", "f1"))}), budget_until(clock.peek() + 60'000));
  EXPECT_EQ(failed_ids(response), std::vector<std::string>{"m1"});
}

TEST_F(HandlerTest, PushesOncePerCorrelationId) {
  status.put({"c1", "db.a.b"}, "Exported", 9);
  status.put({"c2", "db.a.b"}, "Exported", 9);
  handle(
      sqs_event({record("m1", body("c1", "db.a.b", "f1")), record("m2", body("c2", "db.a.b", "f1")),
                 record("m3", body("c1", "db.a.b", "f2")),
                 record("m4", body("c2", "db.unknown.x", "f3")), record("m5", json::object())}));
  // m5 names no run: its rejection is pushed under correlation_id NOT_SET.
  EXPECT_EQ(publisher.pushed, (std::vector<std::string>{"c1", "c2", "NOT_SET"}));
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_TRUE(publisher.deleted.empty());
}

TEST_F(HandlerTest, PushFailureIsAWarningNotAFailure) {
  status.put({"c1", "db.a.b"}, "Exported", 9);
  publisher.push_failures.fail_next(1);
  log::configure(log::Settings{log::Level::Warning, "t", "t"});
  ::testing::internal::CaptureStderr();
  const json response = handle(sqs_event({record("m1", body("c1", "db.a.b", "f1"))}));
  const auto lines = parse_lines(::testing::internal::GetCapturedStderr());
  EXPECT_EQ(failed_ids(response), std::vector<std::string>{});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["log_level"], "WARNING");
  EXPECT_EQ(lines[0]["correlation_id"], "c1");
}

TEST_F(HandlerTest, SleepsOnceForTwoFinishedRunsThenDeletesBoth) {
  status.put({"c1", "db.a.b"}, "Received", 1, 1);
  status.put({"c2", "db.a.b"}, "Received", 1, 1);
  handle(sqs_event({record("m1", success_body("c1", "db.a.b")),
                    record("m2", success_body("c2", "db.a.b")),
                    record("m3", success_body("c1", "db.a.b"))}));
  EXPECT_EQ(clock.sleeps(), std::vector<std::int64_t>{70'000});
  EXPECT_EQ(publisher.deleted, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(publisher.pushed, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(monitoring.published().size(), 2u);
}

TEST_F(HandlerTest, DeleteFailureIsLoggedAndTheOtherRunsStillDeleted) {
  status.put({"c1", "db.a.b"}, "Received", 1, 1);
  status.put({"c2", "db.a.b"}, "Received", 1, 1);
  publisher.delete_failures.fail_next(1);
  const json response = handle(sqs_event(
      {record("m1", success_body("c1", "db.a.b")), record("m2", success_body("c2", "db.a.b"))}));
  EXPECT_EQ(failed_ids(response), std::vector<std::string>{});
  EXPECT_EQ(publisher.deleted, (std::vector<std::string>{"c1", "c2"}));
}

TEST_F(HandlerTest, ProcessingTimeRecordedAlsoForFailuresButNotForInvalidMessages) {
  clock.step_ms = 250;
  status.put({"c1", "db.a.b"}, "Exported", 9);
  handle(sqs_event({record("m1", body("c1", "db.a.b", "f1")),
                    record("m2", body("c1", "db.unknown.x", "f2")),
                    record("m3", json{{"correlation_id", "c1"}})}));
  const auto times = metrics.processing_times();
  ASSERT_EQ(times.size(), 2u);
  EXPECT_EQ(times[0].first, "processing_time|c1|2020-01-01|incremental");
  EXPECT_DOUBLE_EQ(times[0].second, 0.25);
  EXPECT_DOUBLE_EQ(times[1].second, 0.25);
}

TEST_F(HandlerTest, RejectedMessageLogsOneErrorLineNamingEveryBadField) {
  log::configure(log::Settings{log::Level::Error, "test-env", "test-app"});
  json bad = {{"correlation_id", "c\"1\n\xC3\xA9"}, {"collection_name", ""}, {"snapshot_type", 7}};
  ::testing::internal::CaptureStderr();
  const json response = handle(sqs_event({record("m-42", bad)}));
  const auto lines = parse_lines(::testing::internal::GetCapturedStderr());
  EXPECT_EQ(failed_ids(response), std::vector<std::string>{"m-42"});
  ASSERT_EQ(lines.size(), 1u);
  const json& line = lines[0];
  EXPECT_EQ(line["log_level"], "ERROR");
  EXPECT_EQ(line["message_id"], "m-42");
  EXPECT_EQ(line["correlation_id"], "c\"1\n\xC3\xA9");
  EXPECT_EQ(line["file_name"], "NOT_SET");
  EXPECT_EQ(line["problems"],
            "collection_name is empty; snapshot_type is not a string; export_date is missing");
  for (const char* field : {"timestamp", "log_level", "message", "environment", "application",
                            "module", "process", "thread", "hostname"}) {
    EXPECT_TRUE(line.contains(field)) << field;
  }
  EXPECT_EQ(line["environment"], "test-env");
  EXPECT_EQ(line["application"], "test-app");
}

TEST_F(HandlerTest, FailedMessageLogLineCarriesTheMessageContext) {
  log::configure(log::Settings{log::Level::Error, "e", "a"});
  ::testing::internal::CaptureStderr();
  handle(sqs_event({record("m-7", body("c1", "db.unknown.x", "dir/f\xC3\xA9.gz"))}));
  const auto lines = parse_lines(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["message_id"], "m-7");
  EXPECT_EQ(lines[0]["correlation_id"], "c1");
  EXPECT_EQ(lines[0]["collection_name"], "db.unknown.x");
  EXPECT_EQ(lines[0]["file_name"], "dir/f\xC3\xA9.gz");
  EXPECT_NE(lines[0]["error"].get<std::string>().find("db.unknown.x"), std::string::npos);
}

TEST_F(HandlerTest, InfoLogsAreValidJsonAndNeverHoldTheBody) {
  log::configure(log::Settings{log::Level::Debug, "e", "a"});
  status.put({"c1", "db.a.b"}, "Sent", 1);
  json message = body("c1", "db.a.b", "f1");
  message["secret_field"] = "do-not-log-me";
  ::testing::internal::CaptureStderr();
  handle(sqs_event({record("m1", message)}));
  const std::string text = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(text.find("do-not-log-me"), std::string::npos);
  const auto lines = parse_lines(text);
  EXPECT_GE(lines.size(), 3u);
  for (const auto& line : lines) {
    EXPECT_EQ(line["message_id"], "m1");
    EXPECT_EQ(line["correlation_id"], "c1");
  }
}

// --- owners of the pending marks ---------------------------------------------------------

TEST_F(HandlerTest, EachMessageMarksWithItsReceiptOwner) {
  status.put({"c1", "db.a.b"}, "Sent", 1);
  status.put({"c1", "db.a.c"}, "Sent", 1);
  queue.failures.fail_next(2);  // both die before their effects: their marks stay
  const std::int64_t deadline_ms = clock.peek() + 600'000;
  const json response = handler.handle(sqs_event({record("m1", body("c1", "db.a.b", "f1")),
                                                  record("m2", body("c1", "db.a.c", "f1"))}),
                                       budget_until(deadline_ms));
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(tokens.issued(), 1);
  // The message, its delivery (no ApproximateReceiveCount here: 0), the invocation's token
  // and the record's index (core/owner.hpp).
  const auto owner = [](const char* id, std::size_t index) {
    return Owner::of_delivery(EventRecord{id, 0, kStandardArn, json::object()}, "t1", index);
  };
  EXPECT_EQ(status.row({"c1", "db.a.b"}).pending, (PendingMark{deadline_ms, owner("m1", 0)}));
  EXPECT_EQ(status.row({"c1", "db.a.c"}).pending, (PendingMark{deadline_ms, owner("m2", 1)}));
}

TEST_F(HandlerTest, EveryInvocationHasItsOwnToken) {
  status.put({"c1", "db.a.b"}, "Exported", 9);
  handle(sqs_event({record("m1", body("c1", "db.a.b", "f1"))}));
  handle(sqs_event({record("m2", body("c1", "db.a.b", "f2"))}));
  EXPECT_EQ(tokens.issued(), 2);
}

// --- time: the budget's ends (core/time_budget.hpp) --------------------------------------

TEST_F(HandlerTest, MessagesEndByTheWorkEndAndThePushByTheIoEnd) {
  status.put({"c1", "db.a.b"}, "Sent", 1);
  const std::int64_t start = clock.peek();
  const TimeBudget time = budget(start + 7'000, start + 9'000, start + 10'000);
  handler.handle(sqs_event({record("m1", body("c1", "db.a.b", "f1")),
                            record("m2", body("c1", "db.a.b", "f2"))}),
                 time);
  const std::vector<Deadline> table_calls = status.deadlines.all();
  ASSERT_FALSE(table_calls.empty());
  for (const Deadline deadline : table_calls) EXPECT_EQ(deadline, time.work_end);
  ASSERT_FALSE(queue.deadlines.all().empty());
  for (const Deadline deadline : queue.deadlines.all()) EXPECT_EQ(deadline, time.work_end);
  for (const Deadline deadline : product.deadlines.all()) EXPECT_EQ(deadline, time.work_end);
  for (const Deadline deadline : monitoring.deadlines.all()) EXPECT_EQ(deadline, time.work_end);
  EXPECT_EQ(publisher.push_deadlines, std::vector<Deadline>{time.io_end});
}

TEST_F(HandlerTest, ThePendingMarksCarryLambdasDeadlineNotTheWorkEnd) {
  // The invocation may live until Lambda's deadline: nobody may take its effects over before.
  const std::int64_t start = clock.peek();
  status.put({"c1", "db.a.b"}, "Sent", 1);
  queue.failures.fail_next(1);
  handler.handle(sqs_event({record("m1", body("c1", "db.a.b", "f1"))}),
                 budget(start + 7'000, start + 9'000, start + 10'000));
  EXPECT_EQ(status.row({"c1", "db.a.b"}).pending->until_ms, start + 10'000);
}

TEST_F(HandlerTest, ARequestThatUsesUpTheWorkTimeStillLeavesThePush) {
  // A request held until the work end (the AWS layer gives up there): the message fails,
  // its counts so far are pushed all the same, within the reserve.
  // Four collections, so four units in batch order: m2's transition uses up the time.
  status.put({"c1", "db.a.b"}, "Exported", 2);
  status.put({"c1", "db.a.c"}, "Sent", 1);
  status.put({"c1", "db.a.d"}, "Exported", 2);
  status.put({"c1", "db.a.e"}, "Exported", 2);
  const std::int64_t start = clock.peek();
  const TimeBudget time = budget(start + 3'000, start + 4'000, start + 5'000);
  std::int64_t pushed_at_ms = 0;
  status.before_next_transition([&] {
    clock.set(start + 3'000);
    throw std::runtime_error("DeadlineExceeded: the invocation deadline passed");
  });
  publisher.on_push = [&] { pushed_at_ms = clock.peek(); };
  log::configure(log::Settings{log::Level::Warning, "t", "t"});
  ::testing::internal::CaptureStderr();
  const json response = handler.handle(
      sqs_event({record("m1", body("c1", "db.a.b", "f1")), record("m2", body("c1", "db.a.c", "f1")),
                 record("m3", body("c1", "db.a.d", "f2")),
                 record("m4", body("c1", "db.a.e", "f3"))}),
      time);
  const auto lines = parse_lines(::testing::internal::GetCapturedStderr());
  // m3 and m4 are returned without a try: every AWS call would fail at once.
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m2", "m3", "m4"}));
  EXPECT_EQ(received("c1", "db.a.b"), 1);
  EXPECT_EQ(publisher.pushed, std::vector<std::string>{"c1"});
  EXPECT_EQ(publisher.push_deadlines, std::vector<Deadline>{time.io_end});
  EXPECT_EQ(pushed_at_ms, start + 3'000);  // the reserve is intact: a second before io_end
  // m2 was counted but failed: its next delivery reports the file.
  EXPECT_EQ(metrics.count("file_received"), 1);
  EXPECT_EQ(metrics.processing_times().size(), 2u);  // m3 and m4 were not processed
  ASSERT_EQ(lines.size(), 2u);                       // m2's ERROR, then one WARNING for the rest
  EXPECT_EQ(lines[0]["log_level"], "ERROR");
  EXPECT_EQ(lines[1]["log_level"], "WARNING");
  EXPECT_EQ(lines[1]["messages_returned"], "2");
}

TEST_F(HandlerTest, OutOfTimeFifoBatchIsReturnedWholeInOrder) {
  status.put({"c1", "db.a.b"}, "Exported", 9);
  const json response =
      handler.handle(sqs_event({record("m1", body("c1", "db.a.b", "f1"), kFifoArn),
                                record("m2", body("c1", "db.a.b", "f2"), kFifoArn)}),
                     budget_until(clock.peek()));
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(received("c1", "db.a.b"), 0);
}

TEST_F(HandlerTest, OutOfTimeSingleMessageEventIsStillTriedAndFailsTheInvocation) {
  // Without a message id there is no item to return: the invocation's own failure says it.
  status.before_next_transition([] { throw std::runtime_error("DeadlineExceeded"); });
  status.put({"c1", "db.a.b"}, "Sent", 1);
  EXPECT_THROW(handler.handle(body("c1", "db.a.b", "f1"), budget_until(clock.peek())),
               std::runtime_error);
  EXPECT_EQ(received("c1", "db.a.b"), 1);
}

TEST_F(HandlerTest, TheScrapeWaitEndsAtTheWorkEndWithAWarning) {
  status.put({"c1", "db.a.b"}, "Received", 1, 1);
  const std::int64_t start = clock.peek();
  const TimeBudget time = budget(start + 8'000, start + 9'000, start + 10'000);
  log::configure(log::Settings{log::Level::Warning, "t", "t"});
  ::testing::internal::CaptureStderr();
  handler.handle(sqs_event({record("m1", success_body("c1", "db.a.b"))}), time);
  const auto lines = parse_lines(::testing::internal::GetCapturedStderr());
  EXPECT_EQ(clock.sleeps(), std::vector<std::int64_t>{8'000});  // up to the work end, not 70 s
  EXPECT_EQ(publisher.deleted, std::vector<std::string>{"c1"});
  EXPECT_EQ(publisher.delete_deadlines, std::vector<Deadline>{time.io_end});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["log_level"], "WARNING");
  EXPECT_NE(lines[0]["message"].get<std::string>().find("Scrape wait shortened"),
            std::string::npos);
  EXPECT_EQ(lines[0]["wait_ms"], "8000");
  EXPECT_EQ(lines[0]["scrape_interval_seconds"], "70");
}

TEST_F(HandlerTest, NoTimeLeftForTheScrapeWaitStillDeletes) {
  status.put({"c1", "db.a.b"}, "Received", 1, 1);
  const std::int64_t start = clock.peek();
  // Processing runs into the reserve.
  status.before_next_transition([&] { clock.set(start + 9'500); });
  handler.handle(sqs_event({record("m1", success_body("c1", "db.a.b"))}),
                 budget(start + 8'000, start + 10'000, start + 11'000));
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_EQ(publisher.pushed, std::vector<std::string>{"c1"});
  EXPECT_EQ(publisher.deleted, std::vector<std::string>{"c1"});
}

TEST_F(HandlerTest, AFullScrapeWaitThatFitsIsNotShortened) {
  status.put({"c1", "db.a.b"}, "Received", 1, 1);
  log::configure(log::Settings{log::Level::Warning, "t", "t"});
  ::testing::internal::CaptureStderr();
  // 74 s: a second of response margin and three of reserve leave the 70 s.
  handler.handle(sqs_event({record("m1", success_body("c1", "db.a.b"))}),
                 budget_until(clock.peek() + 74'000));
  EXPECT_TRUE(::testing::internal::GetCapturedStderr().empty());
  EXPECT_EQ(clock.sleeps(), std::vector<std::int64_t>{70'000});
}

// --- metrics that add up over deliveries (core/owner.hpp) -------------------------------

TEST_F(HandlerTest, WhatAFailedDeliveryDidIsReportedOnceByTheNextDelivery) {
  status.put({"c1", "db.a.b"}, "Exported", 1);
  queue.failures.fail_next(1);  // counted and moved to Received, then the send fails
  const json m1 = body("c1", "db.a.b", "f1");
  EXPECT_EQ(failed_ids(handle(sqs_event({delivery("m1", m1, 1)}))), std::vector<std::string>{"m1"});
  EXPECT_EQ(metrics.count("file_received"), 0);
  EXPECT_EQ(metrics.count("collection_received"), 0);
  // SQS hands it out again: the file is not counted again in the table, but this delivery
  // reports it, and takes over the effects its earlier self left (no need to wait for its
  // deadline: SQS gave the message out again, so that delivery is over).
  EXPECT_TRUE(failed_ids(handle(sqs_event({delivery("m1", m1, 2)}))).empty());
  EXPECT_EQ(received("c1", "db.a.b"), 1);
  EXPECT_EQ(metrics.count("file_received"), 1);
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(metrics.count("all_collections_received"), 1);
  EXPECT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(monitoring.published().size(), 1u);
}

TEST_F(HandlerTest, TheSameDeliveryReplayedIsReportedOnlyOnce) {
  status.put({"c1", "db.a.b"}, "Exported", 1);
  const json event = sqs_event({delivery("m1", body("c1", "db.a.b", "f1"), 1)});
  EXPECT_TRUE(failed_ids(handle(event)).empty());
  EXPECT_TRUE(failed_ids(handle(event)).empty());
  EXPECT_EQ(received("c1", "db.a.b"), 1);
  EXPECT_EQ(metrics.count("file_received"), 1);
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(metrics.count("all_collections_received"), 1);
}

TEST_F(HandlerTest, ADifferentMessageForTheSameFileIsNotReportedAgain) {
  status.put({"c1", "db.a.b"}, "Exported", 2);
  const json f1 = body("c1", "db.a.b", "f1");
  handle(sqs_event({delivery("m1", f1, 1)}));
  handle(sqs_event({delivery("m2", f1, 2)}));  // a duplicate sent by NiFi, redelivered
  EXPECT_EQ(received("c1", "db.a.b"), 1);
  EXPECT_EQ(metrics.count("file_received"), 1);
}

TEST_F(HandlerTest, FailedAndRejectedDeliveriesAreCountedUnderTheirRun) {
  status.put({"c1", "db.a.b"}, "Exported", 9);
  json no_date = body("c1", "db.a.b", "f3");
  no_date.erase("export_date");
  const json response =
      handle(sqs_event({record("m1", body("c1", "db.a.b", "f1")),
                        record("m2", body("c1", "db.unknown.x", "f2")), record("m3", no_date),
                        record("m4", "not json"), record("m5", json{{"correlation_id", 5}})}));
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m2", "m3", "m4", "m5"}));
  EXPECT_EQ(metrics.count_exact("message_failed|c1|2020-01-01|incremental"), 1);
  // What the body names, NOT_SET for the rest.
  EXPECT_EQ(metrics.count_exact("message_rejected|c1|NOT_SET|incremental"), 1);
  EXPECT_EQ(metrics.count_exact("message_rejected|NOT_SET|NOT_SET|NOT_SET"), 2);
  EXPECT_EQ(metrics.count("message_failed"), 1);
  EXPECT_EQ(metrics.count("message_rejected"), 3);
  EXPECT_EQ(publisher.pushed, (std::vector<std::string>{"c1", "NOT_SET"}));
}

TEST_F(HandlerTest, ASucceededDeliveryCountsNeitherFailedNorRejected) {
  status.put({"c1", "db.a.b"}, "Exported", 9);
  handle(sqs_event({record("m1", body("c1", "db.a.b", "f1"))}));
  EXPECT_EQ(metrics.count("message_failed"), 0);
  EXPECT_EQ(metrics.count("message_rejected"), 0);
}

}  // namespace
}  // namespace ssc::core
