#include "core/workflow.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "core/payloads.hpp"
#include "core/rules.hpp"
#include "fakes.hpp"

namespace ssc::core {
namespace {

using testing::FakeClock;
using testing::FakeMetrics;
using testing::FakeMonitoring;
using testing::FakeProductTable;
using testing::FakeQueue;
using testing::FakeStatusTable;
using testing::Write;

constexpr const char* kCorr = "corr-1";
constexpr const char* kColl = "db.database.collection";
constexpr const char* kOther = "db.database.other";

class WorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override { log::configure(log::Settings{log::Level::Critical, "t", "t"}); }
  void TearDown() override { log::configure(log::Settings{}); }

  static Message file(const std::string& collection, const std::string& file_name) {
    Message m;
    m.correlation_id = kCorr;
    m.collection_name = collection;
    m.snapshot_type = "incremental";
    m.export_date = "2020-01-01";
    m.file_name = file_name;
    return m;
  }
  static Message success_file(const std::string& collection) {
    Message m = file(collection, collection + "/_success");
    m.is_success_file = true;
    return m;
  }
  static CollectionKey key(const std::string& collection) { return {kCorr, collection}; }

  // This invocation's deadline: a minute after "now".
  std::int64_t deadline() const { return clock.peek() + 60'000; }
  // A mark with an owner no other call uses, as the handler gives each message.
  PendingMark mark() { return mark(deadline()); }
  PendingMark mark(std::int64_t deadline_ms) {
    return {deadline_ms, "owner-" + std::to_string(++marks_made_)};
  }
  Outcome run(const Message& m) { return workflow.process(m, mark()); }
  Outcome run(const Message& m, const PendingMark& mine) { return workflow.process(m, mine); }

  FakeStatusTable status;
  FakeProductTable product;
  FakeQueue queue;
  FakeMonitoring monitoring;
  FakeMetrics metrics;
  FakeClock clock;
  // Every port call ends by then (here, a minute after the fake clock's start).
  const Deadline work_end = FakeClock::steady_at(clock.peek() + 60'000);
  Workflow workflow{WorkflowPorts{status, product, queue, monitoring, metrics, clock}, work_end};

 private:
  std::atomic<int> marks_made_{0};
};

TEST_F(WorkflowTest, EveryPortCallEndsByTheWorkflowsDeadline) {
  // The last file and the _success file: every port is called, each with the work end.
  status.put(key(kColl), "Exported", 1, 0);
  run(file(kColl, "f1"));
  status.put(key(kColl), "Received", 1, 1);
  run(success_file(kColl));
  for (auto* seen :
       {&status.deadlines, &product.deadlines, &queue.deadlines, &monitoring.deadlines}) {
    const std::vector<Deadline> deadlines = seen->all();
    ASSERT_FALSE(deadlines.empty());
    for (const Deadline deadline : deadlines) EXPECT_EQ(deadline, work_end);
  }
}

TEST_F(WorkflowTest, FileCountedCollectionNotComplete) {
  status.put(key(kColl), "Exported", 3, 0);
  run(file(kColl, "f1"));
  EXPECT_EQ(status.transitions(), 0);
  EXPECT_EQ(status.row(key(kColl)).files_received, 1);
  EXPECT_EQ(status.row(key(kColl)).status, "Exported");
  EXPECT_EQ(
      metrics.count_exact("file_received|corr-1|2020-01-01|incremental|" + std::string(kColl)), 1);
  EXPECT_TRUE(queue.sent().empty());
  EXPECT_EQ(status.reads(), 0);  // a normal file that completes nothing: one table call
}

TEST_F(WorkflowTest, CompleteFromExportedSendsExportStateMessage) {
  status.put(key(kColl), "Exported", 2, 1);
  const PendingMark mine = mark();
  run(file(kColl, "f2"), mine);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
  const CollectionRow row = status.row(key(kColl));
  EXPECT_EQ(row.files_received, 2);
  EXPECT_EQ(row.status, "Received");
  EXPECT_EQ(row.pending, std::nullopt);  // effects done, mark cleared
  ASSERT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(queue.sent()[0].body, export_state_body(file(kColl, "f2")));
  EXPECT_EQ(queue.sent()[0].group_id, "db_database_collection");
  EXPECT_EQ(queue.sent()[0].deduplication_id, export_state_deduplication_id(kCorr, kColl));
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(status.reads(), 0);
}

TEST_F(WorkflowTest, CompleteFromSent) {
  status.put(key(kColl), "Sent", 1, 0);
  const PendingMark mine = mark();
  run(file(kColl, "f1"), mine);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
  EXPECT_EQ(status.row(key(kColl)).status, "Received");
  EXPECT_EQ(queue.sent().size(), 1u);
}

TEST_F(WorkflowTest, MoreReceivedThanExportedStillCompletes) {
  status.put(key(kColl), "Sent", 3, 7);
  const PendingMark mine = mark();
  run(file(kColl, "f8"), mine);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
  EXPECT_EQ(status.row(key(kColl)).files_received, 8);
}

TEST_F(WorkflowTest, NotReadyStatusesNeverTransition) {
  for (const char* s : {"Exporting", "Received", "Success", "Export_Failed", "Table_Unavailable",
                        "Blocked_Topic", ""}) {
    status.put(key(kColl), s, 1, 5);
    run(file(kColl, std::string("file-for-") + s));
    EXPECT_EQ(status.row(key(kColl)).files_received, 6) << s;
    EXPECT_EQ(status.row(key(kColl)).status, s);
  }
  EXPECT_EQ(status.transitions(), 0);
  EXPECT_TRUE(queue.sent().empty());
  EXPECT_TRUE(monitoring.published().empty());
}

TEST_F(WorkflowTest, MissingFilesExportedNeverCompletes) {
  status.put(key(kColl), "Exported", std::nullopt, 10);
  run(file(kColl, "f"));
  EXPECT_EQ(status.transitions(), 0);
}

TEST_F(WorkflowTest, DuplicateDeliveryIsNotCountedAgain) {
  status.put(key(kColl), "Exported", 5, 0);
  run(file(kColl, "f1"));
  EXPECT_EQ(metrics.count("file_received"), 1);
  run(file(kColl, "f1"));
  EXPECT_EQ(status.row(key(kColl)).files_received, 1);
  EXPECT_EQ(metrics.count("file_received"), 1);
}

TEST_F(WorkflowTest, DuplicateOfTheLastFileDoesNotCompleteEarly) {
  status.put(key(kColl), "Exported", 2, 0);
  run(file(kColl, "f1"));
  run(file(kColl, "f1"));
  EXPECT_EQ(status.row(key(kColl)).status, "Exported");
  const PendingMark mine = mark();
  run(file(kColl, "f2"), mine);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
}

TEST_F(WorkflowTest, FilesWithoutNameAreCountedEveryTime) {
  status.put(key(kColl), "Exported", 5, 0);
  run(file(kColl, kFileNameNotSet));
  run(file(kColl, kFileNameNotSet));
  EXPECT_EQ(status.row(key(kColl)).files_received, 2);
  EXPECT_EQ(metrics.count("file_received"), 2);
}

TEST_F(WorkflowTest, UnknownCollectionFails) {
  EXPECT_THROW(run(file(kColl, "f1")), CollectionNotFound);
  EXPECT_THROW(run(success_file(kColl)), CollectionNotFound);
}

TEST_F(WorkflowTest, LastCollectionReceivedNotifiesAndSetsProductReceived) {
  status.put(key(kOther), "Received", 1, 1);
  status.put(key(kColl), "Sent", 1, 0);
  const Outcome outcome = run(file(kColl, "f1"));
  EXPECT_TRUE(outcome.run_stage_reached);
  EXPECT_TRUE(outcome.notified);
  EXPECT_FALSE(outcome.run_finished);
  ASSERT_EQ(monitoring.published().size(), 1u);
  EXPECT_EQ(monitoring.published()[0],
            monitoring_message(file(kColl, "f1"), kAllCollectionsReceived));
  ASSERT_TRUE(product.row(kCorr));
  EXPECT_EQ(product.row(kCorr)->status, "RECEIVED");
  EXPECT_EQ(product.row(kCorr)->pending, std::nullopt);
  EXPECT_EQ(metrics.count("all_collections_received"), 1);
}

TEST_F(WorkflowTest, SuccessRowsCountAsReceivedForTheRun) {
  status.put(key(kOther), "Success", 1, 1);
  status.put(key(kColl), "Exported", 1, 0);
  EXPECT_TRUE(run(file(kColl, "f1")).notified);
}

TEST_F(WorkflowTest, NotLastCollectionDoesNotNotify) {
  status.put(key(kOther), "Sent", 2, 1);
  status.put(key(kColl), "Sent", 1, 0);
  const PendingMark mine = mark();
  const Outcome outcome = run(file(kColl, "f1"), mine);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
  EXPECT_FALSE(outcome.run_stage_reached);
  EXPECT_TRUE(monitoring.published().empty());
  EXPECT_FALSE(product.row(kCorr));
}

TEST_F(WorkflowTest, SuccessFromReceivedAndFromSent) {
  status.put(key(kColl), "Received", 1, 1);
  status.put(key(kOther), "Sent", 1, 1);
  const PendingMark first_mark = mark();
  const Outcome first = run(success_file(kColl), first_mark);
  EXPECT_FALSE(first.run_finished);
  EXPECT_EQ(status.row(key(kColl)).status, "Success");
  EXPECT_EQ(status.row(key(kColl)).pending, std::nullopt);
  const PendingMark second_mark = mark();
  run(success_file(kOther), second_mark);
  EXPECT_EQ(status.transitioned_by(), (std::vector<Owner>{first_mark.owner, second_mark.owner}));
  EXPECT_EQ(status.row(key(kOther)).status, "Success");
  EXPECT_EQ(metrics.count("collection_successful"), 2);
  EXPECT_TRUE(queue.sent().empty());  // a success file sends nothing to the export-state queue
}

TEST_F(WorkflowTest, SuccessFromOtherStatusesDoesNothing) {
  for (const char* s : {"Exporting", "Exported", "Success", "Export_Failed", "Table_Unavailable",
                        "Blocked_Topic"}) {
    status.put(key(kColl), s, 1, 1);
    const Outcome outcome = run(success_file(kColl));
    EXPECT_FALSE(outcome.effects_taken_over) << s;
    EXPECT_EQ(status.row(key(kColl)).status, s);
  }
  EXPECT_EQ(status.transitions(), 0);
  EXPECT_TRUE(monitoring.published().empty());
  EXPECT_EQ(metrics.count("collection_successful"), 0);
}

TEST_F(WorkflowTest, LastSuccessCompletesTheRun) {
  status.put(key(kOther), "Success", 1, 1);
  status.put(key(kColl), "Received", 1, 1);
  const Outcome outcome = run(success_file(kColl));
  EXPECT_TRUE(outcome.run_stage_reached);
  EXPECT_TRUE(outcome.notified);
  EXPECT_TRUE(outcome.run_finished);
  ASSERT_EQ(monitoring.published().size(), 1u);
  EXPECT_EQ(monitoring.published()[0],
            monitoring_message(success_file(kColl), kAllCollectionsSuccessful));
  EXPECT_EQ(product.row(kCorr)->status, "COMPLETED");
  EXPECT_EQ(product.row(kCorr)->pending, std::nullopt);
  EXPECT_EQ(metrics.count("all_collections_successful"), 1);
}

TEST_F(WorkflowTest, RunFinishedEvenWhenAnotherInvocationNotified) {
  status.put(key(kColl), "Received", 1, 1);
  product.put(kCorr, "COMPLETED");
  const Outcome outcome = run(success_file(kColl));
  EXPECT_TRUE(outcome.run_finished);
  EXPECT_FALSE(outcome.notified);
  EXPECT_TRUE(monitoring.published().empty());
}

TEST_F(WorkflowTest, ReceivedStageDoesNotUndoCompleted) {
  status.put(key(kColl), "Sent", 1, 0);
  product.put(kCorr, "COMPLETED");
  EXPECT_FALSE(run(file(kColl, "f1")).notified);
  EXPECT_EQ(product.row(kCorr)->status, "COMPLETED");
}

TEST_F(WorkflowTest, CrashAfterTransitionIsTakenOverByTheRedelivery) {
  status.put(key(kColl), "Exported", 1, 0);
  const PendingMark first = mark();
  queue.failures.fail_next(1);  // the invocation dies before its side effect
  EXPECT_THROW(run(file(kColl, "f1"), first), std::runtime_error);
  EXPECT_EQ(status.row(key(kColl)).status, "Received");
  EXPECT_EQ(status.row(key(kColl)).pending, first);
  EXPECT_TRUE(queue.sent().empty());

  clock.set(first.until_ms + 1);  // SQS redelivers after the visibility timeout
  const Outcome retry = run(file(kColl, "f1"));
  // The file was counted by the first call, another message's: not reported again.
  EXPECT_EQ(metrics.count("file_received"), 0);
  EXPECT_TRUE(retry.effects_taken_over);
  EXPECT_EQ(status.take_overs(), 1);
  ASSERT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(status.row(key(kColl)).pending, std::nullopt);
  EXPECT_EQ(status.row(key(kColl)).files_received, 1);
  EXPECT_EQ(monitoring.published().size(), 1u);  // the only collection: run received
}

TEST_F(WorkflowTest, LiveMarkIsLeftToItsOwner) {
  status.put(key(kColl), "Exported", 2, 0);
  const PendingMark owner = mark();
  queue.failures.fail_next(1);
  run(file(kColl, "f1"));
  EXPECT_THROW(run(file(kColl, "f2"), owner), std::runtime_error);

  clock.set(owner.until_ms);  // not yet past: the owner may still be running
  // Even another invocation whose deadline is the very same millisecond is not the owner.
  const Outcome other = run(file(kColl, "f2"), mark(owner.until_ms));
  EXPECT_FALSE(other.effects_taken_over);
  EXPECT_TRUE(queue.sent().empty());
  EXPECT_EQ(status.row(key(kColl)).pending, owner);
}

TEST_F(WorkflowTest, AnyLaterFileOfTheCollectionTakesOverTheEffects) {
  status.put(key(kColl), "Exported", 1, 0);
  const PendingMark first = mark();
  queue.failures.fail_next(1);
  EXPECT_THROW(run(file(kColl, "f1"), first), std::runtime_error);
  clock.set(first.until_ms + 1);
  EXPECT_TRUE(run(file(kColl, "late-extra-file")).effects_taken_over);
  EXPECT_EQ(queue.sent().size(), 1u);
}

TEST_F(WorkflowTest, CrashBeforeTheNotificationIsTakenOver) {
  status.put(key(kColl), "Sent", 1, 0);
  const PendingMark first = mark();
  monitoring.failures.fail_next(1);
  EXPECT_THROW(run(file(kColl, "f1"), first), std::runtime_error);
  EXPECT_EQ(product.row(kCorr)->status, "RECEIVED");
  EXPECT_EQ(product.row(kCorr)->pending, first);
  EXPECT_EQ(queue.sent().size(), 1u);

  clock.set(first.until_ms + 1);
  const Outcome retry = run(file(kColl, "f1"));
  EXPECT_TRUE(retry.effects_taken_over);
  EXPECT_TRUE(retry.notified);
  ASSERT_EQ(monitoring.published().size(), 1u);
  EXPECT_EQ(product.row(kCorr)->pending, std::nullopt);
  EXPECT_EQ(status.row(key(kColl)).pending, std::nullopt);
  // The export-state message goes again, with the same deduplication id for SQS to absorb.
  ASSERT_EQ(queue.sent().size(), 2u);
  EXPECT_EQ(queue.sent()[0].deduplication_id, queue.sent()[1].deduplication_id);
}

TEST_F(WorkflowTest, CrashInTheSuccessStageIsTakenOver) {
  status.put(key(kColl), "Received", 1, 1);
  const PendingMark first = mark();
  monitoring.failures.fail_next(1);
  EXPECT_THROW(run(success_file(kColl), first), std::runtime_error);
  EXPECT_EQ(status.row(key(kColl)).status, "Success");
  EXPECT_EQ(product.row(kCorr)->status, "COMPLETED");

  // Before the deadline: nothing taken over.
  EXPECT_FALSE(run(success_file(kColl)).effects_taken_over);
  EXPECT_TRUE(monitoring.published().empty());

  clock.set(first.until_ms + 1);
  const Outcome retry = run(success_file(kColl));
  EXPECT_TRUE(retry.effects_taken_over);
  EXPECT_TRUE(retry.notified);
  EXPECT_TRUE(retry.run_finished);
  EXPECT_EQ(monitoring.published().size(), 1u);
  EXPECT_EQ(product.row(kCorr)->pending, std::nullopt);
  EXPECT_EQ(status.row(key(kColl)).pending, std::nullopt);
  EXPECT_EQ(metrics.count("collection_successful"), 1);  // counted by the first call only
}

TEST_F(WorkflowTest, AbandonedEffectsAreTakenOverOnlyOnce) {
  status.put(key(kColl), "Received", 1, 1);
  const PendingMark dead{clock.peek() - 5, "dead-invocation"};
  status.set_pending(key(kColl), dead);
  // Another invocation takes over first, between our read and our take over.
  const PendingMark other = mark();
  EXPECT_TRUE(status.take_over(key(kColl), dead, other, work_end));
  EXPECT_FALSE(run(file(kColl, "f2")).effects_taken_over);
  EXPECT_TRUE(queue.sent().empty());
  EXPECT_EQ(status.row(key(kColl)).pending, other);
}

TEST_F(WorkflowTest, RacingTransitionsPerformTheEffectsOnce) {
  status.put(key(kColl), "Sent", 1, 0);
  // Both invocations count a file and both find the collection received; the second
  // slips its transition in before the first one's conditional write.
  const PendingMark second_mark = mark();
  status.before_next_transition([&] { run(file(kColl, "f2"), second_mark); });
  const Outcome first = run(file(kColl, "f1"));
  EXPECT_EQ(metrics.count("file_received"), 2);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{second_mark.owner});
  EXPECT_FALSE(first.effects_taken_over);
  EXPECT_EQ(status.transitions(), 1);
  EXPECT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(monitoring.published().size(), 1u);
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(status.reads(), 1);  // only the loser re-reads
}

TEST_F(WorkflowTest, RacingTransitionWhileTheWinnerIsStillWorkingLeavesItAlone) {
  status.put(key(kColl), "Sent", 1, 0);
  // The loser's re-read sees the winner's live mark (the winner has not finished). Both
  // invocations have the same deadline millisecond: only the owner tells them apart.
  const PendingMark winner = mark();
  status.before_next_transition(
      [&] { status.transition(key(kColl), {"Sent"}, "Received", "", winner, work_end); });
  const Outcome first = run(file(kColl, "f1"), mark(winner.until_ms));
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{winner.owner});
  EXPECT_FALSE(first.effects_taken_over);
  EXPECT_TRUE(queue.sent().empty());
  EXPECT_EQ(metrics.count("collection_received"), 0);
  EXPECT_EQ(status.row(key(kColl)).pending, winner);
}

TEST_F(WorkflowTest, ConcurrentDeliveriesGiveExactlyOnceOutcome) {
  constexpr int kCollections = 6;
  constexpr int kFilesEach = 8;
  std::vector<std::string> collections;
  for (int c = 0; c < kCollections; ++c) {
    collections.push_back("db.database.c" + std::to_string(c));
    status.put(key(collections.back()), c % 2 == 0 ? "Exported" : "Sent", kFilesEach, 0);
  }
  // Every file is delivered twice, by different threads.
  std::vector<Message> deliveries;
  for (int round = 0; round < 2; ++round) {
    for (const auto& c : collections) {
      for (int f = 0; f < kFilesEach; ++f)
        deliveries.push_back(file(c, c + "-" + std::to_string(f)));
    }
  }
  std::atomic<std::size_t> next{0};
  const std::int64_t shared_deadline = deadline();
  auto worker = [&] {
    for (std::size_t i = next++; i < deliveries.size(); i = next++) {
      workflow.process(deliveries[i], mark(shared_deadline));
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();

  for (const auto& c : collections) {
    EXPECT_EQ(status.row(key(c)).status, "Received");
    EXPECT_EQ(status.row(key(c)).files_received, kFilesEach);
    EXPECT_EQ(status.row(key(c)).pending, std::nullopt);
  }
  EXPECT_EQ(queue.sent().size(), static_cast<std::size_t>(kCollections));
  EXPECT_EQ(monitoring.published().size(), 1u);
  EXPECT_EQ(metrics.count("file_received"), kCollections * kFilesEach);
  EXPECT_EQ(metrics.count("collection_received"), kCollections);
  EXPECT_EQ(metrics.count("all_collections_received"), 1);

  // Then every _success file, twice, concurrently.
  std::vector<Message> successes;
  for (int round = 0; round < 2; ++round) {
    for (const auto& c : collections) successes.push_back(success_file(c));
  }
  deliveries = successes;
  next = 0;
  threads.clear();
  for (int t = 0; t < 4; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  EXPECT_EQ(monitoring.published().size(), 2u);
  EXPECT_EQ(product.row(kCorr)->status, "COMPLETED");
  EXPECT_EQ(metrics.count("collection_successful"), kCollections);
  EXPECT_EQ(metrics.count("all_collections_successful"), 1);
}

// --- writes applied but not answered ---------------------------------------------------
// The fakes apply the write, lose its answer and answer with what the repeated request
// meets: its own condition, now false. That is what the transport's silent resend or the retry
// loop turn a reset connection into.

TEST_F(WorkflowTest, TransitionAppliedButNotAnsweredStillPerformsTheEffects) {
  status.put(key(kColl), "Exported", 1, 0);
  status.lost_answers.lose_next(Write::Transition);
  const PendingMark mine = mark();
  const Outcome outcome = run(file(kColl, "f1"), mine);
  EXPECT_EQ(metrics.count("file_received"), 1);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
  EXPECT_FALSE(outcome.effects_taken_over);
  EXPECT_EQ(status.transitions(), 1);  // applied once; the repeat was refused
  EXPECT_EQ(status.row(key(kColl)).status, "Received");
  EXPECT_EQ(status.row(key(kColl)).pending, std::nullopt);
  ASSERT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(monitoring.published().size(), 1u);  // the only collection: run received
  EXPECT_EQ(product.row(kCorr)->status, "RECEIVED");
}

TEST_F(WorkflowTest, CountAppliedButNotAnsweredIsStillReportedOnce) {
  status.put(key(kColl), "Exported", 3, 0);
  status.lost_answers.lose_next(Write::Count);
  const PendingMark mine = mark();
  run(file(kColl, "f1"), mine);
  EXPECT_EQ(status.row(key(kColl)).files_received, 1);  // applied once; the repeat was refused
  EXPECT_EQ(status.receipts(),
            (std::map<std::string, Owner>{{file_receipt_key(file(kColl, "f1")), mine.owner}}));
  EXPECT_EQ(metrics.count("file_received"), 1);
  // A real redelivery, under another owner, is still refused and not reported.
  run(file(kColl, "f1"));
  EXPECT_EQ(metrics.count("file_received"), 1);
}

TEST_F(WorkflowTest, CountAppliedButNotAnsweredThatCompletesTheCollectionTransitionsIt) {
  status.put(key(kColl), "Exported", 1, 0);
  status.lost_answers.lose_next(Write::Count);
  const PendingMark mine = mark();
  run(file(kColl, "f1"), mine);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
  EXPECT_EQ(metrics.count("file_received"), 1);
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(queue.sent().size(), 1u);
}

// The owner is kept beside each file, so another count on the row between our applied count
// and its repeat does not hide it.
TEST_F(WorkflowTest, CountLostAnswerWithAnotherCountInBetweenIsStillRecognised) {
  status.put(key(kColl), "Exported", 3, 0);
  status.lost_answers.lose_next(Write::Count);
  status.before_next_count_repeat([&] { run(file(kColl, "f2")); });
  const PendingMark mine = mark();
  run(file(kColl, "f1"), mine);
  EXPECT_EQ(status.receipts().at(file_receipt_key(file(kColl, "f1"))), mine.owner);
  EXPECT_EQ(status.row(key(kColl)).files_received, 2);
  EXPECT_EQ(metrics.count("file_received"), 2);
}

TEST_F(WorkflowTest, AFileWithoutNameIsCountedOnEveryDeliveryAndRecordsNoOwner) {
  status.put(key(kColl), "Exported", 3, 0);
  run(file(kColl, kFileNameNotSet));
  run(file(kColl, kFileNameNotSet));
  EXPECT_EQ(status.row(key(kColl)).files_received, 2);
  EXPECT_EQ(metrics.count("file_received"), 2);
  EXPECT_TRUE(status.receipts().empty());
}

TEST_F(WorkflowTest, SuccessTransitionAppliedButNotAnsweredCompletesTheRun) {
  status.put(key(kColl), "Received", 1, 1);
  status.lost_answers.lose_next(Write::Transition);
  const PendingMark mine = mark();
  const Outcome outcome = run(success_file(kColl), mine);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});  // applied once
  EXPECT_TRUE(outcome.notified);
  EXPECT_TRUE(outcome.run_finished);
  EXPECT_EQ(status.row(key(kColl)).status, "Success");
  EXPECT_EQ(status.row(key(kColl)).pending, std::nullopt);
  EXPECT_EQ(metrics.count("collection_successful"), 1);
  EXPECT_EQ(metrics.count("all_collections_successful"), 1);
  EXPECT_EQ(product.row(kCorr)->status, "COMPLETED");
}

TEST_F(WorkflowTest, TakeOverAppliedButNotAnsweredStillPerformsTheEffects) {
  status.put(key(kColl), "Received", 1, 1);
  status.set_pending(key(kColl), PendingMark{clock.peek() - 1, "dead-invocation"});
  status.lost_answers.lose_next(Write::TakeOver);
  const PendingMark mine = mark();
  const Outcome outcome = run(file(kColl, "f1"), mine);
  EXPECT_TRUE(outcome.effects_taken_over);
  EXPECT_EQ(status.take_overs(), 1);  // applied once; the repeat was refused
  ASSERT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(status.row(key(kColl)).pending, std::nullopt);
  EXPECT_EQ(monitoring.published().size(), 1u);
}

TEST_F(WorkflowTest, AdvanceAppliedButNotAnsweredStillNotifies) {
  status.put(key(kOther), "Received", 1, 1);
  status.put(key(kColl), "Sent", 1, 0);
  product.lost_answers.lose_next(Write::ProductTransition);
  const PendingMark mine = mark();
  const Outcome outcome = run(file(kColl, "f1"), mine);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
  EXPECT_EQ(product.transitions(), 1);  // applied once; the repeat was refused
  EXPECT_TRUE(outcome.notified);
  ASSERT_EQ(monitoring.published().size(), 1u);
  EXPECT_EQ(monitoring.published()[0],
            monitoring_message(file(kColl, "f1"), kAllCollectionsReceived));
  EXPECT_EQ(metrics.count("all_collections_received"), 1);
  EXPECT_EQ(product.row(kCorr)->status, "RECEIVED");
  EXPECT_EQ(product.row(kCorr)->pending, std::nullopt);
}

TEST_F(WorkflowTest, ProductTakeOverAppliedButNotAnsweredStillNotifies) {
  // A dead invocation moved the collection and the product, and notified nobody.
  const PendingMark dead{clock.peek() - 1, "dead-invocation"};
  status.put(key(kColl), "Received", 1, 1);
  status.set_pending(key(kColl), dead);
  product.put(kCorr, "RECEIVED", dead);
  product.lost_answers.lose_next(Write::TakeOver);
  const Outcome outcome = run(file(kColl, "f1"));
  EXPECT_TRUE(outcome.effects_taken_over);
  EXPECT_EQ(product.take_overs(), 1);  // applied once; the repeat was refused
  EXPECT_TRUE(outcome.notified);
  EXPECT_EQ(monitoring.published().size(), 1u);
  EXPECT_EQ(product.row(kCorr)->pending, std::nullopt);
  EXPECT_EQ(status.row(key(kColl)).pending, std::nullopt);
}

TEST_F(WorkflowTest, RefusedWriteWithAnotherOwnersMarkIsNotTakenForOurs) {
  // The other invocation's write lands first and its effects are still under way; our
  // write's answer is lost as well. Our repeat is refused, and the mark is not ours.
  status.put(key(kColl), "Sent", 1, 0);
  const PendingMark winner = mark();
  status.before_next_transition(
      [&] { status.transition(key(kColl), {"Sent"}, "Received", "", winner, work_end); });
  status.lost_answers.lose_next(Write::Transition);
  run(file(kColl, "f1"), mark(winner.until_ms));
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{winner.owner});
  EXPECT_TRUE(queue.sent().empty());
  EXPECT_EQ(status.row(key(kColl)).pending, winner);
}

TEST_F(WorkflowTest, AnEarlierMessagesMarkInTheSameInvocationIsNotThisMessagesWrite) {
  // Two deliveries of one _success file in one batch: the first moves the collection and
  // fails before its effects; the second must neither count the transition again nor take
  // over effects whose owner (the first message's call) is still within its deadline.
  status.put(key(kColl), "Received", 1, 1);
  const std::int64_t invocation_deadline = deadline();
  monitoring.failures.fail_next(1);
  EXPECT_THROW(run(success_file(kColl), PendingMark{invocation_deadline, "inv.0"}),
               std::runtime_error);
  const Outcome second = run(success_file(kColl), PendingMark{invocation_deadline, "inv.1"});
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{"inv.0"});
  EXPECT_FALSE(second.effects_taken_over);
  // Nobody finished the effects yet: nobody reports the stage.
  EXPECT_EQ(metrics.count("collection_successful"), 0);
  EXPECT_TRUE(monitoring.published().empty());
  EXPECT_EQ(status.row(key(kColl)).pending, (PendingMark{invocation_deadline, "inv.0"}));
}

