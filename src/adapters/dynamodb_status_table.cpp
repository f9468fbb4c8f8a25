#include "adapters/dynamodb_status_table.hpp"

#include <string_view>
#include <utility>

#include "adapters/conditional_write.hpp"
#include "adapters/table_format.hpp"
#include "core/rules.hpp"
#include "digest/digest.hpp"

namespace ssc::adapters {
namespace {

namespace row = table_format::status_row;
namespace receipt = table_format::receipt;

// The actions of a count's transaction, in request order: CancellationReasons follow it.
constexpr std::size_t kReceiptAction = 0;
constexpr std::size_t kRowAction = 1;
// ClientRequestToken takes 1 to 36 characters: 24 bytes make 32 in base64url.
constexpr std::size_t kRequestTokenBytes = 24;

std::string describe(const core::CollectionKey& key) {
  return "correlation id \"" + key.correlation_id + "\" and collection \"" + key.collection_name +
         "\"";
}

const char* effects_by_attribute(core::Stage stage) {
  return stage == core::Stage::Received ? row::kReceivedEffectsBy : row::kSuccessEffectsBy;
}

std::int64_t epoch_seconds_after(std::chrono::seconds lifetime) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::seconds>(now + lifetime).count();
}

}  // namespace

DynamoStatusTable::DynamoStatusTable(aws::DynamoDbClient& client, StatusTables tables)
    : client_(client), tables_(std::move(tables)) {}

nlohmann::json DynamoStatusTable::key_of(const core::CollectionKey& key) const {
  return {{row::kCorrelationId, aws::ddb::S(key.correlation_id)},
          {row::kCollectionName, aws::ddb::S(key.collection_name)}};
}

core::CollectionRow DynamoStatusTable::row_of(const nlohmann::json& item,
                                              const core::CollectionKey& key) const {
  try {
    core::CollectionRow found;
    found.status = aws::ddb::get_string(item, row::kCollectionStatus).value_or("");
    found.files_exported = aws::ddb::get_int64(item, row::kFilesExported);
    found.files_received = aws::ddb::get_int64(item, row::kFilesReceived).value_or(0);
    found.pending = pending_mark_of(item);
    found.effects_done_by = effects_done_by_of(item);
    return found;
  } catch (const aws::AwsError& error) {
    rethrow_with_item(error, tables_.export_status, describe(key));
  }
}

nlohmann::json DynamoStatusTable::count_transaction(const core::CollectionKey& key,
                                                    const std::string& receipt_key,
                                                    const core::Owner& owner) const {
  nlohmann::json receipt_item = {
      {receipt::kReceiptKey, aws::ddb::S(receipt_key)},
      {receipt::kExpiresAt, aws::ddb::N(epoch_seconds_after(tables_.receipt_lifetime))}};
  if (!owner.empty()) receipt_item[receipt::kOwner] = aws::ddb::S(owner.text());
  return {{"TransactItems",
           nlohmann::json::array({{{"Put",
                                    {{"TableName", tables_.file_receipts},
                                     {"Item", std::move(receipt_item)},
                                     {"ConditionExpression", std::string("attribute_not_exists(") +
                                                                 receipt::kReceiptKey + ")"},
                                     {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}}}},
                                  {{"Update", count_update(key)}}})}};
}

nlohmann::json DynamoStatusTable::count_update(const core::CollectionKey& key) const {
  return {{"TableName", tables_.export_status},
          {"Key", key_of(key)},
          {"UpdateExpression", std::string("ADD ") + row::kFilesReceived + " :one"},
          // No half rows: a collection the exporter has not written is an error.
          {"ConditionExpression", std::string("attribute_exists(") + row::kCorrelationId + ")"},
          {"ExpressionAttributeValues", {{":one", aws::ddb::N(1)}}}};
}

core::CollectionNotFound DynamoStatusTable::not_found(const core::CollectionKey& key,
                                                      const std::string& why) const {
  return core::CollectionNotFound("no row in table " + tables_.export_status + " for " +
                                  describe(key) + why);
}

core::CountResult DynamoStatusTable::count_file(const core::CollectionKey& key,
                                                const std::optional<std::string>& receipt_key,
                                                const core::Owner& owner, core::Deadline deadline) {
  // A file without a name cannot be told apart from another one: it is always counted.
  if (!receipt_key || receipt_key->empty()) return count_without_receipt(key, deadline);
  // Each attempt has a token of its own, the same on every repeat of that attempt (the
  // client's retries, libcurl's resend): DynamoDB then applies it once and answers a repeat
  // as it answered the first (for 10 minutes). Emulators that ignore tokens refuse the
  // repeat instead, and the receipt's owner tells that refusal apart (core::Whose::Mine).
  const std::string identity = *receipt_key + " " + owner.text() + " " + tables_.file_receipts;
  try {
    client_.transact_write_items(
        count_transaction(key, *receipt_key, owner),
        [&](int attempt) {
          return digest::base64url(digest::sha256(identity + " " + std::to_string(attempt))
                                       .substr(0, kRequestTokenBytes));
        },
        deadline);
  } catch (const aws::TransactionCanceled& cancelled) {
    const auto& reasons = cancelled.reasons();
    const auto failed = [&](std::size_t action) {
      return action < reasons.size() && reasons[action].code == "ConditionalCheckFailed";
    };
    if (failed(kRowAction)) {
      throw not_found(key);
    }
    if (failed(kReceiptAction)) {
      return refused_count(key, *receipt_key, reasons[kReceiptAction], deadline);
    }
    throw;
  }
  // A transaction answers nothing of the items it wrote: the row's own attributes come
  // from one consistent read, small whatever the size of the collection.
  return {true, read_existing(key, deadline), {}};
}

