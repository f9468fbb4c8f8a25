#include "runtime/system_clock.hpp"

#include <chrono>
#include <thread>

namespace ssc::runtime {

std::int64_t SystemClock::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::Deadline SystemClock::steady_now() { return std::chrono::steady_clock::now(); }

void SystemClock::sleep_ms(std::int64_t milliseconds) {
  if (milliseconds > 0) std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
}

}  // namespace ssc::runtime
