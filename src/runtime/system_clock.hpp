// The real clock: wall-clock epoch milliseconds (the deadlines Lambda hands out are epoch
// milliseconds) and a real sleep.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

#include "core/ports.hpp"

namespace ssc::runtime {

class SystemClock final : public core::Clock {
 public:
  std::int64_t now_ms() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void sleep_ms(std::int64_t milliseconds) override {
    if (milliseconds > 0) std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
  }
};

}  // namespace ssc::runtime