core::CountResult DynamoStatusTable::count_without_receipt(const core::CollectionKey& key,
                                                           core::Deadline deadline) {
  try {
    nlohmann::json request = count_update(key);
    request["ReturnValues"] = "ALL_NEW";
    const nlohmann::json answer = client_.update_item(request, deadline);
    const auto attributes = answer.find("Attributes");
    return {
        true, row_of(attributes != answer.end() ? *attributes : nlohmann::json::object(), key), {}};
  } catch (const aws::ConditionalCheckFailed&) {
    throw not_found(key);
  }
}

core::CountResult DynamoStatusTable::refused_count(const core::CollectionKey& key,
                                                   const std::string& receipt_key,
                                                   const aws::CancellationReason& reason,
                                                   core::Deadline deadline) {
  // The receipt as it stood comes with the refusal (ALL_OLD); a service that does not send
  // it is asked once.
  std::optional<nlohmann::json> found = reason.item;
  if (!found) {
    found = client_.get_item({{"TableName", tables_.file_receipts},
                              {"Key", {{receipt::kReceiptKey, aws::ddb::S(receipt_key)}}},
                              {"ConsistentRead", true}},
                             deadline);
  }
  std::string counted_by;
  if (found) {
    try {
      counted_by = aws::ddb::get_string(*found, receipt::kOwner).value_or("");
    } catch (const aws::AwsError& error) {
      rethrow_with_item(error, tables_.file_receipts, "receipt " + receipt_key);
    }
  }
  return {false, read_existing(key, deadline), core::Owner(std::move(counted_by))};
}

core::CollectionRow DynamoStatusTable::read_existing(const core::CollectionKey& key,
                                                     core::Deadline deadline) {
  auto found = read(key, deadline);
  // Only a row deleted since the count got here: no collection to decide about.
  if (!found) {
    throw not_found(key, " (gone since the file was counted)");
  }
  return std::move(*found);
}

std::optional<core::CollectionRow> DynamoStatusTable::read(const core::CollectionKey& key,
                                                           core::Deadline deadline) {
  const auto item = client_.get_item({{"TableName", tables_.export_status},
                                      {"Key", key_of(key)},
                                      {"ConsistentRead", true},
                                      {"ProjectionExpression", row::kProjection}},
                                     deadline);
  if (!item) return std::nullopt;
  return row_of(*item, key);
}

bool DynamoStatusTable::transition(const core::CollectionKey& key,
                                   const std::vector<std::string>& from, const std::string& to,
                                   const core::PendingMark& mine, core::Deadline deadline) {
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
  const std::string status = row::kCollectionStatus;
  return update_if(client_,
                   {{"TableName", tables_.export_status},
                    {"Key", key_of(key)},
                    {"UpdateExpression", "SET " + status + " = :to, " + set_pending_clause()},
                    {"ConditionExpression", status + " IN (" + in_list + ") AND NOT (" + status +
                                                " = :pending_stage AND attribute_exists(" +
                                                row::kPendingEffectsUntil + "))"},
                    {"ExpressionAttributeValues", std::move(values)},
                    {"ReturnValues", "NONE"}},
                   deadline);
}

bool DynamoStatusTable::take_over(const core::CollectionKey& key, const core::PendingMark& seen,
                                  const core::PendingMark& mine, core::Deadline deadline) {
  return take_over_mark(client_, tables_.export_status, key_of(key), seen, mine, deadline);
}

void DynamoStatusTable::finish_effects(const core::CollectionKey& key, const core::Owner& owner,
                                       core::Stage stage, bool run_notified,
                                       core::Deadline deadline) {
  remove_mark(
      client_, tables_.export_status, key_of(key), owner, deadline,
      std::pair<std::string, std::string>(
          effects_by_attribute(stage),
          run_notified ? owner.text() + std::string(row::kRunNotifiedSuffix) : owner.text()));
}

std::vector<std::string> DynamoStatusTable::run_statuses(const std::string& correlation_id,
                                                         core::Deadline deadline) {
  const aws::QueryResult result =
      client_.query_all({{"TableName", tables_.export_status},
                         {"KeyConditionExpression", std::string(row::kCorrelationId) + " = :c"},
                         {"ExpressionAttributeValues", {{":c", aws::ddb::S(correlation_id)}}},
                         {"ConsistentRead", true},
                         {"ProjectionExpression", row::kCollectionStatus}},
                        deadline);
  std::vector<std::string> statuses;
  statuses.reserve(result.items.size());
  for (const auto& item : result.items) {
    statuses.push_back(aws::ddb::get_string(item, row::kCollectionStatus).value_or(""));
  }
  return statuses;
}

}  // namespace ssc::adapters
