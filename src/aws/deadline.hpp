// Every AWS call, its retries and every push end by a deadline their caller passes. It is a
// steady-clock time point, so that a change of the wall clock can neither stretch nor cut
// it. An invocation's deadlines are made once, in core::TimeBudget; a command or a test
// makes its own.
#pragma once

#include <chrono>
#include <optional>

#include "aws/http.hpp"
#include "time/deadline.hpp"

namespace ssc::aws {

using ssc::Deadline;

// `timeouts` for an attempt that must end by `deadline`: each cut to the time left, or
// nullopt when none is left. Both the AWS clients and the push gateway bound their attempts
// with this.
std::optional<HttpTimeouts> timeouts_until(const HttpTimeouts& timeouts, Deadline deadline);

}  // namespace ssc::aws
