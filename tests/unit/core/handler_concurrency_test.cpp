// The batch handler with more than one worker: the messages of a standard queue's batch
// overlap (a latch proves it: it opens only when every message is inside the table at
// once), on no more threads than allowed, each with the invocation's log context and I/O
// deadline; failures are still reported, in input order; a FIFO batch stays one at a time.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/handler.hpp"
#include "core/owner.hpp"
#include "fakes.hpp"
#include "log/log.hpp"
#include "sqs_events.hpp"

namespace ssc::core {
namespace {

using nlohmann::json;
using testing::body;
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
using testing::success_body;

// Opens when `expected` threads have arrived. A caller that waits longer than `limit`
// breaks it open for everyone: a handler that runs the messages one at a time then fails
// the test once, instead of hanging it or making every message wait out the limit.
class TimedLatch {
 public:
  explicit TimedLatch(int expected) : expected_(expected) {}

  // True when every expected thread arrived within the limit.
  bool arrive_and_wait(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    std::unique_lock lock(mutex_);
    ++arrived_;
    opened_.notify_all();
    if (opened_.wait_for(lock, limit, [&] { return broken_ || arrived_ >= expected_; })) {
      return !broken_;
    }
    broken_ = true;
    opened_.notify_all();
    return false;
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  int expected_;
  int arrived_ = 0;
  bool broken_ = false;
};

// The fake table, with a gate in front of count_files: records what happens there (threads,
// order, how many at once, the deadline each call was given) and may hold callers at a latch.
class GatedStatusTable : public StatusTable {
 public:
  explicit GatedStatusTable(FakeStatusTable& table) : table_(table) {}

  GroupCount count_files(const CollectionKey& key, const std::vector<FileToCount>& files,
                         Deadline deadline) override {
    struct InFlight {
      GatedStatusTable& self;
      explicit InFlight(GatedStatusTable& s) : self(s) {
        const std::lock_guard lock(self.mutex_);
        self.max_in_flight_ = std::max(self.max_in_flight_, ++self.in_flight_);
      }
      ~InFlight() {
        const std::lock_guard lock(self.mutex_);
        --self.in_flight_;
      }
    } in_flight(*this);
    {
      const std::lock_guard lock(mutex_);
      collections_.push_back(key.collection_name);
      threads_.insert(std::this_thread::get_id());
      deadlines_.push_back(deadline);
    }
    if (latch && !latch->arrive_and_wait()) {
      const std::lock_guard lock(mutex_);
      latch_timed_out_ = true;
    }
    return table_.count_files(key, files, deadline);
  }

  std::optional<CollectionRow> read(const CollectionKey& key, Deadline deadline) override {
    return table_.read(key, deadline);
  }
  bool transition(const CollectionKey& key, const std::vector<std::string>& from,
                  const std::string& to, std::string_view not_while_pending_at,
                  const PendingMark& mine, Deadline deadline) override {
    return table_.transition(key, from, to, not_while_pending_at, mine, deadline);
  }
  bool take_over(const CollectionKey& key, const PendingMark& seen, const PendingMark& mine,
                 Deadline deadline) override {
    return table_.take_over(key, seen, mine, deadline);
  }
  void remove_mark(const CollectionKey& key, const Owner& owner, Stage stage, bool run_notified,
                   Deadline deadline) override {
    table_.remove_mark(key, owner, stage, run_notified, deadline);
  }
  std::vector<std::string> run_statuses(const std::string& correlation_id,
                                        Deadline deadline) override {
    return table_.run_statuses(correlation_id, deadline);
  }

  int max_in_flight() {
    const std::lock_guard lock(mutex_);
    return max_in_flight_;
  }
  bool latch_timed_out() {
    const std::lock_guard lock(mutex_);
    return latch_timed_out_;
  }
  std::vector<std::string> collections() {
    const std::lock_guard lock(mutex_);
    return collections_;
  }
  std::size_t thread_count() {
    const std::lock_guard lock(mutex_);
    return threads_.size();
  }
  std::vector<Deadline> deadlines() {
    const std::lock_guard lock(mutex_);
    return deadlines_;
  }

  std::unique_ptr<TimedLatch> latch;  // set before handle(), when callers must meet

