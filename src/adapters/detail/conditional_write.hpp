// Helpers shared by the DynamoDB adapters: the one parser of a status row, and the
// conditional writes of the pending-effects mark that both tables carry
// (adapters/detail/table_format.hpp) and reading it back. They hold no state: as
// thread-safe as the client given. Each write ends, with its retries, by the deadline given.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "aws/dynamodb.hpp"
#include "core/ports.hpp"

namespace ssc::adapters {

// "PendingEffectsUntil = :until, PendingEffectsOwner = :owner", for an UpdateExpression's
// SET clause, and the two values it names (added to `values`). Throws
// std::invalid_argument for a mark without owner: nobody could recognise it as theirs.
std::string set_pending_clause();
void add_pending_values(nlohmann::json& values, const core::PendingMark& mark);

// The mark an item carries, if any. An item with PendingEffectsUntil but no owner was
// marked before owners existed: its owner reads as empty.
std::optional<core::PendingMark> pending_mark_of(const nlohmann::json& item);

// A status row item as this system reads it (table_format.hpp's status_row::kProjection):
// the one parser of a row, for the workflow's reads and the `status` command's alike.
// Throws aws::AwsError for an attribute of the wrong type; the caller names the item.
core::CollectionRow collection_row_of(const nlohmann::json& item);

// Sets the mark to `mine` when it is still `seen`: same owner, or for a mark without owner,
// no owner and the same time.
bool take_over_mark(aws::DynamoDbClient& client, const std::string& table,
                    const nlohmann::json& key, const core::PendingMark& seen,
                    const core::PendingMark& mine, aws::Deadline deadline);

// Removes the mark when its owner is `owner`; someone else's mark (or none) is left alone.
// With `record`, the same write also sets that attribute (name, value): it is written only
// by the mark's owner.
void remove_mark(aws::DynamoDbClient& client, const std::string& table, const nlohmann::json& key,
                 const core::Owner& owner, aws::Deadline deadline,
                 const std::optional<std::pair<std::string, std::string>>& record = std::nullopt);

// Adds where the failure was (the table and the item) to an error met while reading an
// item, keeping its code and kind.
[[noreturn]] void rethrow_with_item(const aws::AwsError& error, const std::string& table,
                                    const std::string& item);

}  // namespace ssc::adapters
