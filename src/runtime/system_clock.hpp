// The real clock: wall-clock epoch milliseconds (the deadlines Lambda hands out are epoch
// milliseconds) and a real sleep that never outlives the invocation's deadline. Stateless:
// every thread may read and sleep at once, each bounded by its own deadline.
#pragma once

#include <cstdint>

#include "core/ports.hpp"

namespace ssc::runtime {

class SystemClock final : public core::Clock {
 public:
  std::int64_t now_ms() override;
  // Sleeps, but wakes in time to leave a second before the current aws::DeadlineScope
  // ends (with a WARNING when that cuts the sleep short): a Lambda that sleeps past its
  // deadline is killed, its response is lost and its whole batch comes back.
  void sleep_ms(std::int64_t milliseconds) override;
};

}  // namespace ssc::runtime
