// Retries as the SDKs' standard mode: throttling, 5xx and transient network errors,
// exponential backoff with full jitter, capped in attempts and in total time.
#pragma once

#include <chrono>
#include <functional>

#include "aws/aws_error.hpp"

namespace ssc::aws {

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds base_delay{25};
  std::chrono::milliseconds max_delay{2000};
  std::chrono::milliseconds max_total{20000};  // on top of the invocation deadline
};

// Delay before retry number `retry` (1 for the first retry): uniform in
// [0, min(max_delay, base_delay * 2^(retry-1))]. `unit_random` is in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit_random);

// Uniform in [0, 1), from a generator of the calling thread's own: for the jitter.
double unit_random();

// Throttling codes, 5xx, TransportError.
bool is_retryable(const AwsError& error);

}  // namespace ssc::aws
