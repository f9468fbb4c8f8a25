#include "aws/dynamodb.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <utility>

#include "aws/detail/error_parsers.hpp"
#include "aws/detail/json_protocol.hpp"
#include "log/log.hpp"

namespace ssc::aws {
namespace {

constexpr const char* kService = "dynamodb";
constexpr const char* kTargetPrefix = "DynamoDB_20120810.";

AwsError malformed_item(const std::string& name, const std::string& what) {
  return detail::make_service_error(detail::kMalformedResponse,
                                    "dynamodb item attribute " + name + " " + what, "", 0);
}

std::optional<nlohmann::json> optional_object(const nlohmann::json& body, const char* name) {
  const auto found = body.find(name);
  if (found == body.end() || !found->is_object()) return std::nullopt;
  return *found;
}

std::vector<CancellationReason> cancellation_reasons(const nlohmann::json& body) {
  std::vector<CancellationReason> reasons;
  const auto found = body.find("CancellationReasons");
  if (found == body.end() || !found->is_array()) return reasons;
  for (const auto& entry : *found) {
    if (!entry.is_object()) continue;
    CancellationReason reason;
    if (const auto code = entry.find("Code"); code != entry.end() && code->is_string()) {
      reason.code = code->get<std::string>();
    }
    if (const auto message = entry.find("Message");
        message != entry.end() && message->is_string()) {
      reason.message = message->get<std::string>();
    }
    reason.item = optional_object(entry, "Item");
    reasons.push_back(std::move(reason));
  }
  return reasons;
}

bool has_reason(const std::vector<CancellationReason>& reasons, std::string_view code) {
  return std::any_of(reasons.begin(), reasons.end(),
                     [&](const CancellationReason& reason) { return reason.code == code; });
}

// Every reason is one of `codes`, "None" (an action that would have succeeded) or empty.
bool only_reasons(const std::vector<CancellationReason>& reasons,
                  std::initializer_list<std::string_view> codes) {
  return std::all_of(reasons.begin(), reasons.end(), [&](const CancellationReason& reason) {
    return reason.code.empty() || reason.code == "None" ||
           std::find(codes.begin(), codes.end(), reason.code) != codes.end();
  });
}

// A whole string as a base-10 int64; nullopt when it is anything else.
std::optional<std::int64_t> parse_int64(std::string_view text) {
  std::int64_t value = 0;
  const char* const end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

constexpr std::string_view kConflict = "TransactionConflict";
constexpr std::string_view kConditionFailed = "ConditionalCheckFailed";
constexpr const char* kConditionalCheckFailedException = "ConditionalCheckFailedException";
constexpr const char* kTransactionCanceledException = "TransactionCanceledException";

// Cancelled because a ConditionExpression did not hold, beside actions that would have
// succeeded or met a transient reason: an answer (which conditions failed), not an error.
bool refused_by_a_condition(const std::vector<CancellationReason>& reasons) {
  return has_reason(reasons, kConditionFailed) &&
         only_reasons(reasons, {kConditionFailed, kConflict, "ThrottlingError",
                                "ProvisionedThroughputExceeded"});
}

// `request` (a JSON object) with ClientRequestToken `token` as its first member.
std::string with_token(const std::string& request, const std::string& token) {
  if (request.size() < 2 || request.front() != '{') {
    throw std::invalid_argument("a TransactWriteItems request is not a JSON object: " + request);
  }
  JsonWriter writer;
  writer.begin_object().member("ClientRequestToken", token);
  std::string text = writer.take();
  if (request != "{}") text += ',';
  text.append(request, 1);
  return text;
}

}  // namespace

namespace ddb {

nlohmann::json S(std::string_view value) { return {{"S", std::string(value)}}; }

nlohmann::json N(std::int64_t value) { return {{"N", std::to_string(value)}}; }

bool is_null_value(const nlohmann::json& value) {
  return value.is_object() && value.size() == 1 && value.contains("NULL");
}

std::optional<std::string> get_string(const nlohmann::json& item, const std::string& name) {
  const auto found = item.find(name);
  if (found == item.end() || is_null_value(*found)) return std::nullopt;
  const auto value = found->find("S");
  if (!found->is_object() || value == found->end() || !value->is_string()) {
    throw malformed_item(name, "is not a string (S): " + found->dump());
  }
  return value->get<std::string>();
}

std::optional<std::int64_t> get_int64(const nlohmann::json& item, const std::string& name) {
  const auto found = item.find(name);
  if (found == item.end() || is_null_value(*found)) return std::nullopt;
  if (found->is_object()) {
    for (const char* type : {"N", "S"}) {
      const auto value = found->find(type);
      if (value == found->end() || !value->is_string()) continue;
      if (const auto number = parse_int64(value->get_ref<const std::string&>())) return number;
      throw malformed_item(name, "is not a 64-bit integer: \"" + value->get<std::string>() + "\"");
    }
  }
  throw malformed_item(name, "is not a number (N): " + found->dump());
}

}  // namespace ddb

TransactionCanceled::TransactionCanceled(const AwsError& error,
                                         std::vector<CancellationReason> reasons)
    : AwsError(error),
      transient_(
          only_reasons(reasons, {kConflict, "ThrottlingError", "ProvisionedThroughputExceeded"}) &&
          !only_reasons(reasons, {})),
      conflict_(transient_ && has_reason(reasons, kConflict)),
      reasons_(std::make_shared<const std::vector<CancellationReason>>(std::move(reasons))) {}

DynamoDbClient::DynamoDbClient(ServiceEndpoint endpoint, CredentialsProvider& credentials,
                               HttpTransport& http, RetryPolicy policy, HttpTimeouts timeouts)
    : client_(std::move(endpoint), credentials, http, policy, detail::json_error_parser(kService),
              timeouts, {kConditionalCheckFailedException, kTransactionCanceledException}),
      policy_(policy) {}

nlohmann::json DynamoDbClient::call(std::string_view operation, JsonRequest request,
                                    Deadline deadline) {
  detail::JsonAnswer answer = detail::call_json_protocol(client_, kService, kTargetPrefix,
                                                         operation, std::move(request), deadline);
  if (answer.refusal) throw *answer.refusal;  // no condition was asked: not an answer here
  return std::move(answer.body);
}

std::optional<nlohmann::json> DynamoDbClient::get_item(JsonRequest request, Deadline deadline) {
  return optional_object(call("GetItem", std::move(request), deadline), "Item");
}

UpdateOutcome DynamoDbClient::update_item(JsonRequest request, Deadline deadline) {
  detail::JsonAnswer answer = detail::call_json_protocol(
      client_, kService, kTargetPrefix, "UpdateItem", std::move(request), deadline);
  if (!answer.refusal) return {true, optional_object(answer.body, "Attributes"), std::nullopt};
  if (answer.refusal->code() != kConditionalCheckFailedException) throw *answer.refusal;
  return {false, std::nullopt, optional_object(answer.body, "Item")};
}

BatchGetResult DynamoDbClient::batch_get_item(const std::string& table, nlohmann::json keys,
                                              const nlohmann::json& read_options,
                                              Deadline deadline) {
  nlohmann::json keys_and_attributes = read_options;
  keys_and_attributes["Keys"] = std::move(keys);
  nlohmann::json answer =
      call("BatchGetItem", {{"RequestItems", {{table, std::move(keys_and_attributes)}}}}, deadline);
  BatchGetResult result;
  if (const auto responses = answer.find("Responses"); responses != answer.end()) {
    if (const auto items = responses->find(table); items != responses->end() && items->is_array()) {
      for (auto& item : *items) result.items.push_back(std::move(item));
    }
  }
  if (const auto unprocessed = answer.find("UnprocessedKeys"); unprocessed != answer.end()) {
    if (const auto left = unprocessed->find(table); left != unprocessed->end()) {
      if (const auto left_keys = left->find("Keys");
          left_keys != left->end() && left_keys->is_array()) {
        for (auto& key : *left_keys) result.unprocessed_keys.push_back(std::move(key));
      }
    }
  }
  return result;
}

QueryResult DynamoDbClient::query_all(nlohmann::json request, Deadline deadline) {
  QueryResult result;
  while (true) {
    nlohmann::json page = call("Query", request, deadline);
    ++result.pages;
    if (const auto items = page.find("Items"); items != page.end() && items->is_array()) {
      for (auto& item : *items) result.items.push_back(std::move(item));
    }
    const auto last = page.find("LastEvaluatedKey");
    if (last == page.end() || !last->is_object() || last->empty()) return result;
    // A service that hands back the key it was given would keep this loop going forever.
    if (const auto start = request.find("ExclusiveStartKey");
        start != request.end() && *start == *last) {
      throw detail::make_service_error(
          detail::kMalformedResponse,
          "dynamodb Query returned the same LastEvaluatedKey it was given", "", 200);
    }
    request["ExclusiveStartKey"] = std::move(*last);
  }
}

TransactionOutcome DynamoDbClient::transact_write_items(
    const JsonRequest& request, const std::function<std::string(int)>& token_for,
    Deadline deadline) {
  RetryBudget budget(policy_, deadline);
  TransactionOutcome outcome;
  // What the last attempt met: it names the failure when the deadline leaves no time for
  // another one.
  std::optional<TransactionCanceled> last_cancelled;
  for (int attempt = 1;; ++attempt) {
    detail::JsonAnswer answer;
    try {
      answer = detail::call_json_protocol(
          client_, kService, kTargetPrefix, "TransactWriteItems",
          JsonRequest(with_token(request.text, token_for(attempt)), request.resource), deadline);
    } catch (AwsError& error) {
      const int made = error.failed_call() ? error.failed_call()->attempts : 0;
      const std::string resource = error.failed_call() ? error.failed_call()->resource : "";
      if (made == 0 && last_cancelled) {
        // No time was left to send it: what stopped the transaction is what it met last.
        last_cancelled->set_failed_call({"TransactWriteItems", resource, outcome.attempts});
        throw *last_cancelled;
      }
      error.set_failed_call({"TransactWriteItems", resource, outcome.attempts + made});
      throw;
    }
    outcome.attempts += answer.attempts;
    if (!answer.refusal) {
      outcome.committed = true;
      return outcome;
    }
    if (answer.refusal->code() != kTransactionCanceledException) throw *answer.refusal;
    std::vector<CancellationReason> reasons = cancellation_reasons(answer.body);
    if (refused_by_a_condition(reasons)) {
      outcome.reasons = std::move(reasons);
      return outcome;
    }
    TransactionCanceled cancelled(*answer.refusal, std::move(reasons));
    if (cancelled.conflict()) ++outcome.conflicts;
    const std::optional<std::chrono::milliseconds> delay =
        cancelled.transient() ? budget.next_delay(cancelled.conflict()) : std::nullopt;
    if (!delay) {
      cancelled.set_failed_call(
          {"TransactWriteItems", answer.refusal->failed_call()->resource, outcome.attempts});
      throw cancelled;
    }
    last_cancelled = cancelled;
    if (log::enabled(log::Level::Debug)) {
      log::debug("aws", "transaction cancelled for a transient reason; sending it again",
                 {{"attempt", std::to_string(attempt + 1)},
                  {"error_code", cancelled.code()},
                  {"delay_ms", std::to_string(delay->count())}});
    }
    std::this_thread::sleep_for(*delay);
  }
}

}  // namespace ssc::aws
