// The export status table (SPEC section 2) on DynamoDB, with the file receipts table beside
// it: a file's count and its receipt are one TransactWriteItems; every other write that
// decides something is one conditional UpdateItem on the collection's row
// (docs/design.md). Formats: adapters/detail/table_format.hpp. Thread-safe as its client is: the
// table names are fixed at construction and a call's state lives in the call.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/dynamodb.hpp"
#include "core/ports.hpp"

namespace ssc::adapters {

struct StatusTables {
  std::string export_status;  // the export status table, shared with other systems
  std::string file_receipts;  // this system's own: one item per counted file
  // How long a receipt is kept: its ExpiresAt is this long after the count.
  std::chrono::seconds receipt_lifetime{std::chrono::hours(24 * 30)};
};

class DynamoStatusTable final : public core::StatusTable {
 public:
  // `client` must outlive the table.
  DynamoStatusTable(aws::DynamoDbClient& client, StatusTables tables);

  core::GroupCount count_files(const core::CollectionKey& key,
                               const std::vector<core::FileToCount>& files,
                               core::Deadline deadline) override;
  std::optional<core::CollectionRow> read(const core::CollectionKey& key,
                                          core::Deadline deadline) override;
  bool transition(const core::CollectionKey& key, const std::vector<std::string>& from,
                  const std::string& to, std::string_view not_while_pending_at,
                  const core::PendingMark& mine, core::Deadline deadline) override;
  bool take_over(const core::CollectionKey& key, const core::PendingMark& seen,
                 const core::PendingMark& mine, core::Deadline deadline) override;
  void remove_mark(const core::CollectionKey& key, const core::Owner& owner, core::Stage stage,
                   bool run_notified, core::Deadline deadline) override;
  std::vector<std::string> run_statuses(const std::string& correlation_id,
                                        core::Deadline deadline) override;

 private:
  [[nodiscard]] nlohmann::json key_of(const core::CollectionKey& key) const;
  [[nodiscard]] core::CollectionRow row_of(const nlohmann::json& item,
                                           const core::CollectionKey& key) const;
  // The key's members, written (the hot requests are written, not trees: issue #17).
  void write_key(aws::JsonWriter& writer, const core::CollectionKey& key) const;
  // One transaction of a group's count: the receipts of the files `chunk` names, and the
  // ADD of their number and `nameless` on the row.
  [[nodiscard]] aws::JsonRequest count_transaction(const core::CollectionKey& key,
                                                   const std::vector<core::FileToCount>& files,
                                                   const std::vector<std::size_t>& chunk,
                                                   std::int64_t nameless,
                                                   std::int64_t expires_at) const;
  // The count on the row, the members of an UpdateItem: ADD FilesReceived, on condition
  // that the row exists. The same action inside the transaction and, for files without a
  // name, alone.
  void write_count_update(aws::JsonWriter& writer, const core::CollectionKey& key,
                          std::int64_t files) const;
  [[nodiscard]] core::CollectionNotFound not_found(const core::CollectionKey& key,
                                                   const std::string& why = "") const;
  aws::TransactionOutcome count_chunk(const core::CollectionKey& key,
                                      const std::vector<core::FileToCount>& files,
                                      const std::vector<std::size_t>& chunk, std::int64_t nameless,
                                      std::int64_t expires_at, core::Deadline deadline);
  // A chunk refused for its conditions: the row's (throws CollectionNotFound) or receipts
  // that exist, each settled in `result` with the owner its receipt names. Returns the
  // files refused.
  std::vector<std::size_t> settle_refused(const core::CollectionKey& key,
                                          const std::vector<aws::CancellationReason>& reasons,
                                          const std::vector<std::size_t>& chunk,
                                          const std::vector<core::FileToCount>& files,
                                          core::GroupCount& result, core::Deadline deadline);
  core::CollectionRow count_without_receipt(const core::CollectionKey& key, std::int64_t files,
                                            core::Deadline deadline);
  core::Owner receipt_owner(const std::string& receipt_key, const aws::CancellationReason& reason,
                            core::Deadline deadline);
  core::CollectionRow read_existing(const core::CollectionKey& key, core::Deadline deadline);

  aws::DynamoDbClient& client_;
  StatusTables tables_;
};

}  // namespace ssc::adapters
