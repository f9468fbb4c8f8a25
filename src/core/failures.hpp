// The exceptions that fail a message, in one place: the handler turns each into a failed
// item of the batch (SPEC section 5), and the Lambda's ERROR line names its type. Anything
// else a port throws (an AWS error, a timeout) fails the message too, under its own type.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace ssc::core {

// The message cannot be processed (SPEC section 1): it is rejected, not retried into
// success. Lists every reason, e.g. "export_date is empty".
class InvalidMessage : public std::runtime_error {
 public:
  explicit InvalidMessage(std::vector<std::string> problems);
  [[nodiscard]] const std::vector<std::string>& problems() const { return problems_; }

 private:
  std::vector<std::string> problems_;
};

// The collection's row does not exist; the message is failed, nothing is written.
class CollectionNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A _success file met its collection's Received effects still under way in a live
// invocation: the message fails and comes back once they are done.
class EffectsStillPending : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ssc::core
