// Retries as the SDKs' standard mode: throttling, 5xx and transient network errors,
// exponential backoff with full jitter, capped in attempts and in total time.
//
// Contention is not failure (SPEC section 5): a write that met another transaction on its
// item (TransactionConflictException, or a transaction cancelled for TransactionConflict)
// is retried with the same backoff until the deadline, however many attempts that takes.
// Under a hot collection that can be dozens; a fixed number of attempts would fail
// messages that only had to wait their turn.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

#include "aws/aws_error.hpp"
#include "aws/deadline.hpp"

namespace ssc::aws {

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base_delay{25};
  std::chrono::milliseconds max_delay{2000};
  std::chrono::milliseconds max_total{20000};  // on top of the invocation deadline
  // Contention's backoff: from its own base, up to its own cap. A conflict says the item is
  // held by another transaction, and on a hot row by many in turn: retrying sooner than a
  // few of their prepare phases only meets them again. Chosen from the hot-collection
  // figures (docs/performance.md): from 25 ms, 50 invocations on one row sent 0.68
  // transactions per file of batches of 10; from 100 ms, 0.42.
  std::chrono::milliseconds contention_base_delay{100};
  std::chrono::milliseconds contention_max_delay{2000};
};

// Delay before retry number `retry` (1 for the first retry): uniform in
// [0, min(max_delay, base_delay * 2^(retry-1))]. `unit_random` is in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit_random);

// Uniform in [0, 1), from a generator of the calling thread's own: for the jitter.
double unit_random();

// Whether an error answer is worth another attempt: throttling codes, 5xx, and contention.
// Decided once, where the answer is parsed (AwsError::retryable); TransportError always is.
bool is_retryable(std::string_view code, long http_status);

// Another transaction held the item (TransactionConflictException): retried until the
// deadline, never failed for its number of attempts.
bool is_contention(std::string_view code);

// How long to wait before the next attempt, counting failures of each kind apart: the
// transient ones run up the attempts and the total time, contention does not. nullopt when
// the policy's attempts or total time are spent or the wait would reach `deadline`.
class RetryBudget {
 public:
  RetryBudget(const RetryPolicy& policy, Deadline deadline);
  std::optional<std::chrono::milliseconds> next_delay(bool contention);
  [[nodiscard]] int attempts() const { return attempts_; }

 private:
  RetryPolicy policy_;
  Deadline deadline_;
  std::chrono::steady_clock::time_point started_;
  int attempts_ = 1;   // the one under way
  int transient_ = 0;  // failures that count against the policy
  int contention_ = 0;
};

}  // namespace ssc::aws