TEST_F(WorkflowTest, AMarkWithoutOwnerFromBeforeOwnersIsTakenOverByTime) {
  status.put(key(kColl), "Received", 1, 1);
  status.set_pending(key(kColl), PendingMark{clock.peek() + 10, ""});
  EXPECT_FALSE(run(file(kColl, "f1")).effects_taken_over);  // still live
  clock.set(clock.peek() + 11);
  const PendingMark mine = mark();
  EXPECT_TRUE(run(file(kColl, "f2"), mine).effects_taken_over);
  EXPECT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(status.row(key(kColl)).pending, std::nullopt);
}

TEST_F(WorkflowTest, AMarkNeedsAnOwner) {
  status.put(key(kColl), "Exported", 1, 0);
  EXPECT_THROW(run(file(kColl, "f1"), PendingMark{deadline(), ""}), std::invalid_argument);
  EXPECT_EQ(status.row(key(kColl)).files_received, 0);
}

// --- a delivery that died before pushing its metrics (core/owner.hpp) --------------------
// Owners of one message: its first delivery and the one SQS gives out after it.
constexpr const char* kFirstDelivery = "AbCdEfGh.1.aaaaaa0";
constexpr const char* kSecondDelivery = "AbCdEfGh.2.bbbbbb0";

TEST_F(WorkflowTest, ADeliveryThatDiedAfterFinishingIsReportedByTheNextOne) {
  status.put(key(kColl), "Exported", 1, 0);
  // The first delivery does everything; its process dies before the push, so what it
  // reported is lost with it (a workflow of its own, with metrics nobody pushes).
  FakeMetrics lost;
  Workflow dead{WorkflowPorts{status, product, queue, monitoring, lost, clock}, work_end};
  dead.process(file(kColl, "f1"), PendingMark{deadline(), kFirstDelivery});
  EXPECT_EQ(lost.count("collection_received"), 1);
  // The last collection: its effects included the run's notification.
  EXPECT_EQ(status.row(key(kColl)).effects_done_by.received, (StageDoneBy{kFirstDelivery, true}));

  const Outcome outcome = run(file(kColl, "f1"), PendingMark{deadline(), kSecondDelivery});
  EXPECT_EQ(status.receipts().at(file_receipt_key(file(kColl, "f1"))), Owner(kFirstDelivery));
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{kFirstDelivery});
  EXPECT_FALSE(outcome.notified);
  EXPECT_EQ(metrics.count("file_received"), 1);
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(metrics.count("all_collections_received"), 1);
  EXPECT_EQ(queue.sent().size(), 1u);  // nothing sent again
  EXPECT_EQ(monitoring.published().size(), 1u);
}

