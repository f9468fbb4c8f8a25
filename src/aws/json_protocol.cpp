#include "aws/json_protocol.hpp"

#include <utility>

#include "aws/error_parsers.hpp"

namespace ssc::aws {

nlohmann::json call_json_protocol(AwsClient& client, const std::string& service,
                                  std::string_view target_prefix, std::string_view operation,
                                  const nlohmann::json& request) {
  HttpRequest http;
  http.method = "POST";
  http.url = "/";
  http.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                  {"X-Amz-Target", std::string(target_prefix) + std::string(operation)}};
  http.body = request.dump();
  const HttpResponse response = client.call(std::move(http));
  if (response.body.empty()) return nlohmann::json::object();
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    throw malformed_response(service, response,
                             "a JSON object (answer to " + std::string(operation) + ")");
  }
  return body;
}

}  // namespace ssc::aws
