#include "aws/deadline.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>

#include "runtime/app.hpp"
#include "runtime/system_clock.hpp"

namespace ssc::runtime {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

std::int64_t epoch_ms_in(milliseconds from_now) {
  return SystemClock{}.now_ms() + from_now.count();
}

milliseconds from_now(Steady::time_point when) {
  return std::chrono::duration_cast<milliseconds>(when - Steady::now());
}

TEST(WorkDeadline, KeepsASecondBackForTheResponse) {
  const auto left = from_now(work_deadline(epoch_ms_in(milliseconds(10000))));
  EXPECT_NEAR(static_cast<double>(left.count()), 9000.0, 50.0);
}

TEST(WorkDeadline, KeepsAQuarterBackWhenLittleIsLeft) {
  const auto left = from_now(work_deadline(epoch_ms_in(milliseconds(2000))));
  EXPECT_NEAR(static_cast<double>(left.count()), 1500.0, 50.0);
}

// Found by fuzz/runtime_api_fuzz: a Lambda-Runtime-Deadline-Ms of 2^63-1 overflowed the
// conversion to steady-clock nanoseconds (undefined behaviour, in practice a deadline in
// the past).
TEST(WorkDeadline, AnyDeadlineNumberIsHeldWithinADay) {
  constexpr auto kDay = std::chrono::hours(24);
  for (const std::int64_t far :
       {std::numeric_limits<std::int64_t>::max(), epoch_ms_in(kDay * 1000)}) {
    const auto left = from_now(work_deadline(far));
    EXPECT_GT(left, kDay - std::chrono::minutes(1)) << far;
    EXPECT_LE(left, kDay) << far;
  }
  for (const std::int64_t past : {std::numeric_limits<std::int64_t>::min(), std::int64_t{1}}) {
    const auto left = from_now(steady_deadline(past));
    EXPECT_LT(left, -kDay + std::chrono::minutes(1)) << past;
    EXPECT_GE(left, -kDay - std::chrono::minutes(1)) << past;
  }
}

TEST(SystemClock, SleepsTheTimeAsked) {
  SystemClock clock;
  const auto started = Steady::now();
  clock.sleep_ms(50);
  EXPECT_GE(Steady::now() - started, milliseconds(50));
}

TEST(SystemClock, WakesBeforeTheDeadlineEnds) {
  SystemClock clock;
  const aws::DeadlineScope scope(Steady::now() + milliseconds(1200));
  const auto started = Steady::now();
  clock.sleep_ms(60000);
  const auto slept = Steady::now() - started;
  EXPECT_LT(slept, milliseconds(600));
  EXPECT_GE(slept, milliseconds(150));
}

}  // namespace
}  // namespace ssc::runtime