TEST_F(WorkflowTest, AnotherMessageFindsNothingToReportOfTheDeadDelivery) {
  status.put(key(kColl), "Exported", 1, 0);
  FakeMetrics lost;
  Workflow dead{WorkflowPorts{status, product, queue, monitoring, lost, clock}, work_end};
  dead.process(file(kColl, "f1"), PendingMark{deadline(), kFirstDelivery});
  // The same file in another message (its owner names another message).
  run(file(kColl, "f1"), PendingMark{deadline(), "ZzZzZzZz.2.cccccc0"});
  EXPECT_EQ(metrics.count("file_received"), 0);
  EXPECT_EQ(metrics.count("collection_received"), 0);
}

TEST_F(WorkflowTest, TheLastSuccessFilesNextDeliveryReportsTheRunAndFinishesIt) {
  status.put(key(kColl), "Received", 1, 1);
  FakeMetrics lost;
  Workflow dead{WorkflowPorts{status, product, queue, monitoring, lost, clock}, work_end};
  EXPECT_TRUE(
      dead.process(success_file(kColl), PendingMark{deadline(), kFirstDelivery}).run_finished);
  // It died before deleting the run's metrics, too: its next delivery does that.
  const Outcome outcome = run(success_file(kColl), PendingMark{deadline(), kSecondDelivery});
  EXPECT_EQ(status.row(key(kColl)).effects_done_by.successful, (StageDoneBy{kFirstDelivery, true}));
  EXPECT_TRUE(outcome.run_finished);
  EXPECT_EQ(metrics.count("collection_successful"), 1);
  EXPECT_EQ(metrics.count("all_collections_successful"), 1);
  EXPECT_EQ(monitoring.published().size(), 1u);
  // A plain duplicate of the success file reports nothing; its own push is deleted again.
  const Outcome duplicate = run(success_file(kColl));
  EXPECT_TRUE(duplicate.run_finished);
  EXPECT_EQ(metrics.count("collection_successful"), 1);
}

