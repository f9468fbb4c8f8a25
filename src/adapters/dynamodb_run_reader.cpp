#include "adapters/dynamodb_run_reader.hpp"

#include <utility>

#include "adapters/detail/conditional_write.hpp"
#include "adapters/detail/table_format.hpp"

namespace ssc::adapters {
namespace row = table_format::status_row;

DynamoRunReader::DynamoRunReader(aws::DynamoDbClient& client, std::string export_status_table,
                                 std::string product_status_table)
    : client_(client),
      export_status_table_(std::move(export_status_table)),
      product_(client, std::move(product_status_table)) {}

core::RunState DynamoRunReader::read(const std::string& correlation_id, aws::Deadline deadline) {
  core::RunState run;
  run.correlation_id = correlation_id;
  const aws::QueryResult result =
      client_.query_all({{"TableName", export_status_table_},
                         {"KeyConditionExpression", std::string(row::kCorrelationId) + " = :c"},
                         {"ExpressionAttributeValues", {{":c", aws::ddb::S(correlation_id)}}},
                         {"ConsistentRead", true},
                         {"ProjectionExpression", row::kProjection}},
                        deadline);
  run.collections.reserve(result.items.size());
  for (const auto& item : result.items) {
    try {
      run.collections.push_back(collection_row_of(item));
    } catch (const aws::AwsError& error) {
      rethrow_with_item(error, export_status_table_, "correlation id \"" + correlation_id + "\"");
    }
  }
  // Without rows there is no run, and the product item is not read.
  if (!run.collections.empty()) run.product = product_.read(correlation_id, deadline);
  return run;
}

}  // namespace ssc::adapters
