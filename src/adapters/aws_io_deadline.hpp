// The core's IoDeadline on the AWS layer's thread-local deadline (aws::DeadlineScope), which
// bounds every AWS attempt and retry and every push to the gateway. The core counts in
// epoch milliseconds, the AWS layer on the steady clock: this converts at the moment of use.
// Stateless: concurrent calls from several threads each read and set their own thread's
// bound.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "core/ports.hpp"

namespace ssc::adapters {

class AwsIoDeadline final : public core::IoDeadline {
 public:
  std::optional<std::int64_t> current_ms() override;
  void run_until(std::int64_t deadline_ms, const std::function<void()>& work) override;
};

}  // namespace ssc::adapters
