#include "core/time_budget.hpp"

#include <algorithm>

#include "core/ports.hpp"

namespace ssc::core {

using std::chrono::milliseconds;

milliseconds ReservePolicy::kept_back(milliseconds left, milliseconds max, double share) {
  if (left <= milliseconds::zero()) return milliseconds::zero();
  const milliseconds by_share(
      static_cast<std::int64_t>(static_cast<double>(left.count()) * std::clamp(share, 0.0, 1.0)));
  return std::clamp(std::min(max, by_share), milliseconds::zero(), left);
}

TimeBudget TimeBudget::starting(std::int64_t lambda_deadline_ms, std::int64_t now_ms, Deadline now,
                                const ReservePolicy& policy) {
  // Held within a day so that neither the subtraction nor the steady clock's nanoseconds
  // can overflow.
  constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
  TimeBudget budget;
  budget.lambda_deadline_ms = std::clamp(lambda_deadline_ms, now_ms - kDayMs, now_ms + kDayMs);
  const milliseconds left(budget.lambda_deadline_ms - now_ms);
  budget.lambda_deadline = now + left;
  const milliseconds margin =
      ReservePolicy::kept_back(left, policy.response_margin_max, policy.response_margin_share);
  budget.io_end = budget.lambda_deadline - margin;
  const milliseconds reserve =
      ReservePolicy::kept_back(left - margin, policy.work_reserve_max, policy.work_reserve_share);
  budget.wait_end = budget.io_end - reserve;
  budget.work_end =
      budget.wait_end - ReservePolicy::kept_back(left - margin - reserve, policy.scrape_wait,
                                                 policy.scrape_wait_share);
  return budget;
}

TimeBudget TimeBudget::starting(std::int64_t lambda_deadline_ms, Clock& clock,
                                const ReservePolicy& policy) {
  return starting(lambda_deadline_ms, clock.now_ms(), clock.steady_now(), policy);
}

}  // namespace ssc::core
