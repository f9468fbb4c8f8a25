#include "adapters/dynamodb_status_table.hpp"

#include <algorithm>
#include <atomic>
#include <string_view>
#include <utility>

#include "adapters/detail/conditional_write.hpp"
#include "adapters/detail/table_format.hpp"
#include "adapters/random_owner_tokens.hpp"
#include "core/rules.hpp"
#include "digest/digest.hpp"

namespace ssc::adapters {
namespace {

namespace row = table_format::status_row;
namespace receipt = table_format::receipt;

// TransactWriteItems takes at most 100 actions: receipts and the row's one ADD.
constexpr std::size_t kReceiptsPerTransaction = 99;
// A ClientRequestToken never made before, in this process or any other: 16 random bytes
// drawn once per process, then the number of the attempt in it (24 bytes, 32 characters of
// the 36 DynamoDB takes). So a token is never sent again with other actions (DynamoDB would
// answer IdempotentParameterMismatch) nor after its attempt was cancelled, with no digest
// of the actions (which cost a SHA-256 of every transaction's text).
std::string next_request_token() {
  static const std::string process_nonce = kernel_random_bytes(16);
  static std::atomic<std::uint64_t> attempts{0};
  const std::uint64_t attempt = attempts.fetch_add(1, std::memory_order_relaxed);
  std::string bytes = process_nonce;
  for (int shift = 56; shift >= 0; shift -= 8) {
    bytes += static_cast<char>((attempt >> shift) & 0xff);
  }
  return digest::base64url(bytes);
}

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
    return collection_row_of(item);
  } catch (const aws::AwsError& error) {
    rethrow_with_item(error, tables_.export_status, describe(key));
  }
}

void DynamoStatusTable::write_key(aws::JsonWriter& writer, const core::CollectionKey& key) const {
  writer.key("Key")
      .begin_object()
      .string_attribute(row::kCorrelationId, key.correlation_id)
      .string_attribute(row::kCollectionName, key.collection_name)
      .end_object();
}

aws::JsonRequest DynamoStatusTable::count_transaction(const core::CollectionKey& key,
                                                      const std::vector<core::FileToCount>& files,
                                                      const std::vector<std::size_t>& chunk,
                                                      std::int64_t nameless,
                                                      std::int64_t expires_at) const {
  static const std::string receipt_is_new =
      std::string("attribute_not_exists(") + receipt::kReceiptKey + ")";
  aws::JsonWriter writer;
  writer.begin_object().key("TransactItems").begin_array();
  for (const std::size_t index : chunk) {
    const core::FileToCount& file = files[index];
    writer.begin_object().key("Put").begin_object().member("TableName", tables_.file_receipts);
    writer.key("Item")
        .begin_object()
        .string_attribute(receipt::kReceiptKey, *file.receipt_key)
        .number_attribute(receipt::kExpiresAt, expires_at);
    if (!file.owner.empty()) writer.string_attribute(receipt::kOwner, file.owner.text());
    writer.end_object()
        .member("ConditionExpression", receipt_is_new)
        .member("ReturnValuesOnConditionCheckFailure", "ALL_OLD")
        .end_object()
        .end_object();
  }
  writer.begin_object().key("Update").begin_object();
  write_count_update(writer, key, static_cast<std::int64_t>(chunk.size()) + nameless);
  writer.end_object().end_object().end_array().end_object();
  return aws::JsonRequest(writer.take(),
                          aws::tables_resource({tables_.file_receipts, tables_.export_status}));
}

void DynamoStatusTable::write_count_update(aws::JsonWriter& writer, const core::CollectionKey& key,
                                           std::int64_t files) const {
  static const std::string add_files = std::string("ADD ") + row::kFilesReceived + " :files";
  // No half rows: a collection the exporter has not written is an error.
  static const std::string row_exists =
      std::string("attribute_exists(") + row::kCorrelationId + ")";
  writer.member("TableName", tables_.export_status);
  write_key(writer, key);
  writer.member("UpdateExpression", add_files)
      .member("ConditionExpression", row_exists)
      .key("ExpressionAttributeValues")
      .begin_object()
      .number_attribute(":files", files)
      .end_object();
}

