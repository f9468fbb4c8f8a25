#include "core/run_metrics_publication.hpp"

#include <gtest/gtest.h>

#include "fakes.hpp"
#include "log/log.hpp"

namespace ssc::core {
namespace {

using testing::FakeClock;
using testing::FakeMetricsPublisher;

class RunMetricsPublicationTest : public ::testing::Test {
 protected:
  void SetUp() override { log::configure(log::Settings{log::Level::Critical, "t", "t"}); }
  void TearDown() override { log::configure(log::Settings{}); }

  Deadline at(std::int64_t ms_from_now) const { return FakeClock::steady_at(start + ms_from_now); }

  FakeClock clock;
  FakeMetricsPublisher publisher;
  const std::int64_t start = clock.peek();
};

TEST_F(RunMetricsPublicationTest, PushesEveryRunAndDeletesTheFinishedOnesAfterOneScrapeWait) {
  std::vector<std::int64_t> slept_before_delete;
  publisher.on_delete = [&] { slept_before_delete.push_back(clock.peek() - start); };
  publish_run_metrics({{"c1", "c2", "c3"}, {"c1", "c3"}}, publisher, clock, 15,
                      {at(60'000), at(30'000)});
  EXPECT_EQ(publisher.pushed, (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(publisher.push_deadlines, std::vector<Deadline>(3, at(60'000)));
  EXPECT_EQ(clock.sleeps(), std::vector<std::int64_t>{15'000});  // once, for both runs
  EXPECT_EQ(publisher.deleted, (std::vector<std::string>{"c1", "c3"}));
  EXPECT_EQ(slept_before_delete, (std::vector<std::int64_t>{15'000, 15'000}));
  EXPECT_EQ(publisher.delete_deadlines, std::vector<Deadline>(2, at(60'000)));
}

TEST_F(RunMetricsPublicationTest, NoFinishedRunNoWait) {
  publish_run_metrics({{"c1"}, {}}, publisher, clock, 15, {at(60'000), at(30'000)});
  EXPECT_EQ(publisher.pushed, std::vector<std::string>{"c1"});
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_TRUE(publisher.deleted.empty());
}

// The operator's finish-effects slept the whole interval whatever its deadline.
TEST_F(RunMetricsPublicationTest, TheScrapeWaitEndsByItsDeadline) {
  publish_run_metrics({{"c1"}, {"c1"}}, publisher, clock, 70, {at(20'000), at(8'000)});
  EXPECT_EQ(clock.sleeps(), std::vector<std::int64_t>{8'000});
  EXPECT_EQ(publisher.deleted, std::vector<std::string>{"c1"});
}

TEST_F(RunMetricsPublicationTest, AFailedPushStillLeavesTheFinishedRunDeleted) {
  publisher.push_failures.fail_next(1);
  publisher.delete_failures.fail_next(1);
  EXPECT_NO_THROW(publish_run_metrics({{"c1", "c2"}, {"c1", "c2"}}, publisher, clock, 1,
                                      {at(60'000), at(30'000)}));
  EXPECT_EQ(publisher.pushed, (std::vector<std::string>{"c1", "c2"}));
  // The first deletion failed and the second was still made.
  EXPECT_EQ(publisher.deleted, (std::vector<std::string>{"c1", "c2"}));
}

}  // namespace
}  // namespace ssc::core
