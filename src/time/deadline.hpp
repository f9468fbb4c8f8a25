// The moment a call must end by, declared once for every layer: the AWS clients, the push
// gateway and the core's time budget (core/time_budget.hpp) all take it. A steady-clock time
// point, so that a change of the wall clock can neither stretch nor cut it.
#pragma once

#include <chrono>

namespace ssc {

using Deadline = std::chrono::steady_clock::time_point;

}  // namespace ssc