core::CollectionNotFound DynamoStatusTable::not_found(const core::CollectionKey& key,
                                                      const std::string& why) const {
  return core::CollectionNotFound("no row in table " + tables_.export_status + " for " +
                                  describe(key) + why);
}

core::GroupCount DynamoStatusTable::count_files(const core::CollectionKey& key,
                                                const std::vector<core::FileToCount>& files,
                                                core::Deadline deadline) {
  core::GroupCount result;
  result.files.resize(files.size());
  // The files still to count with their receipt, each key once: DynamoDB refuses two
  // actions on one item in a transaction. A later file under a key already there is a
  // duplicate, settled once the first one is.
  std::vector<std::size_t> to_count;
  std::vector<std::pair<std::size_t, std::size_t>> duplicates;  // (file, first of its key)
  std::int64_t nameless = 0;
  for (std::size_t index = 0; index < files.size(); ++index) {
    const auto& receipt_key = files[index].receipt_key;
    if (!receipt_key || receipt_key->empty()) {
      // A file without a name cannot be told apart from another one: it is always counted.
      ++nameless;
      result.files[index].counted = true;
      continue;
    }
    const auto first = std::find_if(to_count.begin(), to_count.end(), [&](std::size_t other) {
      return files[other].receipt_key == receipt_key;
    });
    if (first == to_count.end()) {
      to_count.push_back(index);
    } else {
      duplicates.emplace_back(index, *first);
    }
  }
  if (to_count.empty()) {
    result.transactions = 1;
    result.row = count_without_receipt(key, nameless, deadline);
    return result;
  }
  // Fixed for the whole group: a repeat of an attempt must carry the same actions.
  const std::int64_t expires_at = epoch_seconds_after(tables_.receipt_lifetime);
  while (!to_count.empty()) {
    const std::size_t size = std::min(to_count.size(), kReceiptsPerTransaction);
    const std::vector<std::size_t> chunk(to_count.begin(), to_count.begin() + size);
    const aws::TransactionOutcome outcome =
        count_chunk(key, files, chunk, nameless, expires_at, deadline);
    result.transactions += outcome.attempts;
    result.conflicts += outcome.conflicts;
    if (outcome.committed) {
      for (const std::size_t index : chunk) result.files[index].counted = true;
      nameless = 0;  // counted with this chunk
      to_count.erase(to_count.begin(), to_count.begin() + static_cast<std::ptrdiff_t>(size));
      continue;
    }
    // Counted before: settled from the receipt, and the rest is counted without them.
    const std::vector<std::size_t> refused =
        settle_refused(key, outcome.reasons, chunk, files, result, deadline);
    to_count.erase(std::remove_if(to_count.begin(), to_count.end(),
                                  [&](std::size_t index) {
                                    return std::find(refused.begin(), refused.end(), index) !=
                                           refused.end();
                                  }),
                   to_count.end());
  }
  // Every receipt was refused: the files without a name are still to count.
  if (nameless > 0) count_without_receipt(key, nameless, deadline);
  for (const auto& [index, first] : duplicates) {
    result.files[index].counted_by =
        result.files[first].counted ? files[first].owner : result.files[first].counted_by;
  }
  // A transaction answers nothing of the items it wrote: the row's own attributes come
  // from one consistent read, small whatever the size of the collection.
  result.row = read_existing(key, deadline);
  return result;
}

aws::TransactionOutcome DynamoStatusTable::count_chunk(const core::CollectionKey& key,
                                                       const std::vector<core::FileToCount>& files,
                                                       const std::vector<std::size_t>& chunk,
                                                       std::int64_t nameless,
                                                       std::int64_t expires_at,
                                                       core::Deadline deadline) {
  const aws::JsonRequest request = count_transaction(key, files, chunk, nameless, expires_at);
  // Each attempt has a token of its own, the same on every repeat of that attempt (the
  // client's retries, the transport's resend): DynamoDB then applies it once and answers a
  // repeat as it answered the first (for 10 minutes). Emulators that ignore tokens refuse
  // the repeat instead, and each receipt's owner tells that refusal apart
  // (core::Whose::Mine).
  return client_.transact_write_items(
      request, [](int) { return next_request_token(); }, deadline);
}

