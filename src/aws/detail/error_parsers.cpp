#include "aws/detail/error_parsers.hpp"

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <utility>

#include "aws/retry.hpp"

namespace ssc::aws::detail {
namespace {

std::string json_string(const nlohmann::json& object, const char* name) {
  const auto found = object.find(name);
  if (found != object.end() && found->is_string()) return found->get<std::string>();
  return {};
}

std::string request_id_of(const HttpResponse& response) {
  std::string id = response.header("x-amzn-requestid");
  if (id.empty()) id = response.header("x-amz-request-id");
  return id;
}

// A short, printable excerpt of a body for an error message: enough to recognise an HTML
// error page from a proxy, never the whole of it.
std::string excerpt(const std::string& body) {
  constexpr std::size_t kMax = 120;
  std::string out;
  for (const char c : body.substr(0, kMax)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  if (body.size() > kMax) out += "...";
  return out;
}

// Throttling answers from some front ends carry no body worth reading; the status alone
// then has to say what happened.
std::string code_for_status(long status) {
  if (status == 429) return "Throttling";
  if (status == 503) return "ServiceUnavailable";
  if (status >= 500) return "InternalFailure";
  return "HttpStatus" + std::to_string(status);
}

}  // namespace

AwsError make_service_error(std::string code, std::string message, std::string request_id,
                            long http_status) {
  const bool retryable = is_retryable(code, http_status);
  return AwsError(std::move(code), std::move(message), std::move(request_id), http_status,
                  retryable);
}

AwsError malformed_response(const std::string& service, const HttpResponse& response,
                            const std::string& why) {
  std::string message = service + " answered HTTP " + std::to_string(response.status) +
                        " with a body that is not " + why;
  if (!response.body.empty()) message += ": \"" + excerpt(response.body) + "\"";
  return make_service_error(kMalformedResponse, std::move(message), request_id_of(response),
                            response.status);
}

AwsError parse_json_error(const std::string& service, const HttpResponse& response) {
  std::string code;
  std::string message;
  if (!response.body.empty()) {
    const auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      if (response.header("x-amzn-query-error").empty()) {
        return malformed_response(service, response, "a JSON error object");
      }
    } else {
      code = json_string(body, "__type");
      if (const auto hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
      message = json_string(body, "message");
      if (message.empty()) message = json_string(body, "Message");
    }
  }
  const std::string query_error = response.header("x-amzn-query-error");
  if (!query_error.empty()) code = query_error.substr(0, query_error.find(';'));
  if (code.empty()) code = code_for_status(response.status);
  if (message.empty()) message = service + " answered HTTP " + std::to_string(response.status);
  return make_service_error(std::move(code), std::move(message), request_id_of(response),
                            response.status);
}

AwsError parse_query_error(const std::string& service, const HttpResponse& response) {
  if (response.body.empty()) {
    return make_service_error(code_for_status(response.status),
                              service + " answered HTTP " + std::to_string(response.status),
                              request_id_of(response), response.status);
  }
  pugi::xml_document document;
  if (!document.load_buffer(response.body.data(), response.body.size())) {
    return malformed_response(service, response, "an XML error document");
  }
  // The query protocol wraps the error in <ErrorResponse>; some front ends answer a bare
  // <Error>. Both are read the same way.
  pugi::xml_node root = document.child("ErrorResponse");
  pugi::xml_node error = root ? root.child("Error") : document.child("Error");
  if (!error) return malformed_response(service, response, "an XML <ErrorResponse>");
  std::string code = error.child_value("Code");
  std::string message = error.child_value("Message");
  std::string request_id = root ? root.child_value("RequestId") : error.child_value("RequestId");
  if (request_id.empty()) request_id = request_id_of(response);
  if (code.empty()) code = code_for_status(response.status);
  if (message.empty()) message = service + " answered HTTP " + std::to_string(response.status);
  return make_service_error(std::move(code), std::move(message), std::move(request_id),
                            response.status);
}

ErrorParser json_error_parser(std::string service) {
  return [service = std::move(service)](const HttpResponse& response) {
    return parse_json_error(service, response);
  };
}

ErrorParser query_error_parser(std::string service) {
  return [service = std::move(service)](const HttpResponse& response) {
    return parse_query_error(service, response);
  };
}

}  // namespace ssc::aws::detail
