#include "aws/deadline.hpp"

#include <algorithm>

namespace ssc::aws {
namespace {

thread_local std::optional<Deadline> t_deadline;

}  // namespace

std::optional<Deadline> current_deadline() { return t_deadline; }

// A nested scope may shorten the deadline but never extend the one around it: the outer
// owner (the invocation) still has to answer in time.
DeadlineScope::DeadlineScope(Deadline deadline) : previous_(t_deadline) {
  t_deadline = previous_ ? std::min(*previous_, deadline) : deadline;
}

DeadlineScope::~DeadlineScope() { t_deadline = previous_; }

}  // namespace ssc::aws
