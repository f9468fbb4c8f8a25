// The export status table (SPEC section 2) on DynamoDB: every write that decides
// something is one conditional UpdateItem on the collection's row (docs/design.md).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws/dynamodb.hpp"
#include "core/ports.hpp"

namespace ssc::adapters {

class DynamoStatusTable final : public core::StatusTable {
 public:
  // `client` must outlive the table.
  DynamoStatusTable(aws::DynamoDbClient& client, std::string table_name);

  core::CountResult count_file(const core::CollectionKey& key,
                               const std::optional<std::string>& file_token,
                               const std::string& owner) override;
  std::optional<core::CollectionRow> read(const core::CollectionKey& key) override;
  bool transition(const core::CollectionKey& key, const std::vector<std::string>& from,
                  const std::string& to, const core::PendingMark& mine) override;
  bool claim_pending(const core::CollectionKey& key, const core::PendingMark& seen,
                     const core::PendingMark& mine) override;
  void finish_effects(const core::CollectionKey& key, const std::string& owner, core::Stage stage,
                      bool run_notified) override;
  std::vector<std::string> run_statuses(const std::string& correlation_id) override;

 private:
  [[nodiscard]] nlohmann::json key_of(const core::CollectionKey& key) const;
  [[nodiscard]] core::CollectionRow row_of(const nlohmann::json& item,
                                           const core::CollectionKey& key) const;
  nlohmann::json count_request(const core::CollectionKey& key,
                               const std::optional<std::string>& token,
                               const std::string& owner) const;
  std::optional<nlohmann::json> read_for_count(const core::CollectionKey& key, bool with_tokens);

  aws::DynamoDbClient& client_;
  std::string table_;
};

}  // namespace ssc::adapters
