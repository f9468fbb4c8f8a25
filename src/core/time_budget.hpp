// The time of one invocation, made once when it starts and passed to what needs it: every
// AWS call and every push takes the moment it must end by as an argument. What ends by each
// of lambda_deadline, io_end, wait_end and work_end, and what is kept back after it:
// docs/design.md, "Time: one budget per invocation".
#pragma once

#include <chrono>
#include <cstdint>

#include "time/deadline.hpp"

namespace ssc::core {

class Clock;

using ssc::Deadline;

// What is kept back at each end: the smaller of a fixed time and a share of the time left.
struct ReservePolicy {
  // Before Lambda's deadline, for posting the answer after the last request gave up.
  std::chrono::milliseconds response_margin_max{1000};
  double response_margin_share = 0.25;
  // Before io_end, for the metrics: the share is of the time left for I/O.
  std::chrono::milliseconds work_reserve_max{3000};
  double work_reserve_share = 0.2;
  // Before wait_end, for the scrape wait (METRICS_SCRAPE_INTERVAL_SECONDS): at most half
  // the time left, so that a short invocation still processes its messages.
  std::chrono::milliseconds scrape_wait{0};
  double scrape_wait_share = 0.5;

  // The smaller of `max` and `share` of `left`: never negative, never more than `left`.
  static std::chrono::milliseconds kept_back(std::chrono::milliseconds left,
                                             std::chrono::milliseconds max, double share);
};

struct TimeBudget {
  // Epoch ms, as the Runtime API gave it but held within a day of now (Lambda's longest
  // timeout is 15 minutes; a header may hold any number). The pending marks carry it.
  std::int64_t lambda_deadline_ms = 0;
  Deadline lambda_deadline;
  Deadline io_end;
  Deadline wait_end;
  Deadline work_end;

  // The budget of an invocation that Lambda ends at `lambda_deadline_ms` (epoch ms), with
  // both clocks read once, at the start: `now_ms` (epoch ms) and `now`.
  static TimeBudget starting(std::int64_t lambda_deadline_ms, std::int64_t now_ms, Deadline now,
                             const ReservePolicy& policy = {});
  // The same, reading `clock`.
  static TimeBudget starting(std::int64_t lambda_deadline_ms, Clock& clock,
                             const ReservePolicy& policy = {});
};

}  // namespace ssc::core