TEST_F(WorkflowTest, EffectsLeftByAnEarlierDeliveryAreTakenOverBeforeItsDeadline) {
  status.put(key(kColl), "Exported", 1, 0);
  queue.failures.fail_next(1);
  EXPECT_THROW(run(file(kColl, "f1"), PendingMark{deadline(), kFirstDelivery}), std::runtime_error);
  EXPECT_EQ(metrics.count("file_received"), 0);  // failed: nothing reported
  const Outcome outcome = run(file(kColl, "f1"), PendingMark{deadline(), kSecondDelivery});
  EXPECT_TRUE(outcome.effects_taken_over);
  EXPECT_EQ(status.receipts().at(file_receipt_key(file(kColl, "f1"))), Owner(kFirstDelivery));
  EXPECT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(metrics.count("file_received"), 1);
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(status.row(key(kColl)).effects_done_by.received, (StageDoneBy{kSecondDelivery, true}));
}

TEST_F(WorkflowTest, ALiveDeliveryOfTheSameReceiveIsNotTakenOver) {
  // The same receive count: a replay or SQS's duplicate, possibly still running.
  status.put(key(kColl), "Exported", 1, 0);
  queue.failures.fail_next(1);
  EXPECT_THROW(run(file(kColl, "f1"), PendingMark{deadline(), kFirstDelivery}), std::runtime_error);
  const Outcome outcome = run(file(kColl, "f1"), PendingMark{deadline(), "AbCdEfGh.1.dddddd0"});
  EXPECT_FALSE(outcome.effects_taken_over);
  EXPECT_EQ(metrics.count("file_received"), 0);
  EXPECT_TRUE(queue.sent().empty());
}

