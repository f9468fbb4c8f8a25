#include "adapters/dynamodb_status_table.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "adapters/conditional_write.hpp"
#include "aws/error_parsers.hpp"
#include "core/receipt.hpp"
#include "core/rules.hpp"
#include "log/log.hpp"

namespace ssc::adapters {
namespace {

// Who finished each stage's effects: "<owner>", or "<owner> run" when that call also sent
// the run's notification (owners hold no space).
constexpr const char* kReceivedEffectsBy = "ReceivedEffectsBy";
constexpr const char* kSuccessEffectsBy = "SuccessEffectsBy";
constexpr std::string_view kRunNotified = " run";
constexpr const char* kRowAttributes =
    "CollectionStatus, FilesExported, FilesReceived, PendingEffectsUntil, PendingEffectsOwner, "
    "ReceivedEffectsBy, SuccessEffectsBy";
constexpr const char* kTokens = "ReceivedFileTokens";
// Beside each file's token the set holds the owner of the count that added it, marked so
// that no token (base64url) can look like one.
constexpr char kOwnerMark = '~';

// A refused count whose cause could not be read off the answer is settled by reading the
// row; if the row shows the count should have gone through (it appeared in between), the
// count is tried again, a few times at most.
constexpr int kCountAttempts = 3;

std::string describe(const core::CollectionKey& key) {
  return "correlation id \"" + key.correlation_id + "\" and collection \"" + key.collection_name +
         "\"";
}

core::StageDoneBy stage_done_by_of(const nlohmann::json& item, const char* attribute) {
  std::string value = aws::ddb::get_string(item, attribute).value_or("");
  const bool run_notified = value.ends_with(kRunNotified);
  if (run_notified) value.resize(value.size() - kRunNotified.size());
  return {std::move(value), run_notified};
}

// The owners recorded in `tokens` that belong to the same message as `owner`.
std::vector<std::string> same_message_owners(const std::vector<std::string>& tokens,
                                             const std::string& owner) {
  std::string prefix(1, kOwnerMark);
  const std::string_view message = core::same_message_prefix(owner);
  prefix += message.empty() ? std::string_view(owner) : message;
  std::vector<std::string> owners;
  for (const std::string& element : tokens) {
    if (!element.starts_with(prefix)) continue;
    if (message.empty() && element.size() != prefix.size()) continue;
    owners.push_back(element.substr(1));
  }
  return owners;
}

}  // namespace

DynamoStatusTable::DynamoStatusTable(aws::DynamoDbClient& client, std::string table_name)
    : client_(client), table_(std::move(table_name)) {}

nlohmann::json DynamoStatusTable::key_of(const core::CollectionKey& key) const {
  return {{"CorrelationId", aws::ddb::S(key.correlation_id)},
          {"CollectionName", aws::ddb::S(key.collection_name)}};
}

core::CollectionRow DynamoStatusTable::row_of(const nlohmann::json& item,
                                              const core::CollectionKey& key) const {
  try {
    core::CollectionRow row;
    row.status = aws::ddb::get_string(item, "CollectionStatus").value_or("");
    row.files_exported = aws::ddb::get_int64(item, "FilesExported");
    row.files_received = aws::ddb::get_int64(item, "FilesReceived").value_or(0);
    row.pending = pending_mark_of(item);
    row.effects_done_by = {stage_done_by_of(item, kReceivedEffectsBy),
                           stage_done_by_of(item, kSuccessEffectsBy)};
    return row;
  } catch (const aws::AwsError& error) {
    throw aws::AwsError(error.code(),
                        error.message() + " (table " + table_ + ", " + describe(key) + ")",
                        error.request_id(), error.http_status(), error.retryable());
  }
}

nlohmann::json DynamoStatusTable::count_request(const core::CollectionKey& key,
                                                const std::optional<std::string>& token,
                                                const std::string& owner) const {
  nlohmann::json request = {{"TableName", table_},
                            {"Key", key_of(key)},
                            {"ReturnValues", "ALL_NEW"},
                            {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}};
  if (token) {
    // The owner goes into the token set, not an attribute of its own: one per file, so that
    // a later delivery of the message can still find it however many files came in between
    // (docs/design.md).
    std::vector<std::string> elements{*token};
    if (!owner.empty()) elements.push_back(kOwnerMark + owner);
    request["UpdateExpression"] = "ADD FilesReceived :one, ReceivedFileTokens :tokens";
    request["ConditionExpression"] =
        "attribute_exists(CorrelationId) AND NOT contains(ReceivedFileTokens, :token)";
    request["ExpressionAttributeValues"] = {{":one", aws::ddb::N(1)},
                                            {":tokens", aws::ddb::SS(elements)},
                                            {":token", aws::ddb::S(*token)}};
  } else {
    request["UpdateExpression"] = "ADD FilesReceived :one";
    request["ConditionExpression"] = "attribute_exists(CorrelationId)";
    request["ExpressionAttributeValues"] = {{":one", aws::ddb::N(1)}};
  }
  return request;
}

std::optional<nlohmann::json> DynamoStatusTable::read_for_count(const core::CollectionKey& key,
                                                                bool with_tokens) {
  return client_.get_item(
      {{"TableName", table_},
       {"Key", key_of(key)},
       {"ConsistentRead", true},
       {"ProjectionExpression",
        std::string(kRowAttributes) + (with_tokens ? std::string(", ") + kTokens : "")}});
}

core::CountResult DynamoStatusTable::count_file(const core::CollectionKey& key,
                                                const std::optional<std::string>& file_token,
                                                const std::string& owner) {
  // A file without a name cannot be told apart from another one: it is always counted.
  std::optional<std::string> token = file_token;
  if (token && token->empty()) token.reset();

  const nlohmann::json request = count_request(key, token, owner);
  for (int attempt = 1;; ++attempt) {
    try {
      // The row's token set is not needed from a count that went through: it is the bulk
      // of the answer, and would be parsed on every message.
      const nlohmann::json answer = client_.update_item(request, {kTokens});
      const auto attributes = answer.find("Attributes");
      return {true,
              row_of(attributes != answer.end() ? *attributes : nlohmann::json::object(), key),
              {}};
    } catch (const aws::ConditionalCheckFailed& refused) {
      // With the old item (ALL_OLD) the row existed, so the token was already there.
      // Without it the row was missing, or the service does not send old items: read it.
      std::optional<nlohmann::json> item;
      if (refused.item() != nullptr) {
        item = *refused.item();
      } else {
        log::debug("dynamodb", "count refused without the old item; reading the row",
                   {{"table", table_}});
        item = read_for_count(key, token.has_value());
        if (!item) {
          throw core::CollectionNotFound("no row in table " + table_ + " for " + describe(key));
        }
      }
      const auto tokens =
          token ? aws::ddb::get_string_set(*item, kTokens) : std::vector<std::string>();
      if (token && std::find(tokens.begin(), tokens.end(), *token) != tokens.end()) {
        return {false, row_of(*item, key),
                owner.empty() ? std::vector<std::string>() : same_message_owners(tokens, owner)};
      }
      // The row is there and does not hold this file: it appeared after the write was
      // refused. Counting again is right; giving up after a few tries leaves the message
      // to be retried rather than report a file as counted that was not.
      if (attempt >= kCountAttempts) throw;
    }
  }
}

std::optional<core::CollectionRow> DynamoStatusTable::read(const core::CollectionKey& key) {
  const auto item = client_.get_item({{"TableName", table_},
                                      {"Key", key_of(key)},
                                      {"ConsistentRead", true},
                                      {"ProjectionExpression", kRowAttributes}});
  if (!item) return std::nullopt;
  return row_of(*item, key);
}

bool DynamoStatusTable::transition(const core::CollectionKey& key,
                                   const std::vector<std::string>& from, const std::string& to,
                                   const core::PendingMark& mine) {
  if (from.empty()) return false;  // nothing to move from: no write can succeed
  nlohmann::json values = {{":to", aws::ddb::S(to)},
                           {":pending_stage", aws::ddb::S(core::collection_status::kReceived)}};
  add_pending_values(values, mine);
  std::string in_list;
  for (std::size_t i = 0; i < from.size(); ++i) {
    const std::string name = ":f" + std::to_string(i);
    in_list += (i == 0 ? "" : ", ") + name;
    values[name] = aws::ddb::S(from[i]);
  }
  return update_if(client_,
                   {{"TableName", table_},
                    {"Key", key_of(key)},
                    {"UpdateExpression", "SET CollectionStatus = :to, " + set_pending_clause()},
                    {"ConditionExpression", "CollectionStatus IN (" + in_list +
                                                ") AND NOT (CollectionStatus = :pending_stage AND "
                                                "attribute_exists(PendingEffectsUntil))"},
                    {"ExpressionAttributeValues", std::move(values)},
                    {"ReturnValues", "NONE"}});
}

bool DynamoStatusTable::claim_pending(const core::CollectionKey& key, const core::PendingMark& seen,
                                      const core::PendingMark& mine) {
  return claim_pending_marker(client_, table_, key_of(key), seen, mine);
}

void DynamoStatusTable::finish_effects(const core::CollectionKey& key, const std::string& owner,
                                       core::Stage stage, bool run_notified) {
  clear_pending_marker(client_, table_, key_of(key), owner,
                       std::pair<std::string, std::string>(
                           stage == core::Stage::Received ? kReceivedEffectsBy : kSuccessEffectsBy,
                           run_notified ? owner + std::string(kRunNotified) : owner));
}

std::vector<std::string> DynamoStatusTable::run_statuses(const std::string& correlation_id) {
  const aws::QueryResult result =
      client_.query_all({{"TableName", table_},
                         {"KeyConditionExpression", "CorrelationId = :c"},
                         {"ExpressionAttributeValues", {{":c", aws::ddb::S(correlation_id)}}},
                         {"ConsistentRead", true},
                         {"ProjectionExpression", "CollectionStatus"}});
  std::vector<std::string> statuses;
  statuses.reserve(result.items.size());
  for (const auto& item : result.items) {
    statuses.push_back(aws::ddb::get_string(item, "CollectionStatus").value_or(""));
  }
  return statuses;
}

}  // namespace ssc::adapters
