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

}  // namespace

AwsError::AwsError(std::string code, std::string message, std::string request_id, long http_status,
                   bool retryable)
    : std::runtime_error(describe(code, message, request_id, http_status)),
      code_(std::move(code)),
      message_(std::move(message)),
      request_id_(std::move(request_id)),
      http_status_(http_status),
      retryable_(retryable) {}

TransportError::TransportError(const std::string& what_happened, const std::string& url)
    : AwsError("TransportError", what_happened + " (" + url + ")", "", 0, true) {}

}  // namespace ssc::aws
