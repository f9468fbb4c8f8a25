// The Lambda: the wiring (runtime/wiring.hpp) and the batch handler, built once per process
// and used for every invocation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "runtime/config.hpp"

namespace ssc::runtime {

// The invocation's payload is not JSON at all.
class InvalidEvent : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Application {
 public:
  // Throws ConfigurationError for a bad set-up, before any message is touched.
  explicit Application(const Config& config);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  // Handles one Lambda event (its JSON text) that Lambda ends at `deadline_ms` (epoch ms),
  // within the invocation's core::TimeBudget: returns the partial batch response as JSON
  // text. Throws when the invocation fails as a whole (an
  // event that is not JSON, or a single-message event whose message failed).
  std::string handle(const std::string& event_text, std::int64_t deadline_ms);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace ssc::runtime
