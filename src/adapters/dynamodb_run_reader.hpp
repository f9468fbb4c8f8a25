// Reads a whole run for the operator's `status` command (SPEC section 10): every row of the
// correlation id (all pages of a strongly consistent Query) and the product item (a
// strongly consistent GetItem). Reads only: it never writes to either table. Thread-safe as
// its client is: what it holds is fixed at construction.
#pragma once

#include <string>

#include "adapters/dynamodb_product_table.hpp"
#include "aws/dynamodb.hpp"
#include "core/run_status.hpp"

namespace ssc::adapters {

class DynamoRunReader {
 public:
  // `client` must outlive the reader.
  DynamoRunReader(aws::DynamoDbClient& client, std::string export_status_table,
                  std::string product_status_table);

  // The run as it stands; no collections when no row has the correlation id. Both reads end
  // by `deadline`. Throws aws::AwsError (naming the table) when DynamoDB fails or a row
  // holds a malformed value.
  core::RunState read(const std::string& correlation_id, aws::Deadline deadline);

 private:
  aws::DynamoDbClient& client_;
  std::string export_status_table_;
  DynamoProductTable product_;
};

}  // namespace ssc::adapters
