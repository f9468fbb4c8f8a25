#include "aws/detail/json_protocol.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "aws/detail/error_parsers.hpp"

namespace ssc::aws::detail {
namespace {

std::string string_member(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return {};
  const auto found = object.find(name);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// The tables of TransactItems, each once, in request order.
std::vector<std::string> transaction_tables(const nlohmann::json& items) {
  std::vector<std::string> tables;
  if (!items.is_array()) return tables;
  for (const auto& item : items) {
    if (!item.is_object()) continue;
    for (const auto& [action, body] : item.items()) {
      const std::string table = string_member(body, "TableName");
      if (!table.empty() && std::find(tables.begin(), tables.end(), table) == tables.end()) {
        tables.push_back(table);
      }
    }
  }
  return tables;
}

}  // namespace

std::string resource_of(const nlohmann::json& request) {
  if (const std::string table = string_member(request, "TableName"); !table.empty()) {
    return "table " + table;
  }
  if (const std::string queue = string_member(request, "QueueUrl"); !queue.empty()) {
    return "queue " + queue;
  }
  if (!request.is_object() || !request.contains("TransactItems")) return {};
  const auto tables = transaction_tables(request.at("TransactItems"));
  return tables_resource(tables);
}

JsonAnswer call_json_protocol(AwsClient& client, const std::string& service,
                              std::string_view target_prefix, std::string_view operation,
                              JsonRequest request, Deadline deadline) {
  HttpRequest http;
  http.method = "POST";
  http.url = "/";
  http.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                  {"X-Amz-Target", std::string(target_prefix) + std::string(operation)}};
  http.body = std::move(request.text);
  Answer answer = client.call(std::move(http), std::string(operation), request.resource, deadline);
  JsonAnswer result{nlohmann::json::object(), std::move(answer.refusal), answer.attempts};
  if (answer.response.body.empty()) return result;
  auto body = nlohmann::json::parse(answer.response.body, nullptr, false);
  if (!body.is_discarded() && body.is_object()) {
    result.body = std::move(body);
  } else if (!result.refusal) {
    // A refusal's code came from its body or a header; what else it holds is optional.
    throw malformed_response(service, answer.response,
                             "a JSON object (answer to " + std::string(operation) + ")");
  }
  return result;
}

}  // namespace ssc::aws::detail
