// The interfaces the workflow is written against. Adapters (DynamoDB, SQS, SNS,
// push gateway) implement them; unit tests implement them in memory.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ssc::core {

struct CollectionKey {
  std::string correlation_id;
  std::string collection_name;
};

// One row of the export status table, as far as this system reads it.
struct CollectionRow {
  std::string status;                          // CollectionStatus; empty when absent
  std::optional<std::int64_t> files_exported;  // FilesExported; absent stays absent
  std::int64_t files_received = 0;             // FilesReceived; absent counts as 0
  // PendingEffectsUntil: set by the write that made a transition, removed once the side
  // effects that follow it are done. Holds the deadline (epoch ms) of the invocation that
  // owns them; past it, that invocation is dead and another may take the effects over.
  std::optional<std::int64_t> pending_effects_until_ms;
};

// The collection's row does not exist; the message is failed, nothing is written.
class CollectionNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CountResult {
  bool counted = false;  // false: this file had been counted before (a redelivery)
  CollectionRow row;     // the row after the write (or as it stands, when not counted)
};

class StatusTable {
 public:
  virtual ~StatusTable() = default;
  // Adds one to FilesReceived. With a file token, a file already counted for this
  // collection is not counted again. Throws CollectionNotFound.
  virtual CountResult count_file(const CollectionKey& key,
                                 const std::optional<std::string>& file_token) = 0;
  virtual std::optional<CollectionRow> read(const CollectionKey& key) = 0;
  // Moves CollectionStatus from one of `from` to `to` and marks effects pending until
  // `pending_until_ms`, in one conditional write. True when this call made the move.
  virtual bool transition(const CollectionKey& key, const std::vector<std::string>& from,
                          const std::string& to, std::int64_t pending_until_ms) = 0;
  // Takes over pending effects whose owner is gone: true when the marker still held
  // `seen_until_ms` and now holds `new_until_ms`.
  virtual bool claim_pending(const CollectionKey& key, std::int64_t seen_until_ms,
                             std::int64_t new_until_ms) = 0;
  // Removes the marker if it is still ours.
  virtual void clear_pending(const CollectionKey& key, std::int64_t own_until_ms) = 0;
  // CollectionStatus of every row of the run: all pages of a strongly consistent query.
  virtual std::vector<std::string> run_statuses(const std::string& correlation_id) = 0;
};

struct ProductRow {
  std::string status;  // Status; empty when absent
  std::optional<std::int64_t> pending_effects_until_ms;
};

class ProductTable {
 public:
  virtual ~ProductTable() = default;
  // Sets Status (creating the item if needed) unless it is already one of `done_statuses`;
  // marks effects pending in the same conditional write. True when this call set it.
  virtual bool advance(const std::string& correlation_id, const std::string& status,
                       const std::vector<std::string>& done_statuses,
                       std::int64_t pending_until_ms) = 0;
  virtual std::optional<ProductRow> read(const std::string& correlation_id) = 0;
  virtual bool claim_pending(const std::string& correlation_id, std::int64_t seen_until_ms,
                             std::int64_t new_until_ms) = 0;
  virtual void clear_pending(const std::string& correlation_id, std::int64_t own_until_ms) = 0;
};

class ExportStateQueue {
 public:
  virtual ~ExportStateQueue() = default;
  virtual void send(const std::string& body, const std::string& message_group_id,
                    const std::string& deduplication_id) = 0;
};

class Monitoring {
 public:
  virtual ~Monitoring() = default;
  virtual void publish(const std::string& message) = 0;
};

struct RunLabels {
  std::string correlation_id;
  std::string export_date;
  std::string snapshot_type;
};

class Metrics {
 public:
  virtual ~Metrics() = default;
  virtual void processing_time(const RunLabels& run, double seconds) = 0;
  virtual void file_received(const RunLabels& run, const std::string& collection_name) = 0;
  virtual void collection_received(const RunLabels& run) = 0;
  virtual void collection_successful(const RunLabels& run) = 0;
  virtual void all_collections_received(const RunLabels& run) = 0;
  virtual void all_collections_successful(const RunLabels& run) = 0;
};

// Pushes and deletes what the push gateway holds for a run (SPEC section 7).
class MetricsPublisher {
 public:
  virtual ~MetricsPublisher() = default;
  virtual void push(const std::string& correlation_id) = 0;
  virtual void delete_run(const std::string& correlation_id) = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() = 0;  // epoch milliseconds
  virtual void sleep_ms(std::int64_t milliseconds) = 0;
};

}  // namespace ssc::core
