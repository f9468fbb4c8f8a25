// The interfaces the workflow is written against. Adapters (DynamoDB, SQS, SNS,
// push gateway) implement them; unit tests implement them in memory.
//
// Threads: the batch handler processes a standard queue's messages on up to ten threads at
// once, all through the same port objects, so every implementation takes concurrent calls
// (state of its own is guarded), the in-memory fakes too, so that tests can race them. Only
// MetricsPublisher and OwnerTokens are called from the handler's own thread alone.
//
// Time: every call that does I/O ends by the `deadline` it is given (core/time_budget.hpp),
// retries included; past it, it throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/failures.hpp"  // what the ports throw for a message
#include "core/owner.hpp"
#include "core/time_budget.hpp"

namespace ssc::core {

// The pending-effects mark: set by the write that made a transition (or took over effects
// left behind), removed once the side effects that follow it are done
// (adapters/detail/table_format.hpp has its attributes).
struct PendingMark {
  // The owner's invocation deadline (epoch ms): past it, the owner is gone and another
  // invocation may take the effects over.
  std::int64_t until_ms = 0;
  // Unique to the write that set the mark (one per message of one invocation), so that an
  // invocation whose write was applied but not answered recognises the mark as its own.
  // Empty for a mark written before owners existed.
  Owner owner;

  friend bool operator==(const PendingMark&, const PendingMark&) = default;
};

// The two stages a collection, and a run, goes through (core/protocol.hpp has what each
// one is): received (collection Received, run RECEIVED) and successful (collection
// Success, run COMPLETED).
enum class Stage { Received, Successful };

// Who finished the side effects of a collection's stage: the owner of the message whose
// call performed them and removed the pending mark, and whether that call also sent the
// run's notification. Kept on the row so that a later delivery of that same message can
// count in the metrics what the earlier delivery could not push. Owner empty when not known
// (not finished yet, or finished before this was recorded).
struct StageDoneBy {
  Owner owner;
  bool run_notified = false;

  friend bool operator==(const StageDoneBy&, const StageDoneBy&) = default;
};

struct EffectsDoneBy {
  StageDoneBy received;
  StageDoneBy successful;

  friend bool operator==(const EffectsDoneBy&, const EffectsDoneBy&) = default;
};

struct CollectionKey {
  std::string correlation_id;
  std::string collection_name;
};

// One row of the export status table, as far as this system reads it: what the workflow
// decides on and what the `status` command shows. An absent number stays absent (the
// operator is told "null"); the rules count an absent FilesReceived as 0.
struct CollectionRow {
  std::string status;                          // CollectionStatus; empty when absent
  std::optional<std::int64_t> files_exported;  // FilesExported
  std::optional<std::int64_t> files_received;  // FilesReceived
  std::optional<PendingMark> pending;          // absent when no effects are pending
  EffectsDoneBy effects_done_by;
  std::string collection_name;             // CollectionName
  std::optional<std::int64_t> files_sent;  // FilesSent

