// The one error family of the AWS layer: failures. Callers catch AwsError and decide on
// code() or retryable(); an expected answer (a condition that did not hold) is never one of
// them but a value (aws/dynamodb.hpp's UpdateOutcome, TransactionOutcome).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

namespace ssc::aws {

// The call an error came from, so that its line says what failed (SPEC section 9): the
// operation (UpdateItem, SendMessage, Publish, ...), the resource it was made on ("table
// UCExportToCrownStatus", "queue https://...", "topic arn:..."; empty when the request names
// none), and how many HTTP attempts were made (0: the deadline had passed before the first).
struct FailedCall {
  std::string operation;
  std::string resource;
  int attempts = 0;
};

class AwsError : public std::runtime_error {
 public:
  AwsError(std::string code, std::string message, std::string request_id, long http_status,
           bool retryable);

  [[nodiscard]] const std::string& code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] const std::string& request_id() const { return request_id_; }
  [[nodiscard]] long http_status() const { return http_status_; }
  [[nodiscard]] bool retryable() const { return retryable_; }

  // Set by AwsClient once its attempts are over; null before (an error built elsewhere).
  [[nodiscard]] const FailedCall* failed_call() const noexcept { return call_.get(); }
  // Records the call and puts it in front of what(): "UpdateItem on table T failed after 5
  // attempts: <code>: <message> (HTTP ...)". Made on the thrown object itself (caught by
  // reference and rethrown), so that the typed errors of a service keep their type.
  void set_failed_call(FailedCall call);

  // The code and message, and the call once it is known.
  [[nodiscard]] const char* what() const noexcept override;

 private:
  std::string code_;
  std::string message_;
  std::string request_id_;
  long http_status_;
  bool retryable_;
  // Shared, so that copying an exception cannot throw.
  std::shared_ptr<const FailedCall> call_;
  std::shared_ptr<const std::string> what_;
};

// No HTTP answer: connection refused or reset, timeout, TLS failure. Always retryable. (A
// set-up of this machine's that no retry can mend, such as an unreadable CA bundle, is a
// ConfigurationError.)
class TransportError : public AwsError {
 public:
  TransportError(const std::string& what_happened, const std::string& url);
};

// A setting is missing or malformed, the one configuration error of every layer: the AWS
// layer's local set-up (region, endpoint URL, profile, credentials files, CA bundle) and the
// program's own settings (runtime/config.hpp). The message names the setting; no retry can
// mend it.
class ConfigurationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ssc::aws
