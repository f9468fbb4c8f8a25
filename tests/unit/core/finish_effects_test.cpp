// The operator's finish-effects on the workflow: the take-over a redelivery makes, without
// the message.
#include <gtest/gtest.h>

#include "core/workflow.hpp"
#include "fakes.hpp"

namespace ssc::core {
namespace {

constexpr const char* kCorr = "corr-1";
constexpr const char* kColl = "db.database.collection";

class FinishEffectsTest : public ::testing::Test {
 protected:
  void SetUp() override { log::configure(log::Settings{log::Level::Critical, "t", "t"}); }
  void TearDown() override { log::configure(log::Settings{}); }

  static Message message(bool success_file = false) {
    Message m;
    m.correlation_id = kCorr;
    m.collection_name = kColl;
    m.snapshot_type = "incremental";
    m.export_date = "2020-01-01";
    m.file_name = "f1";
    m.is_success_file = success_file;
    return m;
  }
  static CollectionKey key() { return {kCorr, kColl}; }
  PendingMark mark(const std::string& owner) { return {clock.peek() + 60'000, owner}; }

  testing::FakeStatusTable status;
  testing::FakeProductTable product;
  testing::FakeQueue queue;
  testing::FakeMonitoring monitoring;
  testing::FakeMetrics metrics;
  testing::FakeClock clock;
  // Every port call ends by then (here, a minute after the fake clock's start).
  const Deadline work_end = testing::FakeClock::steady_at(clock.peek() + 60'000);
  Workflow workflow{WorkflowPorts{status, product, queue, monitoring, metrics, clock}, work_end};
};

TEST_F(FinishEffectsTest, TakesOverReceivedEffectsWhoseOwnerIsGoneAndPerformsThem) {
  status.put(key(), "Exported", 1, 0);
  const PendingMark dead = mark("AAAAAAAA.1.dead00");
  queue.failures.fail_next(1);
  EXPECT_THROW(workflow.process(message(), dead), std::runtime_error);
  clock.set(dead.until_ms + 1);

  const PendingMark op = mark("operator-token.0");
  const Outcome done = workflow.take_over_and_perform(message(), op);

  EXPECT_TRUE(done.effects_taken_over);
  EXPECT_TRUE(done.notified);
  ASSERT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(monitoring.published().size(), 1u);
  EXPECT_EQ(status.row(key()).pending, std::nullopt);
  EXPECT_EQ(status.row(key()).effects_done_by.received.owner, op.owner);
  EXPECT_EQ(status.row(key()).files_received, 1);  // nothing counted again

  // Twice: nothing left to take over.
  const Outcome again = workflow.take_over_and_perform(message(), mark("operator-token2.0"));
  EXPECT_FALSE(again.effects_taken_over);
  EXPECT_EQ(queue.sent().size(), 1u);
  EXPECT_EQ(monitoring.published().size(), 1u);
}

TEST_F(FinishEffectsTest, LeavesALiveOwnersEffects) {
  status.put(key(), "Exported", 1, 0);
  const PendingMark live = mark("AAAAAAAA.1.live00");
  queue.failures.fail_next(1);
  EXPECT_THROW(workflow.process(message(), live), std::runtime_error);
  clock.set(live.until_ms);  // not past yet

  const Outcome done = workflow.take_over_and_perform(message(), mark("operator-token.0"));

  EXPECT_FALSE(done.effects_taken_over);
  EXPECT_TRUE(queue.sent().empty());
  EXPECT_EQ(status.row(key()).pending, live);
}

TEST_F(FinishEffectsTest, FinishesSuccessEffects) {
  status.put(key(), "Received", 1, 1);
  status.set_pending(key(), PendingMark{clock.peek() - 1, "AAAAAAAA.1.dead00"});
  status.put(key(), "Success", 1, 1);

  const Outcome done = workflow.take_over_and_perform(message(), mark("operator-token.0"));

  EXPECT_TRUE(done.effects_taken_over);
  EXPECT_TRUE(done.run_finished);
  EXPECT_EQ(product.row(kCorr)->status, "COMPLETED");
  EXPECT_EQ(status.row(key()).pending, std::nullopt);
  EXPECT_EQ(status.row(key()).effects_done_by.successful.owner, "operator-token.0");
}

TEST_F(FinishEffectsTest, AMissingRowIsCollectionNotFound) {
  EXPECT_THROW(workflow.take_over_and_perform(message(), mark("operator-token.0")),
               CollectionNotFound);
}

}  // namespace
}  // namespace ssc::core
