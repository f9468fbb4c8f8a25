// The end of an invocation or of an operator command, for the metrics (SPEC section 7): each
// run's series pushed, then, when a run finished, one wait for the final scrape and the
// finished runs' series deleted. The Lambda's handler and the operator's finish-effects both
// end this way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ports.hpp"
#include "core/time_budget.hpp"

namespace ssc::core {

struct RunsToPublish {
  std::vector<std::string> pushed;    // correlation ids, each pushed once, in this order
  std::vector<std::string> finished;  // runs whose series go once the scrape has seen them
};

// When each step ends: the pushes and deletions by io_end, the scrape wait by wait_end
// (cut short, with a WARNING, when the whole interval does not fit before it).
struct PublicationEnds {
  Deadline io_end;
  Deadline wait_end;
};

// Never throws for a failed push or deletion: what the metrics report is done whatever
// becomes of them, so each failure is a log line (a WARNING for a push, an ERROR for a
// deletion, which leaves a group nobody deletes) and the rest goes on.
void publish_run_metrics(const RunsToPublish& runs, MetricsPublisher& publisher, Clock& clock,
                         std::int64_t scrape_interval_seconds, const PublicationEnds& ends);

// The scrape wait alone: sleeps the interval, or what is left of it before `wait_end`.
void wait_for_scrape(Clock& clock, std::int64_t scrape_interval_seconds, Deadline wait_end);

}  // namespace ssc::core
