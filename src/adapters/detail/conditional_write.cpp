#include "adapters/detail/conditional_write.hpp"

#include <stdexcept>

#include "adapters/detail/table_format.hpp"

namespace ssc::adapters {

namespace row = table_format::status_row;

namespace {

// Who finished each stage's effects, as a status row records it (ReceivedEffectsBy,
// SuccessEffectsBy: the owner, and " run" when that call also sent the run's notification).
core::EffectsDoneBy effects_done_by_of(const nlohmann::json& item) {
  const auto stage_done_by = [&item](const char* attribute) {
    std::string value = aws::ddb::get_string(item, attribute).value_or("");
    const bool run_notified = value.ends_with(row::kRunNotifiedSuffix);
    if (run_notified) value.resize(value.size() - row::kRunNotifiedSuffix.size());
    return core::StageDoneBy{core::Owner(std::move(value)), run_notified};
  };
  return {stage_done_by(row::kReceivedEffectsBy), stage_done_by(row::kSuccessEffectsBy)};
}

}  // namespace

std::string set_pending_clause() {
  return std::string(row::kPendingEffectsUntil) + " = :until, " + row::kPendingEffectsOwner +
         " = :owner";
}

void add_pending_values(nlohmann::json& values, const core::PendingMark& mark) {
  if (mark.owner.empty()) {
    throw std::invalid_argument("a pending-effects mark needs an owner token");
  }
  values[":until"] = aws::ddb::N(mark.until_ms);
  values[":owner"] = aws::ddb::S(mark.owner.text());
}

std::optional<core::PendingMark> pending_mark_of(const nlohmann::json& item) {
  const auto until = aws::ddb::get_int64(item, row::kPendingEffectsUntil);
  auto owner = aws::ddb::get_string(item, row::kPendingEffectsOwner);
  if (!until && !owner) return std::nullopt;
  // An owner without a time is not something this system writes; a time of 0 lets it be
  // taken over at once rather than block the effects for ever.
  return core::PendingMark{until.value_or(0), core::Owner(std::move(owner).value_or(""))};
}

core::CollectionRow collection_row_of(const nlohmann::json& item) {
  return {aws::ddb::get_string(item, row::kCollectionStatus).value_or(""),
          aws::ddb::get_int64(item, row::kFilesExported),
          aws::ddb::get_int64(item, row::kFilesReceived),
          pending_mark_of(item),
          effects_done_by_of(item),
          aws::ddb::get_string(item, row::kCollectionName).value_or(""),
          aws::ddb::get_int64(item, row::kFilesSent)};
}

bool take_over_mark(aws::DynamoDbClient& client, const std::string& table,
                    const nlohmann::json& key, const core::PendingMark& seen,
                    const core::PendingMark& mine, aws::Deadline deadline) {
  nlohmann::json values = nlohmann::json::object();
  add_pending_values(values, mine);
  std::string condition;
  if (seen.owner.empty()) {
    condition = std::string("attribute_not_exists(") + row::kPendingEffectsOwner + ") AND " +
                row::kPendingEffectsUntil + " = :seen_until";
    values[":seen_until"] = aws::ddb::N(seen.until_ms);
  } else {
    condition = std::string(row::kPendingEffectsOwner) + " = :seen_owner";
    values[":seen_owner"] = aws::ddb::S(seen.owner.text());
  }
  return client
      .update_item({{"TableName", table},
                    {"Key", key},
                    {"UpdateExpression", "SET " + set_pending_clause()},
                    {"ConditionExpression", condition},
                    {"ExpressionAttributeValues", std::move(values)},
                    {"ReturnValues", "NONE"}},
                   deadline)
      .applied;
}

void remove_mark(aws::DynamoDbClient& client, const std::string& table, const nlohmann::json& key,
                 const core::Owner& owner, aws::Deadline deadline,
                 const std::optional<std::pair<std::string, std::string>>& record) {
  if (owner.empty()) throw std::invalid_argument("removing a pending-effects mark needs its owner");
  nlohmann::json values = {{":owner", aws::ddb::S(owner.text())}};
  std::string update =
      std::string("REMOVE ") + row::kPendingEffectsUntil + ", " + row::kPendingEffectsOwner;
  if (record) {
    update += " SET " + record->first + " = :record";
    values[":record"] = aws::ddb::S(record->second);
  }
  // A refused condition means another invocation has taken the effects over since (the mark
  // is theirs now and must stay, and so must the record, which they will write), or this
  // write was applied before and is being repeated.
  client.update_item({{"TableName", table},
                      {"Key", key},
                      {"UpdateExpression", update},
                      {"ConditionExpression", std::string(row::kPendingEffectsOwner) + " = :owner"},
                      {"ExpressionAttributeValues", std::move(values)},
                      {"ReturnValues", "NONE"}},
                     deadline);
}

void rethrow_with_item(const aws::AwsError& error, const std::string& table,
                       const std::string& item) {
  throw aws::AwsError(error.code(), error.message() + " (table " + table + ", " + item + ")",
                      error.request_id(), error.http_status(), error.retryable());
}

}  // namespace ssc::adapters
