#include "aws/deadline.hpp"

#include <gtest/gtest.h>

using namespace ssc::aws;
using namespace std::chrono_literals;

namespace {

TEST(TimeoutsUntil, CutsBothTimeoutsToTheTimeLeft) {
  const auto cut = timeouts_until({2000ms, 10000ms}, std::chrono::steady_clock::now() + 1500ms);
  ASSERT_TRUE(cut.has_value());
  EXPECT_LE(cut->connect, 1500ms);
  EXPECT_GT(cut->connect, 1400ms);
  EXPECT_EQ(cut->connect, cut->total);
}

TEST(TimeoutsUntil, KeepsTimeoutsThatEndBeforeTheDeadline) {
  const auto cut = timeouts_until({2000ms, 10000ms}, std::chrono::steady_clock::now() + 60s);
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ(cut->connect, 2000ms);
  EXPECT_EQ(cut->total, 10000ms);
}

TEST(TimeoutsUntil, NoneWhenTheDeadlineHasPassed) {
  EXPECT_FALSE(timeouts_until({}, std::chrono::steady_clock::now() - 1ms).has_value());
  EXPECT_FALSE(timeouts_until({}, std::chrono::steady_clock::now()).has_value());
}

}  // namespace
