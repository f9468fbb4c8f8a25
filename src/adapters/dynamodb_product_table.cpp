#include "adapters/dynamodb_product_table.hpp"

#include <utility>

#include "adapters/conditional_write.hpp"

namespace ssc::adapters {

DynamoProductTable::DynamoProductTable(aws::DynamoDbClient& client, std::string table_name)
    : client_(client), table_(std::move(table_name)) {}

nlohmann::json DynamoProductTable::key_of(const std::string& correlation_id) {
  return {{"Correlation_Id", aws::ddb::S(correlation_id)},
          {"DataProduct", aws::ddb::S(kDataProduct)}};
}

bool DynamoProductTable::advance(const std::string& correlation_id, const std::string& status,
                                 const std::vector<std::string>& done_statuses,
                                 const core::PendingMark& mine) {
  // "Status" is a DynamoDB reserved word: it is always written as #s.
  nlohmann::json values = {{":status", aws::ddb::S(status)}};
  add_pending_values(values, mine);
  nlohmann::json request = {{"TableName", table_},
                            {"Key", key_of(correlation_id)},
                            {"UpdateExpression", "SET #s = :status, " + set_pending_clause()},
                            {"ExpressionAttributeNames", {{"#s", "Status"}}},
                            {"ReturnValues", "NONE"}};
  if (!done_statuses.empty()) {
    std::string in_list;
    for (std::size_t i = 0; i < done_statuses.size(); ++i) {
      const std::string name = ":d" + std::to_string(i);
      in_list += (i == 0 ? "" : ", ") + name;
      values[name] = aws::ddb::S(done_statuses[i]);
    }
    // attribute_not_exists also covers a missing item, which this write then creates.
    request["ConditionExpression"] = "attribute_not_exists(#s) OR NOT (#s IN (" + in_list + "))";
  }
  request["ExpressionAttributeValues"] = std::move(values);
  return update_if(client_, request);
}

std::optional<core::ProductRow> DynamoProductTable::read(const std::string& correlation_id) {
  const auto item =
      client_.get_item({{"TableName", table_},
                        {"Key", key_of(correlation_id)},
                        {"ConsistentRead", true},
                        {"ProjectionExpression", "#s, PendingEffectsUntil, PendingEffectsOwner"},
                        {"ExpressionAttributeNames", {{"#s", "Status"}}}});
  if (!item) return std::nullopt;
  try {
    return core::ProductRow{aws::ddb::get_string(*item, "Status").value_or(""),
                            pending_mark_of(*item)};
  } catch (const aws::AwsError& error) {
    throw aws::AwsError(
        error.code(),
        error.message() + " (table " + table_ + ", correlation id \"" + correlation_id + "\")",
        error.request_id(), error.http_status(), error.retryable());
  }
}

bool DynamoProductTable::claim_pending(const std::string& correlation_id,
                                       const core::PendingMark& seen,
                                       const core::PendingMark& mine) {
  return claim_pending_marker(client_, table_, key_of(correlation_id), seen, mine);
}

void DynamoProductTable::clear_pending(const std::string& correlation_id,
                                       const std::string& owner) {
  clear_pending_marker(client_, table_, key_of(correlation_id), owner);
}

}  // namespace ssc::adapters
