// The one error family of the AWS layer. Callers catch AwsError and decide on
// code() (e.g. ConditionalCheckFailedException) or retryable().
#pragma once

#include <stdexcept>
#include <string>

namespace ssc::aws {

class AwsError : public std::runtime_error {
 public:
  AwsError(std::string code, std::string message, std::string request_id, long http_status,
           bool retryable);

  [[nodiscard]] const std::string& code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] const std::string& request_id() const { return request_id_; }
  [[nodiscard]] long http_status() const { return http_status_; }
  [[nodiscard]] bool retryable() const { return retryable_; }

 private:
  std::string code_;
  std::string message_;
  std::string request_id_;
  long http_status_;
  bool retryable_;
};

// No HTTP answer: connection refused or reset, timeout, TLS failure. Always retryable. (A
// set-up of this machine's that no retry can mend, such as an unreadable CA bundle, is a
// ConfigError.)
class TransportError : public AwsError {
 public:
  TransportError(const std::string& what_happened, const std::string& url);
};

// Bad local set-up: missing region, unknown profile, malformed credentials file.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ssc::aws