 private:
  FakeStatusTable& table_;
  std::mutex mutex_;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
  bool latch_timed_out_ = false;
  std::vector<std::string> collections_;
  std::set<std::thread::id> threads_;
  std::vector<Deadline> deadlines_;
};

std::string collection(int i) { return "db.c." + std::to_string(i); }

class HandlerConcurrencyTest : public ::testing::Test {
 protected:
  static constexpr std::size_t kWorkers = 10;

  void SetUp() override { log::configure(log::Settings{log::Level::Critical, "t", "t"}); }
  void TearDown() override { log::configure(log::Settings{}); }

  // `count` independent files of one run, each in its own collection (Exported, far from
  // received: counting is all they do).
  json standard_batch(int count, const char* arn = kStandardArn) {
    std::vector<json> records;
    for (int i = 0; i < count; ++i) {
      status.put({"c1", collection(i)}, "Exported", 1000);
      records.push_back(record("m" + std::to_string(i), body("c1", collection(i), "f"), arn));
    }
    return {{"Records", records}};
  }

  json handle(const json& event) {
    return handler.handle(event, budget_until(clock.peek() + 600'000));
  }
  TimeBudget budget_until(std::int64_t lambda_ms) { return TimeBudget::starting(lambda_ms, clock); }

  FakeStatusTable status;
  GatedStatusTable gated{status};
  FakeProductTable product;
  FakeQueue queue;
  FakeMonitoring monitoring;
  FakeMetrics metrics;
  FakeClock clock;
  FakeMetricsPublisher publisher;
  FakeOwnerTokens tokens;
  BatchHandler handler{
      HandlerPorts{WorkflowPorts{gated, product, queue, monitoring, metrics, clock}, publisher,
                   tokens},
      70, kWorkers};
};

TEST_F(HandlerConcurrencyTest, TheMessagesOfAStandardBatchOverlap) {
  gated.latch = std::make_unique<TimedLatch>(10);
  const json response = handle(standard_batch(10));
  EXPECT_FALSE(gated.latch_timed_out()) << "the ten messages were never in the table at once";
  EXPECT_EQ(gated.max_in_flight(), 10);
  EXPECT_EQ(gated.thread_count(), 10u);
  EXPECT_EQ(failed_ids(response), std::vector<std::string>{});
  for (int i = 0; i < 10; ++i) EXPECT_EQ(status.row({"c1", collection(i)}).files_received, 1);
}

TEST_F(HandlerConcurrencyTest, TheThreadsStayForTheNextBatch) {
  gated.latch = std::make_unique<TimedLatch>(10);
  handle(standard_batch(10));
  gated.latch = std::make_unique<TimedLatch>(10);
  json second = standard_batch(10);
  for (auto& r : second["Records"]) r["body"]["file_name"] = "second";
  handle(second);
  EXPECT_FALSE(gated.latch_timed_out());
  EXPECT_EQ(gated.thread_count(), 10u);  // the same ten threads twice
  EXPECT_EQ(metrics.count("file_received"), 20);
}

TEST_F(HandlerConcurrencyTest, NoMoreThreadsThanTheBoundHowBigTheBatch) {
  BatchHandler four{HandlerPorts{WorkflowPorts{gated, product, queue, monitoring, metrics, clock},
                                 publisher, tokens},
                    70, 4};
  gated.latch = std::make_unique<TimedLatch>(4);  // the first four meet, the rest pass
  const json response = four.handle(standard_batch(25), budget_until(clock.peek() + 600'000));
  EXPECT_FALSE(gated.latch_timed_out());
  EXPECT_EQ(gated.max_in_flight(), 4);
  EXPECT_LE(gated.thread_count(), 4u);
  EXPECT_EQ(failed_ids(response), std::vector<std::string>{});
  EXPECT_EQ(metrics.count("file_received"), 25);
}

// Threads: one per unit that waits on I/O at most, the calling thread included. A rejected
// record is a unit of its own but waits on nothing, so it gets no thread.

TEST_F(HandlerConcurrencyTest, TenFilesOfOneCollectionStartNoThread) {
  status.put({"c1", "db.one"}, "Exported", 1000);
  std::vector<json> records;
  for (int i = 0; i < 10; ++i) {
    records.push_back(
        record("m" + std::to_string(i), body("c1", "db.one", "f" + std::to_string(i))));
  }
  const json response = handle({{"Records", records}});
  EXPECT_EQ(failed_ids(response), std::vector<std::string>{});
  EXPECT_EQ(status.row({"c1", "db.one"}).files_received, 10);
  EXPECT_EQ(handler.worker_threads(), 0u);
  EXPECT_EQ(gated.thread_count(), 1u);
}

TEST_F(HandlerConcurrencyTest, RejectedRecordsBesideOneGroupStartNoThread) {
  json event = standard_batch(1);
  event["Records"].push_back(record("bad1", json{{"correlation_id", "c1"}}));
  event["Records"].push_back(record("bad2", "{not json"));
  const json response = handle(event);
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"bad1", "bad2"}));
  EXPECT_EQ(status.row({"c1", collection(0)}).files_received, 1);
  EXPECT_EQ(handler.worker_threads(), 0u);
}

TEST_F(HandlerConcurrencyTest, NoMoreThreadsThanUnitsThatWaitOnIo) {
  json event = standard_batch(3);
  for (int i = 0; i < 4; ++i) {
    event["Records"].push_back(record("bad" + std::to_string(i), json{{"correlation_id", "c1"}}));
  }
  gated.latch = std::make_unique<TimedLatch>(3);  // the three groups still overlap
  const json response = handle(event);
  EXPECT_FALSE(gated.latch_timed_out());
  EXPECT_EQ(failed_ids(response).size(), 4u);
  EXPECT_EQ(handler.worker_threads(), 2u);  // the calling thread is the third
}

TEST_F(HandlerConcurrencyTest, FailuresAreStillReportedInInputOrder) {
  json event = standard_batch(8);
  // Unknown collection (CollectionNotFound), invalid message, body that is no JSON: each
  // fails only itself, wherever it ran.
  event["Records"][1] = record("m1", body("c1", "db.unknown", "f"));
  event["Records"][4] = record("m4", json{{"correlation_id", "c1"}});
  event["Records"][6] = record("m6", "{not json");
  gated.latch = std::make_unique<TimedLatch>(6);  // the six that reach the table
  const json response = handle(event);
  EXPECT_FALSE(gated.latch_timed_out());
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m1", "m4", "m6"}));
  for (int i : {0, 2, 3, 5, 7}) EXPECT_EQ(status.row({"c1", collection(i)}).files_received, 1);
  // m6 names no run: its rejection is pushed under NOT_SET, after the runs seen before it.
  EXPECT_EQ(publisher.pushed, (std::vector<std::string>{"c1", "NOT_SET"}));
  EXPECT_EQ(metrics.count("message_failed"), 1);
  EXPECT_EQ(metrics.count("message_rejected"), 2);
}

TEST_F(HandlerConcurrencyTest, AFifoBatchStaysOneAtATimeAndStopsAtTheFirstFailure) {
  json event = standard_batch(6, kFifoArn);
  event["Records"][2] = record("m2", body("c1", "db.unknown", "f"), kFifoArn);
  const json response = handle(event);
  EXPECT_EQ(gated.max_in_flight(), 1);
  EXPECT_EQ(gated.collections(),
            (std::vector<std::string>{collection(0), collection(1), "db.unknown"}));
  EXPECT_EQ(failed_ids(response), (std::vector<std::string>{"m2", "m3", "m4", "m5"}));
  for (int i : {3, 4, 5}) EXPECT_EQ(status.row({"c1", collection(i)}).files_received, 0);
}

TEST_F(HandlerConcurrencyTest, EveryWorkerLogsWithTheInvocationsContext) {
  log::configure(log::Settings{log::Level::Error, "e", "a"});
  json event = standard_batch(5);
  for (int i = 0; i < 5; ++i) {  // every message fails, in the table, all at once
    event["Records"][i] =
        record("m" + std::to_string(i), body("c1", "db.x" + std::to_string(i), "f"));
  }
  gated.latch = std::make_unique<TimedLatch>(5);
  ::testing::internal::CaptureStderr();
  {
    const log::LogContext invocation(log::Fields{{"aws_request_id", "req-42"}});
    handle(event);
  }
  std::istringstream text(::testing::internal::GetCapturedStderr());
  std::set<std::string> message_ids;
  std::set<long long> threads;
  std::string line;
  while (std::getline(text, line)) {
    const json entry = json::parse(line);
    EXPECT_EQ(entry["aws_request_id"], "req-42") << line;
    EXPECT_EQ(entry["correlation_id"], "c1") << line;
    message_ids.insert(entry["message_id"].get<std::string>());
    threads.insert(entry["thread"].get<long long>());
  }
  EXPECT_FALSE(gated.latch_timed_out());
  EXPECT_EQ(message_ids, (std::set<std::string>{"m0", "m1", "m2", "m3", "m4"}));
  EXPECT_EQ(threads.size(), 5u);
}

TEST_F(HandlerConcurrencyTest, EveryWorkerEndsByTheWorkEnd) {
  gated.latch = std::make_unique<TimedLatch>(10);
  const TimeBudget time = budget_until(clock.peek() + 600'000);
  handler.handle(standard_batch(10), time);
  const auto deadlines = gated.deadlines();
  ASSERT_EQ(deadlines.size(), 10u);
  for (const Deadline deadline : deadlines) EXPECT_EQ(deadline, time.work_end);
}

TEST_F(HandlerConcurrencyTest, EachMessageKeepsItsOwnMarkIndex) {
  std::vector<json> records;
  for (int i = 0; i < 6; ++i) {
    status.put({"c1", collection(i)}, "Sent", 1);
    records.push_back(record("m" + std::to_string(i), body("c1", collection(i), "f")));
  }
  queue.failures.fail_next(6);  // every one dies before its effect: the marks stay
  const std::int64_t deadline_ms = clock.peek() + 600'000;
  const json response = handler.handle({{"Records", records}}, budget_until(deadline_ms));
  EXPECT_EQ(failed_ids(response).size(), 6u);
  EXPECT_EQ(tokens.issued(), 1);
  for (int i = 0; i < 6; ++i) {
    const EventRecord delivered{"m" + std::to_string(i), 0, kStandardArn, json::object()};
    EXPECT_EQ(status.row({"c1", collection(i)}).pending,
              (PendingMark{deadline_ms, Owner::of_delivery(delivered, "t1", i)}));
  }
}

TEST_F(HandlerConcurrencyTest, PushesOncePerRunAfterEveryMessageInOrderOfFirstAppearance) {
  std::vector<json> records;
  for (int i = 0; i < 9; ++i) {
    const std::string run = i % 3 == 0 ? "c3" : (i % 3 == 1 ? "c1" : "c2");
    status.put({run, collection(i)}, "Exported", 1000);
    records.push_back(record("m" + std::to_string(i), body(run, collection(i), "f")));
  }
  int counted_at_push = -1;
  publisher.on_push = [&] {
    if (counted_at_push < 0) counted_at_push = metrics.count("file_received");
  };
  gated.latch = std::make_unique<TimedLatch>(9);
  handle({{"Records", records}});
  EXPECT_EQ(publisher.pushed, (std::vector<std::string>{"c3", "c1", "c2"}));
  EXPECT_EQ(counted_at_push, 9);
}

TEST_F(HandlerConcurrencyTest, OneRunFinishedByTwoConcurrentSuccessFilesIsDeletedOnce) {
  status.put({"c1", "db.a.b"}, "Received", 1, 1);
  status.put({"c2", "db.a.b"}, "Received", 1, 1);
  const json response = handle(
      {{"Records",
        {record("m1", success_body("c2", "db.a.b")), record("m2", success_body("c1", "db.a.b")),
         record("m3", success_body("c2", "db.a.b"))}}});
  EXPECT_EQ(failed_ids(response), std::vector<std::string>{});
  EXPECT_EQ(clock.sleeps().size(), 1u);
  EXPECT_EQ(publisher.deleted, (std::vector<std::string>{"c2", "c1"}));
  EXPECT_EQ(monitoring.published().size(), 2u);  // one "all successful" per run
}

TEST_F(HandlerConcurrencyTest, AnEventThatIsItselfTheMessageStillFailsTheInvocation) {
  EXPECT_THROW(handle(body("c1", "db.unknown", "f")), CollectionNotFound);
  EXPECT_EQ(publisher.pushed, std::vector<std::string>{"c1"});
}

}  // namespace
}  // namespace ssc::core
