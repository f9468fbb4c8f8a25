#include "runtime/system_clock.hpp"

#include <chrono>
#include <thread>

#include "aws/deadline.hpp"
#include "log/log.hpp"

namespace ssc::runtime {

namespace {
// Time kept back after a cut sleep for the work that follows it (the metrics deletion).
constexpr std::chrono::milliseconds kReserve{1000};
}  // namespace

std::int64_t SystemClock::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SystemClock::sleep_ms(std::int64_t milliseconds) {
  if (milliseconds <= 0) return;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(milliseconds);
  if (const auto deadline = aws::current_deadline(); deadline && until > *deadline - kReserve) {
    until = *deadline - kReserve;
    log::warning("clock", "the wait is cut short by the invocation's deadline",
                 {{"requested_ms", std::to_string(milliseconds)}});
  }
  std::this_thread::sleep_until(until);
}

}  // namespace ssc::runtime