// --- a _success file does not overtake unfinished Received effects ------------------------

TEST_F(WorkflowTest, SuccessFileFinishesReceivedEffectsADeadInvocationLeft) {
  status.put(key(kColl), "Received", 1, 1);
  status.set_pending(key(kColl), PendingMark{clock.peek() - 1, "dead.0"});
  const PendingMark mine = mark();
  const Outcome outcome = run(success_file(kColl), mine);
  EXPECT_TRUE(outcome.effects_taken_over);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
  EXPECT_EQ(status.row(key(kColl)).status, "Success");
  EXPECT_EQ(queue.sent().size(), 1u);  // the export-state message the dead one may not have sent
  // Both run stages: the only collection was received, then successful.
  EXPECT_EQ(monitoring.published().size(), 2u);
  EXPECT_EQ(product.row(kCorr)->status, "COMPLETED");
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(metrics.count("collection_successful"), 1);
  EXPECT_EQ(metrics.count("all_collections_received"), 1);
  EXPECT_EQ(metrics.count("all_collections_successful"), 1);
}

TEST_F(WorkflowTest, SuccessFileWaitsForReceivedEffectsALiveInvocationIsFinishing) {
  // The _success file raced the collection's last file: that file's invocation is still
  // at its effects, and finishes them a moment later.
  status.put(key(kColl), "Received", 1, 1);
  status.set_pending(key(kColl), PendingMark{deadline(), "live.0"});
  int sleeps = 0;
  clock.on_sleep = [&] {
    if (++sleeps == 3) status.remove_mark(key(kColl), "live.0", Stage::Received, false, work_end);
  };
  const PendingMark mine = mark();
  const Outcome outcome = run(success_file(kColl), mine);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
  EXPECT_FALSE(outcome.effects_taken_over);
  EXPECT_EQ(status.row(key(kColl)).status, "Success");
  EXPECT_EQ(clock.sleeps(), (std::vector<std::int64_t>{50, 50, 50}));
  EXPECT_TRUE(queue.sent().empty());  // the received effects were the live one's
  EXPECT_EQ(metrics.count("collection_successful"), 1);
}

