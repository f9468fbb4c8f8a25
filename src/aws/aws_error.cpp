#include "aws/aws_error.hpp"

#include <utility>

namespace ssc::aws {
namespace {

std::string describe(const std::string& code, const std::string& message,
                     const std::string& request_id, long http_status) {
  std::string text = code;
  if (!message.empty()) text += ": " + message;
  if (http_status != 0) text += " (HTTP " + std::to_string(http_status);
  if (!request_id.empty())
    text += (http_status != 0 ? ", " : " (") + std::string("request id ") + request_id;
  if (http_status != 0 || !request_id.empty()) text += ")";
  return text;
}

std::string describe(const FailedCall& call) {
  std::string text = call.operation.empty() ? std::string("AWS request") : call.operation;
  if (!call.resource.empty()) text += " on " + call.resource;
  text += " failed after " + std::to_string(call.attempts) +
          (call.attempts == 1 ? " attempt" : " attempts");
  return text;
}

}  // namespace

AwsError::AwsError(std::string code, std::string message, std::string request_id, long http_status,
                   bool retryable)
    : std::runtime_error(describe(code, message, request_id, http_status)),
      code_(std::move(code)),
      message_(std::move(message)),
      request_id_(std::move(request_id)),
      http_status_(http_status),
      retryable_(retryable) {}

void AwsError::set_failed_call(FailedCall call) {
  what_ = std::make_shared<const std::string>(describe(call) + ": " +
                                              describe(code_, message_, request_id_, http_status_));
  call_ = std::make_shared<const FailedCall>(std::move(call));
}

const char* AwsError::what() const noexcept {
  return what_ ? what_->c_str() : std::runtime_error::what();
}

TransportError::TransportError(const std::string& what_happened, const std::string& url)
    : AwsError("TransportError", what_happened + " (" + url + ")", "", 0, true) {}

}  // namespace ssc::aws
