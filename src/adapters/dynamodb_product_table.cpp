#include "adapters/dynamodb_product_table.hpp"

#include <utility>

#include "adapters/detail/conditional_write.hpp"
#include "adapters/detail/table_format.hpp"

namespace ssc::adapters {

namespace product = table_format::product_item;
namespace row = table_format::status_row;

DynamoProductTable::DynamoProductTable(aws::DynamoDbClient& client, std::string table_name)
    : client_(client), table_(std::move(table_name)) {}

nlohmann::json DynamoProductTable::key_of(const std::string& correlation_id) {
  return {{product::kCorrelationId, aws::ddb::S(correlation_id)},
          {product::kDataProduct, aws::ddb::S(product::kDataProductValue)}};
}

bool DynamoProductTable::transition(const std::string& correlation_id, const std::string& to,
                                    const std::vector<std::string>& done_statuses,
                                    const core::PendingMark& mine, core::Deadline deadline) {
  // "Status" is a DynamoDB reserved word: it is always written as #s.
  nlohmann::json values = {{":status", aws::ddb::S(to)}};
  add_pending_values(values, mine);
  nlohmann::json request = {{"TableName", table_},
                            {"Key", key_of(correlation_id)},
                            {"UpdateExpression", "SET #s = :status, " + set_pending_clause()},
                            {"ExpressionAttributeNames", {{"#s", product::kStatus}}},
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
  return client_.update_item(request, deadline).applied;
}

std::optional<core::ProductRow> DynamoProductTable::read(const std::string& correlation_id,
                                                         core::Deadline deadline) {
  const auto item =
      client_.get_item({{"TableName", table_},
                        {"Key", key_of(correlation_id)},
                        {"ConsistentRead", true},
                        {"ProjectionExpression", std::string("#s, ") + row::kPendingEffectsUntil +
                                                     ", " + row::kPendingEffectsOwner},
                        {"ExpressionAttributeNames", {{"#s", product::kStatus}}}},
                       deadline);
  if (!item) return std::nullopt;
  try {
    return core::ProductRow{aws::ddb::get_string(*item, product::kStatus).value_or(""),
                            pending_mark_of(*item)};
  } catch (const aws::AwsError& error) {
    rethrow_with_item(error, table_, "correlation id \"" + correlation_id + "\"");
  }
}

bool DynamoProductTable::take_over(const std::string& correlation_id, const core::PendingMark& seen,
                                   const core::PendingMark& mine, core::Deadline deadline) {
  return take_over_mark(client_, table_, key_of(correlation_id), seen, mine, deadline);
}

void DynamoProductTable::remove_mark(const std::string& correlation_id, const core::Owner& owner,
                                     core::Deadline deadline) {
  adapters::remove_mark(client_, table_, key_of(correlation_id), owner, deadline);
}

}  // namespace ssc::adapters
