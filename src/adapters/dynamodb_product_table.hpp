// The product status table (SPEC section 2) on DynamoDB: this system's item is
// (Correlation_Id, DataProduct = "SNAPSHOT_SENDER"), its attribute Status
// (adapters/detail/table_format.hpp). Thread-safe as its client is: the table name is fixed at
// construction and a call's state lives in the call.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws/dynamodb.hpp"
#include "core/ports.hpp"

namespace ssc::adapters {

class DynamoProductTable final : public core::ProductTable {
 public:
  // `client` must outlive the table.
  DynamoProductTable(aws::DynamoDbClient& client, std::string table_name);

  bool transition(const std::string& correlation_id, const std::string& to,
                  const std::vector<std::string>& done_statuses, const core::PendingMark& mine,
                  core::Deadline deadline) override;
  std::optional<core::ProductRow> read(const std::string& correlation_id,
                                       core::Deadline deadline) override;
  bool take_over(const std::string& correlation_id, const core::PendingMark& seen,
                 const core::PendingMark& mine, core::Deadline deadline) override;
  void remove_mark(const std::string& correlation_id, const core::Owner& owner,
                   core::Deadline deadline) override;

 private:
  [[nodiscard]] static nlohmann::json key_of(const std::string& correlation_id);

  aws::DynamoDbClient& client_;
  std::string table_;
};

}  // namespace ssc::adapters
