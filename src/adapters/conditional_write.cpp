#include "adapters/conditional_write.hpp"

namespace ssc::adapters {

bool update_if(aws::DynamoDbClient& client, const nlohmann::json& request) {
  try {
    client.update_item(request);
    return true;
  } catch (const aws::ConditionalCheckFailed&) {
    return false;
  }
}

bool claim_pending_marker(aws::DynamoDbClient& client, const std::string& table,
                          const nlohmann::json& key, std::int64_t seen_until_ms,
                          std::int64_t new_until_ms) {
  return update_if(client,
                   {{"TableName", table},
                    {"Key", key},
                    {"UpdateExpression", "SET PendingEffectsUntil = :new"},
                    {"ConditionExpression", "PendingEffectsUntil = :seen"},
                    {"ExpressionAttributeValues",
                     {{":new", aws::ddb::N(new_until_ms)}, {":seen", aws::ddb::N(seen_until_ms)}}},
                    {"ReturnValues", "NONE"}});
}

void clear_pending_marker(aws::DynamoDbClient& client, const std::string& table,
                          const nlohmann::json& key, std::int64_t own_until_ms) {
  // A refused condition means another invocation has claimed the effects since: the
  // marker is theirs now and must stay.
  update_if(client, {{"TableName", table},
                     {"Key", key},
                     {"UpdateExpression", "REMOVE PendingEffectsUntil"},
                     {"ConditionExpression", "PendingEffectsUntil = :own"},
                     {"ExpressionAttributeValues", {{":own", aws::ddb::N(own_until_ms)}}},
                     {"ReturnValues", "NONE"}});
}

}  // namespace ssc::adapters