std::vector<std::size_t> DynamoStatusTable::settle_refused(
    const core::CollectionKey& key, const std::vector<aws::CancellationReason>& reasons,
    const std::vector<std::size_t>& chunk, const std::vector<core::FileToCount>& files,
    core::GroupCount& result, core::Deadline deadline) {
  const auto condition_failed = [&](std::size_t action) {
    return action < reasons.size() && reasons[action].code == "ConditionalCheckFailed";
  };
  if (condition_failed(chunk.size())) throw not_found(key);
  std::vector<std::size_t> refused;
  for (std::size_t action = 0; action < chunk.size(); ++action) {
    if (!condition_failed(action)) continue;
    const std::size_t index = chunk[action];
    result.files[index].counted_by =
        receipt_owner(*files[index].receipt_key, reasons[action], deadline);
    refused.push_back(index);
  }
  if (refused.empty()) {
    throw std::runtime_error("TransactWriteItems on table " + tables_.export_status +
                             " was refused for a condition on none of its actions");
  }
  return refused;
}

core::CollectionRow DynamoStatusTable::count_without_receipt(const core::CollectionKey& key,
                                                             std::int64_t files,
                                                             core::Deadline deadline) {
  aws::JsonWriter writer;
  writer.begin_object();
  write_count_update(writer, key, files);
  writer.member("ReturnValues", "ALL_NEW").end_object();
  const aws::UpdateOutcome outcome = client_.update_item(
      aws::JsonRequest(writer.take(), aws::tables_resource({tables_.export_status})), deadline);
  if (!outcome.applied) throw not_found(key);
  return row_of(outcome.attributes.value_or(nlohmann::json::object()), key);
}

core::Owner DynamoStatusTable::receipt_owner(const std::string& receipt_key,
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
  if (!found) return {};
  try {
    return core::Owner(aws::ddb::get_string(*found, receipt::kOwner).value_or(""));
  } catch (const aws::AwsError& error) {
    rethrow_with_item(error, tables_.file_receipts, "receipt " + receipt_key);
  }
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
  aws::JsonWriter writer;
  writer.begin_object().member("TableName", tables_.export_status);
  write_key(writer, key);
  writer.member("ConsistentRead", true)
      .member("ProjectionExpression", row::kProjection)
      .end_object();
  const auto item = client_.get_item(
      aws::JsonRequest(writer.take(), aws::tables_resource({tables_.export_status})), deadline);
  if (!item) return std::nullopt;
  return row_of(*item, key);
}

bool DynamoStatusTable::transition(const core::CollectionKey& key,
                                   const std::vector<std::string>& from, const std::string& to,
                                   std::string_view not_while_pending_at,
                                   const core::PendingMark& mine, core::Deadline deadline) {
  if (from.empty()) return false;  // nothing to move from: no write can succeed
  nlohmann::json values = {{":to", aws::ddb::S(to)}};
  add_pending_values(values, mine);
  std::string in_list;
  for (std::size_t i = 0; i < from.size(); ++i) {
    const std::string name = ":f" + std::to_string(i);
    in_list += (i == 0 ? "" : ", ") + name;
    values[name] = aws::ddb::S(from[i]);
  }
  const std::string status = row::kCollectionStatus;
  std::string condition = status + " IN (" + in_list + ")";
  if (!not_while_pending_at.empty()) {
    values[":pending_at"] = aws::ddb::S(not_while_pending_at);
    condition += " AND NOT (" + status + " = :pending_at AND attribute_exists(" +
                 row::kPendingEffectsUntil + "))";
  }
  return client_
      .update_item({{"TableName", tables_.export_status},
                    {"Key", key_of(key)},
                    {"UpdateExpression", "SET " + status + " = :to, " + set_pending_clause()},
                    {"ConditionExpression", std::move(condition)},
                    {"ExpressionAttributeValues", std::move(values)},
                    {"ReturnValues", "NONE"}},
                   deadline)
      .applied;
}

bool DynamoStatusTable::take_over(const core::CollectionKey& key, const core::PendingMark& seen,
                                  const core::PendingMark& mine, core::Deadline deadline) {
  return take_over_mark(client_, tables_.export_status, key_of(key), seen, mine, deadline);
}

void DynamoStatusTable::remove_mark(const core::CollectionKey& key, const core::Owner& owner,
                                    core::Stage stage, bool run_notified, core::Deadline deadline) {
  adapters::remove_mark(
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