  // The files counted so far: an absent FilesReceived counts as 0 (no file counted yet).
  [[nodiscard]] std::int64_t files_received_or_zero() const { return files_received.value_or(0); }
};

// One file of a group counted together: its receipt key (nullopt for a file without a name,
// counted on every delivery) and the owner of its message's delivery, which its receipt
// records.
struct FileToCount {
  std::optional<std::string> receipt_key;
  Owner owner;
};

// What became of one file of a group, in the order the files were given.
struct FileCount {
  bool counted = false;  // false: this file had been counted before (a redelivery)
  // When not counted: the owner on the file's receipt, the delivery whose count wrote it
  // (empty when the receipt names none). Ours, the refusal was the repeat of our own count,
  // applied but not answered; an earlier delivery's, that delivery counted the file and
  // then failed.
  Owner counted_by;
};

struct GroupCount {
  std::vector<FileCount> files;
  CollectionRow row;  // the row after the count: one consistent read
  // The transactions sent and how many of them met another one on an item (contention,
  // retried): what a hot collection costs, for the log.
  int transactions = 0;
  int conflicts = 0;
};

// The export status table. Every call is one atomic conditional write or one consistent
// read.
class StatusTable {
 public:
  virtual ~StatusTable() = default;
  // Counts a group of files of the collection: adds to FilesReceived the number of those
  // not counted before, and writes each named file's receipt (which records its owner) in
  // the same atomic step as its count. A file whose receipt exists, or that stands earlier
  // in the group under the same key, is not counted again. Contention is waited out until
  // `deadline`. Throws CollectionNotFound (nothing is written then).
  virtual GroupCount count_files(const CollectionKey& key, const std::vector<FileToCount>& files,
                                 Deadline deadline) = 0;
  virtual std::optional<CollectionRow> read(const CollectionKey& key, Deadline deadline) = 0;
  // Moves CollectionStatus from one of `from` to `to` and sets the pending mark `mine`, in
  // one conditional write. True when the write was applied; false when its condition
  // failed, which includes a repeat of a write that was applied but not answered. A row at
  // status `not_while_pending_at` (none when empty) that carries a pending mark is not
  // moved: the mark would be overwritten and the effects it stands for lost.
  virtual bool transition(const CollectionKey& key, const std::vector<std::string>& from,
                          const std::string& to, std::string_view not_while_pending_at,
                          const PendingMark& mine, Deadline deadline) = 0;
  // Takes over pending effects whose owner is gone: true when the mark still had the owner
  // of `seen` (or, for a mark without owner, its time) and now is `mine`.
  virtual bool take_over(const CollectionKey& key, const PendingMark& seen, const PendingMark& mine,
                         Deadline deadline) = 0;
  // The stage's side effects are done: if the mark's owner is still `owner`, removes the mark
  // and records `owner` (and `run_notified`) as who finished the stage, in one write; another
  // owner's mark stays.
  virtual void remove_mark(const CollectionKey& key, const Owner& owner, Stage stage,
                           bool run_notified, Deadline deadline) = 0;
  // CollectionStatus of every row of the run: all pages of a strongly consistent query.
  virtual std::vector<std::string> run_statuses(const std::string& correlation_id,
                                                Deadline deadline) = 0;
};

struct ProductRow {
  std::string status;  // Status; empty when absent
  std::optional<PendingMark> pending;
};

// The product status table: this system's item of a run. As StatusTable, one atomic write
// or consistent read per call.
class ProductTable {
 public:
  virtual ~ProductTable() = default;
  // Sets Status to `to` (creating the item if needed) unless it is already one of
  // `done_statuses`, and sets the pending mark `mine` in the same conditional write. True
  // when it was applied.
  virtual bool transition(const std::string& correlation_id, const std::string& to,
                          const std::vector<std::string>& done_statuses, const PendingMark& mine,
                          Deadline deadline) = 0;
  virtual std::optional<ProductRow> read(const std::string& correlation_id, Deadline deadline) = 0;
  // As StatusTable::take_over.
  virtual bool take_over(const std::string& correlation_id, const PendingMark& seen,
                         const PendingMark& mine, Deadline deadline) = 0;
  // Removes the mark if its owner is still `owner`; another owner's mark stays. Who sent the
  // notification is recorded on the collection's row (StatusTable::remove_mark), not
  // here: this item is read by other systems and keeps its three attributes.
  virtual void remove_mark(const std::string& correlation_id, const Owner& owner,
                           Deadline deadline) = 0;
};

class ExportStateQueue {
 public:
  virtual ~ExportStateQueue() = default;
  virtual void send(const std::string& body, const std::string& message_group_id,
                    const std::string& deduplication_id, Deadline deadline) = 0;
};

class Monitoring {
 public:
  virtual ~Monitoring() = default;
  virtual void publish(const std::string& message, Deadline deadline) = 0;
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
  // A delivery of a valid message that failed (it comes back, or goes to the dead-letter
  // queue), and a delivery of a message rejected as invalid (SPEC section 1): one each per
  // delivery, so a message that fails five times counts five. A rejected message's labels
  // are what its body names, NOT_SET for the rest (core/message.hpp).
  virtual void message_failed(const RunLabels& run) = 0;
  virtual void message_rejected(const RunLabels& run) = 0;
};

// Pushes and deletes what the push gateway holds for a run (SPEC section 7), after the
// batch's workers are done: a push and the deletion of the same run are never concurrent.
class MetricsPublisher {
 public:
  virtual ~MetricsPublisher() = default;
  virtual void push(const std::string& correlation_id, Deadline deadline) = 0;
  virtual void delete_run(const std::string& correlation_id, Deadline deadline) = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ms() = 0;  // epoch milliseconds: what the pending marks carry
  virtual Deadline steady_now() = 0;  // what a TimeBudget's deadlines are compared with
  // Sleeps the time asked. Whoever sleeps keeps to its own deadline: the clock knows none.
  virtual void sleep_ms(std::int64_t milliseconds) = 0;
};

// Random, unique owner tokens for pending marks: one per invocation, from a source that
// concurrent invocations (other processes, other machines) cannot repeat.
class OwnerTokens {
 public:
  virtual ~OwnerTokens() = default;
  virtual std::string next() = 0;
};

}  // namespace ssc::core
