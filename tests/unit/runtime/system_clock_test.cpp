#include "runtime/system_clock.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace ssc::runtime {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

TEST(SystemClock, SleepsTheTimeAsked) {
  SystemClock clock;
  const auto started = Steady::now();
  clock.sleep_ms(50);
  EXPECT_GE(Steady::now() - started, milliseconds(50));
}

TEST(SystemClock, ReadsTheSteadyClock) {
  SystemClock clock;
  const auto before = Steady::now();
  const auto read = clock.steady_now();
  EXPECT_LE(before, read);
  EXPECT_LE(read, Steady::now());
}

}  // namespace
}  // namespace ssc::runtime
