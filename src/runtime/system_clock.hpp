// The real clocks: wall-clock epoch milliseconds (the deadlines Lambda hands out are epoch
// milliseconds), the steady clock that a TimeBudget's deadlines count on, and a real sleep.
// Stateless: every thread may read and sleep at once.
#pragma once

#include <cstdint>

#include "core/ports.hpp"

namespace ssc::runtime {

class SystemClock final : public core::Clock {
 public:
  std::int64_t now_ms() override;
  core::Deadline steady_now() override;
  void sleep_ms(std::int64_t milliseconds) override;
};

}  // namespace ssc::runtime
