#include "adapters/aws_io_deadline.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "aws/deadline.hpp"

namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

std::int64_t epoch_now_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t steady_left_ms() {
  return std::chrono::duration_cast<milliseconds>(*ssc::aws::current_deadline() - Steady::now())
      .count();
}

TEST(AwsIoDeadline, NoBoundOutsideAnyScope) {
  ssc::adapters::AwsIoDeadline io;
  EXPECT_FALSE(io.current_ms().has_value());
}

TEST(AwsIoDeadline, RunUntilSetsTheAwsLayersDeadlineForTheWorkOnly) {
  ssc::adapters::AwsIoDeadline io;
  bool ran = false;
  io.run_until(epoch_now_ms() + 5'000, [&] {
    ran = true;
    ASSERT_TRUE(ssc::aws::current_deadline().has_value());
    EXPECT_NEAR(static_cast<double>(steady_left_ms()), 5'000.0, 100.0);
    EXPECT_NEAR(static_cast<double>(*io.current_ms() - epoch_now_ms()), 5'000.0, 100.0);
  });
  EXPECT_TRUE(ran);
  EXPECT_FALSE(ssc::aws::current_deadline().has_value());
}

TEST(AwsIoDeadline, AnEarlierBoundInForceStays) {
  ssc::adapters::AwsIoDeadline io;
  const ssc::aws::DeadlineScope outer(Steady::now() + milliseconds(2'000));
  EXPECT_NEAR(static_cast<double>(*io.current_ms() - epoch_now_ms()), 2'000.0, 100.0);
  io.run_until(epoch_now_ms() + 9'000,
               [&] { EXPECT_NEAR(static_cast<double>(steady_left_ms()), 2'000.0, 100.0); });
  io.run_until(epoch_now_ms() + 1'000,
               [&] { EXPECT_NEAR(static_cast<double>(steady_left_ms()), 1'000.0, 100.0); });
  EXPECT_NEAR(static_cast<double>(steady_left_ms()), 2'000.0, 100.0);
}

TEST(AwsIoDeadline, TheBoundIsRestoredWhenTheWorkThrows) {
  ssc::adapters::AwsIoDeadline io;
  EXPECT_THROW(io.run_until(epoch_now_ms() + 1'000, [] { throw std::runtime_error("x"); }),
               std::runtime_error);
  EXPECT_FALSE(ssc::aws::current_deadline().has_value());
}

}  // namespace
