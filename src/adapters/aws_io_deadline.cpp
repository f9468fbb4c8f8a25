#include "adapters/aws_io_deadline.hpp"

#include <chrono>

#include "aws/deadline.hpp"

namespace ssc::adapters {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

std::int64_t epoch_now_ms() {
  return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::optional<std::int64_t> AwsIoDeadline::current_ms() {
  const auto bound = aws::current_deadline();
  if (!bound) return std::nullopt;
  return epoch_now_ms() + duration_cast<milliseconds>(*bound - Steady::now()).count();
}

void AwsIoDeadline::run_until(std::int64_t deadline_ms, const std::function<void()>& work) {
  // Nested scopes only shorten: an earlier bound set by the runtime stays in force.
  const aws::DeadlineScope scope(Steady::now() + milliseconds(deadline_ms - epoch_now_ms()));
  work();
}

}  // namespace ssc::adapters
