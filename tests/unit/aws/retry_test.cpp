#include "aws/retry.hpp"

#include <gtest/gtest.h>

using namespace ssc::aws;
using namespace std::chrono_literals;

namespace {

TEST(Backoff, FullJitterWithinExponentialCeiling) {
  RetryPolicy policy;
  policy.base_delay = 25ms;
  policy.max_delay = 2000ms;
  EXPECT_EQ(backoff_delay(policy, 1, 0.0), 0ms);
  EXPECT_LE(backoff_delay(policy, 1, 0.999), 25ms);
  EXPECT_EQ(backoff_delay(policy, 1, 0.5), 12ms);
  EXPECT_EQ(backoff_delay(policy, 3, 0.5), 50ms);  // ceiling 100ms
  EXPECT_LE(backoff_delay(policy, 3, 0.9999), 100ms);
  EXPECT_GE(backoff_delay(policy, 3, 0.9999), 99ms);
}

TEST(Backoff, CappedAtMaxDelayEvenForHugeRetryNumbers) {
  RetryPolicy policy;
  policy.base_delay = 25ms;
  policy.max_delay = 2000ms;
  EXPECT_LE(backoff_delay(policy, 10, 0.9999), 2000ms);
  EXPECT_GE(backoff_delay(policy, 10, 0.9999), 1999ms);
  EXPECT_LE(backoff_delay(policy, 5000, 0.9999), 2000ms);
  EXPECT_GE(backoff_delay(policy, 0, 0.5), 0ms);
}

TEST(Backoff, EveryDrawIsInBounds) {
  RetryPolicy policy;
  for (int retry = 1; retry <= 12; ++retry) {
    for (double r = 0.0; r < 1.0; r += 0.05) {
      const auto delay = backoff_delay(policy, retry, r);
      EXPECT_GE(delay, 0ms);
      EXPECT_LE(delay, policy.max_delay);
    }
  }
}

TEST(IsRetryable, ThrottlingCodes) {
  for (const char* code :
       {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
        "TooManyRequestsException", "Throttling", "RequestThrottled", "SlowDown",
        "TransactionInProgressException", "RequestThrottledException"}) {
    EXPECT_TRUE(is_retryable(code, 400)) << code;
  }
}

TEST(IsRetryable, QualifiedCodes) {
  EXPECT_TRUE(is_retryable("com.amazonaws.dynamodb.v20120810#ThrottlingException", 400));
  EXPECT_TRUE(is_retryable("AWS.SimpleQueueService.RequestThrottled", 403));
  EXPECT_FALSE(is_retryable("AWS.SimpleQueueService.NonExistentQueue", 400));
}

TEST(IsRetryable, ServerErrorsAndTransport) {
  EXPECT_TRUE(is_retryable("InternalServerError", 500));
  EXPECT_TRUE(is_retryable("Anything", 503));
  EXPECT_TRUE(TransportError("Connection refused", "http://127.0.0.1:1/").retryable());
}

TEST(IsRetryable, ClientErrorsAreFinal) {
  EXPECT_FALSE(is_retryable("ValidationException", 400));
  EXPECT_FALSE(is_retryable("ConditionalCheckFailedException", 400));
  EXPECT_FALSE(is_retryable("ResourceNotFoundException", 400));
  EXPECT_FALSE(is_retryable("AccessDeniedException", 403));
}

TEST(RetryBudget, TransientFailuresStopAtThePolicysAttempts) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.base_delay = 0ms;
  policy.max_delay = 0ms;
  RetryBudget budget(policy, std::chrono::steady_clock::now() + 1min);
  EXPECT_TRUE(budget.next_delay(false));
  EXPECT_TRUE(budget.next_delay(false));
  EXPECT_FALSE(budget.next_delay(false));  // the third failure was the third attempt
  EXPECT_EQ(budget.attempts(), 3);
}

TEST(RetryBudget, ContentionIsRetriedPastThePolicysAttemptsUntilTheDeadline) {
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.max_total = 0ms;  // not even the total time bounds contention: only the deadline
  policy.contention_base_delay = 0ms;
  RetryBudget budget(policy, std::chrono::steady_clock::now() + 1min);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(budget.next_delay(true)) << i;
  EXPECT_EQ(budget.attempts(), 51);
  RetryBudget past(policy, std::chrono::steady_clock::now());
  EXPECT_FALSE(past.next_delay(true));
}

TEST(RetryBudget, ContentionBacksOffFromItsOwnBaseToItsOwnCap) {
  RetryPolicy policy;
  policy.base_delay = 25ms;
  policy.max_delay = 2000ms;
  policy.contention_base_delay = 100ms;
  policy.contention_max_delay = 400ms;
  RetryBudget budget(policy, std::chrono::steady_clock::now() + 1h);
  for (int i = 0; i < 20; ++i) {
    const auto delay = budget.next_delay(true);
    ASSERT_TRUE(delay);
    EXPECT_LE(*delay, i == 0 ? 100ms : i == 1 ? 200ms : 400ms);
  }
  EXPECT_TRUE(is_contention("com.amazonaws.dynamodb.v20120810#TransactionConflictException"));
  EXPECT_TRUE(is_contention("TransactionConflictException"));
  EXPECT_FALSE(is_contention("NotTransactionConflictException"));
  EXPECT_TRUE(is_retryable("TransactionConflictException", 400));
}

}  // namespace
