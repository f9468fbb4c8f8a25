// The product status table (SPEC section 2) on DynamoDB: this system's item is
// (Correlation_Id, DataProduct = "SNAPSHOT_SENDER"), its attribute Status.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws/dynamodb.hpp"
#include "core/ports.hpp"

namespace ssc::adapters {

inline constexpr const char* kDataProduct = "SNAPSHOT_SENDER";

class DynamoProductTable final : public core::ProductTable {
 public:
  // `client` must outlive the table.
  DynamoProductTable(aws::DynamoDbClient& client, std::string table_name);

  bool advance(const std::string& correlation_id, const std::string& status,
               const std::vector<std::string>& done_statuses,
               const core::PendingMark& mine) override;
  std::optional<core::ProductRow> read(const std::string& correlation_id) override;
  bool claim_pending(const std::string& correlation_id, const core::PendingMark& seen,
                     const core::PendingMark& mine) override;
  void clear_pending(const std::string& correlation_id, const std::string& owner) override;

 private:
  [[nodiscard]] static nlohmann::json key_of(const std::string& correlation_id);

  aws::DynamoDbClient& client_;
  std::string table_;
};

}  // namespace ssc::adapters
