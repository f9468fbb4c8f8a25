#include "core/time_budget.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>

namespace ssc::core {
namespace {

using std::chrono::milliseconds;

constexpr std::int64_t kNowMs = 1'700'000'000'000;
const Deadline kNow = Deadline{} + std::chrono::hours(1000);

milliseconds after_now(Deadline when) {
  return std::chrono::duration_cast<milliseconds>(when - kNow);
}

TEST(ReservePolicy, KeepsBackTheSmallerOfTheMaximumAndTheShare) {
  const auto kept = [](std::int64_t left, std::int64_t max, double share) {
    return ReservePolicy::kept_back(milliseconds(left), milliseconds(max), share).count();
  };
  EXPECT_EQ(kept(5'000, 3'000, 0.2), 1'000);
  EXPECT_EQ(kept(15'000, 3'000, 0.2), 3'000);
  EXPECT_EQ(kept(900'000, 3'000, 0.2), 3'000);
  EXPECT_EQ(kept(0, 3'000, 0.2), 0);
  EXPECT_EQ(kept(-50, 3'000, 0.2), 0);
  EXPECT_EQ(kept(400, 500, 0.5), 200);
  EXPECT_EQ(kept(4'000, 500, 0.5), 500);
  EXPECT_EQ(kept(100, 500, 7.0), 100);  // never more than the time left
}

TEST(TimeBudget, KeepsASecondForTheAnswerAndAFifthOfTheRestForTheMetrics) {
  const TimeBudget budget = TimeBudget::starting(kNowMs + 10'000, kNowMs, kNow);
  EXPECT_EQ(budget.lambda_deadline_ms, kNowMs + 10'000);
  EXPECT_EQ(after_now(budget.lambda_deadline), milliseconds(10'000));
  EXPECT_EQ(after_now(budget.io_end), milliseconds(9'000));
  EXPECT_EQ(after_now(budget.work_end), milliseconds(9'000 - 1'800));
}

TEST(TimeBudget, ALongInvocationKeepsOneAndThreeSecondsBack) {
  const TimeBudget budget = TimeBudget::starting(kNowMs + 900'000, kNowMs, kNow);
  EXPECT_EQ(after_now(budget.io_end), milliseconds(899'000));
  EXPECT_EQ(after_now(budget.work_end), milliseconds(896'000));
}

TEST(TimeBudget, AShortInvocationKeepsAQuarterForTheAnswer) {
  const TimeBudget budget = TimeBudget::starting(kNowMs + 2'000, kNowMs, kNow);
  EXPECT_EQ(after_now(budget.io_end), milliseconds(1'500));
  EXPECT_EQ(after_now(budget.work_end), milliseconds(1'200));
}

TEST(TimeBudget, APassedDeadlineLeavesNoTimeAtAll) {
  const TimeBudget budget = TimeBudget::starting(kNowMs - 5'000, kNowMs, kNow);
  EXPECT_EQ(after_now(budget.lambda_deadline), milliseconds(-5'000));
  EXPECT_EQ(budget.io_end, budget.lambda_deadline);
  EXPECT_EQ(budget.work_end, budget.lambda_deadline);
}

TEST(TimeBudget, TheEndsComeInOrder) {
  for (const std::int64_t left : {0, 1, 3, 999, 4'000, 60'000, 900'000}) {
    const TimeBudget budget = TimeBudget::starting(kNowMs + left, kNowMs, kNow);
    EXPECT_LE(kNow, budget.work_end) << left;
    EXPECT_LE(budget.work_end, budget.io_end) << left;
    EXPECT_LE(budget.io_end, budget.lambda_deadline) << left;
  }
}

TEST(TimeBudget, AnotherPolicyIsApplied) {
  ReservePolicy policy;
  policy.response_margin_max = milliseconds(100);
  policy.work_reserve_max = milliseconds(500);
  const TimeBudget budget = TimeBudget::starting(kNowMs + 10'000, kNowMs, kNow, policy);
  EXPECT_EQ(after_now(budget.io_end), milliseconds(9'900));
  EXPECT_EQ(after_now(budget.work_end), milliseconds(9'400));
}

// Found by fuzz/runtime_api_fuzz: a Lambda-Runtime-Deadline-Ms of 2^63-1 overflowed the
// conversion to steady-clock nanoseconds (undefined behaviour, in practice a deadline in
// the past).
TEST(TimeBudget, AnyDeadlineNumberIsHeldWithinADay) {
  constexpr auto kDay = std::chrono::hours(24);
  for (const std::int64_t far : {std::numeric_limits<std::int64_t>::max(),
                                 kNowMs + std::chrono::milliseconds(kDay).count() * 1000}) {
    const TimeBudget budget = TimeBudget::starting(far, kNowMs, kNow);
    EXPECT_EQ(after_now(budget.lambda_deadline), kDay) << far;
    EXPECT_EQ(budget.lambda_deadline_ms, kNowMs + milliseconds(kDay).count()) << far;
  }
  for (const std::int64_t past : {std::numeric_limits<std::int64_t>::min(), std::int64_t{1}}) {
    const TimeBudget budget = TimeBudget::starting(past, kNowMs, kNow);
    EXPECT_EQ(after_now(budget.lambda_deadline), -kDay) << past;
  }
}

}  // namespace
}  // namespace ssc::core
