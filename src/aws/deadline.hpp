// The invocation's deadline bounds every AWS call and its retries. It travels as a
// thread-local set by the handler (RAII), so the ports need not carry it. Being
// thread-local, a scope bounds the calls of the thread that opened it only: a thread that
// works for another (a batch worker) opens its own.
#pragma once

#include <chrono>
#include <optional>

namespace ssc::aws {

using Deadline = std::chrono::steady_clock::time_point;

std::optional<Deadline> current_deadline();

class DeadlineScope {
 public:
  explicit DeadlineScope(Deadline deadline);
  ~DeadlineScope();
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

 private:
  std::optional<Deadline> previous_;
};

}  // namespace ssc::aws