TEST_F(WorkflowTest, SuccessFileGivesUpOnReceivedEffectsThatStayPending) {
  status.put(key(kColl), "Received", 1, 1);
  const PendingMark live{deadline(), "live.0"};
  status.set_pending(key(kColl), live);
  EXPECT_THROW(run(success_file(kColl)), EffectsStillPending);
  EXPECT_EQ(clock.sleeps().size(), 40u);  // 2 s in steps of 50 ms
  EXPECT_EQ(status.row(key(kColl)).status, "Received");
  EXPECT_EQ(status.row(key(kColl)).pending, live);
  EXPECT_TRUE(queue.sent().empty());
  EXPECT_EQ(metrics.count("collection_successful"), 0);
}

TEST_F(WorkflowTest, TheWaitForReceivedEffectsEndsByTheWorkEnd) {
  status.put(key(kColl), "Received", 1, 1);
  status.set_pending(key(kColl), PendingMark{deadline(), "live.0"});
  Workflow short_of_time{WorkflowPorts{status, product, queue, monitoring, metrics, clock},
                         FakeClock::steady_at(clock.peek() + 120)};
  EXPECT_THROW(short_of_time.process(success_file(kColl), mark()), EffectsStillPending);
  EXPECT_EQ(clock.sleeps(), (std::vector<std::int64_t>{50, 50}));  // the third would pass it
  EXPECT_EQ(status.row(key(kColl)).status, "Received");
}

