#include "aws/retry.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>

namespace ssc::aws {
namespace {

// The AWS SDKs' standard retry mode: throttling and transient error codes.
constexpr std::array<std::string_view, 17> kRetryableCodes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalFailure",
};

bool known_retryable_code(std::string_view code) {
  return std::find(kRetryableCodes.begin(), kRetryableCodes.end(), code) != kRetryableCodes.end();
}

}  // namespace

double unit_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit_random) {
  using std::chrono::milliseconds;
  const double base = static_cast<double>(std::max<long long>(policy.base_delay.count(), 0));
  const double cap = static_cast<double>(std::max<long long>(policy.max_delay.count(), 0));
  // 2^(retry-1) overflows nothing in double; the cap keeps the result small.
  const double ceiling = std::min(cap, base * std::exp2(std::max(retry, 1) - 1));
  const double fraction = std::clamp(unit_random, 0.0, 1.0);
  return milliseconds{static_cast<long long>(std::floor(ceiling * fraction))};
}

bool is_contention(std::string_view code) {
  constexpr std::string_view kConflict = "TransactionConflictException";
  return code.size() >= kConflict.size() &&
         code.substr(code.size() - kConflict.size()) == kConflict &&
         (code.size() == kConflict.size() || code[code.size() - kConflict.size() - 1] == '#');
}

bool is_retryable(std::string_view code, long http_status) {
  if (is_contention(code)) return true;
  if (http_status >= 500 && http_status <= 599) return true;
  if (known_retryable_code(code)) return true;
  // JSON protocol codes may come qualified ("com.amazonaws.dynamodb.v20120810#Throttling
  // Exception"), query protocol ones prefixed ("AWS.SimpleQueueService.RequestThrottled").
  for (const char separator : {'#', '.'}) {
    const auto pos = code.rfind(separator);
    if (pos != std::string_view::npos && known_retryable_code(code.substr(pos + 1))) return true;
  }
  return false;
}

RetryBudget::RetryBudget(const RetryPolicy& policy, Deadline deadline)
    : policy_(policy), deadline_(deadline), started_(std::chrono::steady_clock::now()) {}

std::optional<std::chrono::milliseconds> RetryBudget::next_delay(bool contention) {
  int& failures = contention ? contention_ : transient_;
  ++failures;
  if (!contention && transient_ >= std::max(policy_.max_attempts, 1)) return std::nullopt;
  RetryPolicy shape = policy_;
  if (contention) {
    shape.base_delay = policy_.contention_base_delay;
    shape.max_delay = std::min(policy_.max_delay, policy_.contention_max_delay);
  }
  const std::chrono::milliseconds delay = backoff_delay(shape, failures, unit_random());
  const auto wake = std::chrono::steady_clock::now() + delay;
  if (!contention && wake - started_ > policy_.max_total) return std::nullopt;
  // Sleeping up to the deadline would leave no time for the next attempt anyway.
  if (wake >= deadline_) return std::nullopt;
  ++attempts_;
  return delay;
}

}  // namespace ssc::aws
