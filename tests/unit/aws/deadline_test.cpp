#include "aws/deadline.hpp"

#include <gtest/gtest.h>

#include <thread>

using namespace ssc::aws;
using namespace std::chrono_literals;

namespace {

TEST(Deadline, ScopeSetsAndRestores) {
  EXPECT_FALSE(current_deadline().has_value());
  const auto when = std::chrono::steady_clock::now() + 5s;
  {
    DeadlineScope scope(when);
    ASSERT_TRUE(current_deadline().has_value());
    EXPECT_EQ(*current_deadline(), when);
  }
  EXPECT_FALSE(current_deadline().has_value());
}

TEST(Deadline, NestedScopeMayShortenButNotExtend) {
  const auto outer = std::chrono::steady_clock::now() + 5s;
  DeadlineScope outer_scope(outer);
  {
    DeadlineScope longer(outer + 10s);
    EXPECT_EQ(*current_deadline(), outer);
  }
  {
    DeadlineScope shorter(outer - 2s);
    EXPECT_EQ(*current_deadline(), outer - 2s);
  }
  EXPECT_EQ(*current_deadline(), outer);
}

TEST(Deadline, IsPerThread) {
  DeadlineScope scope(std::chrono::steady_clock::now() + 5s);
  bool other_thread_has_one = true;
  std::thread([&] { other_thread_has_one = current_deadline().has_value(); }).join();
  EXPECT_FALSE(other_thread_has_one);
}

}  // namespace