// Found by the chaos test under load: the _success file's transition met the received
// stage's mark, which its live owner removed before the row was read again. The row then
// read Received without a mark, and the _success file was taken as done: the collection
// stayed Received for ever.
TEST_F(WorkflowTest, SuccessFileRefusedByAMarkRemovedBeforeItsReadStillMovesOn) {
  status.put(key(kColl), "Received", 1, 1);
  status.set_pending(key(kColl), PendingMark{deadline(), "live.0"});
  status.after_next_transition(
      [&] { status.remove_mark(key(kColl), Owner("live.0"), Stage::Received, false, work_end); });
  const PendingMark mine = mark();
  run(success_file(kColl), mine);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
  EXPECT_EQ(status.row(key(kColl)).status, "Success");
  EXPECT_EQ(metrics.count("collection_successful"), 1);
  EXPECT_TRUE(clock.sleeps().empty());  // no waiting: the mark was already gone
}

TEST_F(WorkflowTest, SuccessFileTakesOverReceivedEffectsWhoseOwnerDiesWhileItWaits) {
  status.put(key(kColl), "Received", 1, 1);
  status.set_pending(key(kColl), PendingMark{clock.peek() + 120, "dying.0"});
  const PendingMark mine = mark();
  const Outcome outcome = run(success_file(kColl), mine);
  EXPECT_TRUE(outcome.effects_taken_over);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{mine.owner});
  EXPECT_EQ(clock.sleeps().size(), 3u);  // past the owner's deadline after the third
  EXPECT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(status.row(key(kColl)).status, "Success");
}

