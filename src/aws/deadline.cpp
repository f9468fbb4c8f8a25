#include "aws/deadline.hpp"

#include <algorithm>

namespace ssc::aws {

std::optional<HttpTimeouts> timeouts_until(const HttpTimeouts& timeouts, Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left <= std::chrono::milliseconds::zero()) return std::nullopt;
  return HttpTimeouts{std::min(timeouts.connect, left), std::min(timeouts.total, left)};
}

}  // namespace ssc::aws
