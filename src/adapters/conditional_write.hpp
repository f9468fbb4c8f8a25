// Helpers shared by the DynamoDB adapters: conditional writes whose refusal is an answer,
// not an error, and the pending-effects marker that both tables carry.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "aws/dynamodb.hpp"

namespace ssc::adapters {

inline constexpr const char* kPendingEffectsUntil = "PendingEffectsUntil";

// UpdateItem: true when it was applied, false when its ConditionExpression did not hold.
// Every other error is thrown.
bool update_if(aws::DynamoDbClient& client, const nlohmann::json& request);

// SET PendingEffectsUntil = new_until_ms when it still holds seen_until_ms.
bool claim_pending_marker(aws::DynamoDbClient& client, const std::string& table,
                          const nlohmann::json& key, std::int64_t seen_until_ms,
                          std::int64_t new_until_ms);

// REMOVE PendingEffectsUntil when it still holds own_until_ms; someone else's marker (or
// none) is left alone.
void clear_pending_marker(aws::DynamoDbClient& client, const std::string& table,
                          const nlohmann::json& key, std::int64_t own_until_ms);

}  // namespace ssc::adapters