TEST_F(WorkflowTest, AnEarlierDeliverysFinishThatLandsLateIsStillReported) {
  // The earlier delivery's last write (removing the mark, recording itself) was delayed past
  // its timeout and lands while this delivery is about to take the mark over.
  status.put(key(kColl), "Received", 1, 0);
  status.record_count(key(kColl), file_receipt_key(file(kColl, "f1")), kFirstDelivery);
  status.set_pending(key(kColl), PendingMark{deadline(), kFirstDelivery});
  status.before_next_take_over(
      [&] { status.remove_mark(key(kColl), kFirstDelivery, Stage::Received, true, work_end); });
  const Outcome outcome = run(file(kColl, "f1"), PendingMark{deadline(), kSecondDelivery});
  EXPECT_FALSE(outcome.effects_taken_over);
  EXPECT_EQ(metrics.count("file_received"), 1);
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(metrics.count("all_collections_received"), 1);
  EXPECT_TRUE(queue.sent().empty());
}

// --- messages that arrive after their run finished -----------------------------------------

TEST_F(WorkflowTest, LateMessagesOfAFinishedRunHaveItsMetricsDeletedAgain) {
  status.put(key(kColl), "Received", 1, 0);
  status.record_count(key(kColl), file_receipt_key(file(kColl, "f1")), "counted.0");
  status.put(key(kOther), "Success", 1, 1);
  EXPECT_TRUE(run(success_file(kColl)).run_finished);
  // A file delivered again, and the _success file again: nothing changes, but each push
  // would leave a group behind.
  const Outcome late_file = run(file(kColl, "f1"));
  EXPECT_EQ(metrics.count("file_received"), 0);
  EXPECT_TRUE(late_file.run_finished);
  EXPECT_TRUE(run(success_file(kOther)).run_finished);
  EXPECT_EQ(monitoring.published().size(), 1u);
}

TEST_F(WorkflowTest, AMessageForASuccessfulCollectionOfAnUnfinishedRunDeletesNothing) {
  status.put(key(kColl), "Success", 1, 1);
  status.put(key(kOther), "Sent", 2, 1);
  EXPECT_FALSE(run(success_file(kColl)).run_finished);
  EXPECT_FALSE(run(file(kColl, "f9")).run_finished);
}

// --- groups: a batch's files of one collection counted together ---------------------

TEST_F(WorkflowTest, AGroupIsOneCountAndItsLastMessageCarriesTheTransition) {
  status.put(key(kColl), "Exported", 3, 0);
  const Message f1 = file(kColl, "f1");
  const Message f2 = file(kColl, "f2");
  const Message f3 = file(kColl, "f3");
  const PendingMark m1 = mark();
  const PendingMark m2 = mark();
  const PendingMark m3 = mark();
  const std::vector<DeliveryResult> results =
      workflow.process_files({{f1, m1}, {f2, m2}, {f3, m3}});
  ASSERT_EQ(results.size(), 3u);
  for (const DeliveryResult& result : results) EXPECT_FALSE(result.error);
  EXPECT_EQ(status.counts(), 1);
  EXPECT_EQ(status.row(key(kColl)).files_received, 3);
  EXPECT_EQ(status.transitioned_by(), std::vector<Owner>{m3.owner});
  EXPECT_EQ(status.row(key(kColl)).status, "Received");
  EXPECT_EQ(status.row(key(kColl)).effects_done_by.received.owner, m3.owner);
  EXPECT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(metrics.count("file_received"), 3);
  EXPECT_EQ(metrics.count("collection_received"), 1);
}

TEST_F(WorkflowTest, AFileTwiceInAGroupIsCountedOnce) {
  status.put(key(kColl), "Exported", 5, 0);
  const Message f1 = file(kColl, "f1");
  const PendingMark first = mark();
  const PendingMark again = mark();
  const std::vector<DeliveryResult> results = workflow.process_files({{f1, first}, {f1, again}});
  EXPECT_EQ(status.receipts().at(file_receipt_key(f1)), first.owner);
  EXPECT_FALSE(results[1].error);
  EXPECT_EQ(status.row(key(kColl)).files_received, 1);
  EXPECT_EQ(metrics.count("file_received"), 1);
}

TEST_F(WorkflowTest, AGroupMembersEarlierDeliveryIsCreditedToThatMemberOnly) {
  // f1's earlier delivery counted it and finished the received stage, then failed before
  // pushing: its redelivery, in a group with f2, reports both.
  status.put(key(kColl), "Exported", 1, 0);
  status.record_count(key(kColl), file_receipt_key(file(kColl, "f1")), "AbCdEfGh.1.first0");
  status.put(key(kColl), "Received", 1, 1);
  status.set_effects_done_by(key(kColl), {{"AbCdEfGh.1.first0", true}, {}});
  const Message f1 = file(kColl, "f1");
  const Message f2 = file(kColl, "f2");
  const PendingMark redelivery{deadline(), "AbCdEfGh.2.again0"};
  const PendingMark other = mark();
  const std::vector<DeliveryResult> results =
      workflow.process_files({{f1, redelivery}, {f2, other}});
  EXPECT_TRUE(results[0].outcome.credits.collection_received);
  EXPECT_TRUE(results[0].outcome.credits.all_collections_received);
  EXPECT_FALSE(results[1].outcome.credits.collection_received);
  EXPECT_EQ(metrics.count("collection_received"), 1);
  EXPECT_EQ(metrics.count("all_collections_received"), 1);
}

TEST_F(WorkflowTest, AGroupTakesOverTheEffectsOfAnyMembersEarlierDelivery) {
  // The received stage's mark belongs to an earlier delivery of the group's first message:
  // that delivery is over, so the effects are taken over at once by the group's carrier.
  status.put(key(kColl), "Received", 2, 2);
  status.set_pending(key(kColl), PendingMark{deadline(), "AbCdEfGh.1.first0"});
  const Message f1 = file(kColl, "f1");
  const Message f2 = file(kColl, "f2");
  const PendingMark redelivery{deadline(), "AbCdEfGh.2.again0"};
  const PendingMark carrier = mark();
  const std::vector<DeliveryResult> results =
      workflow.process_files({{f1, redelivery}, {f2, carrier}});
  EXPECT_TRUE(results[1].outcome.effects_taken_over);
  EXPECT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(status.row(key(kColl)).pending, std::nullopt);
}

}  // namespace
}  // namespace ssc::core
