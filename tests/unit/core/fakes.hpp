// In-memory ports for the core's tests. The tables keep the conditional semantics of the
// real adapters (each call is atomic under one mutex), so that races can be tested.
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/ports.hpp"

namespace ssc::core::testing {

inline bool one_of(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

class FakeStatusTable : public StatusTable {
 public:
  void put(const CollectionKey& key, const std::string& status,
           std::optional<std::int64_t> files_exported, std::int64_t files_received = 0) {
    const std::lock_guard<std::mutex> lock(mutex_);
    Entry& entry = rows_[{key.correlation_id, key.collection_name}];
    entry.row.status = status;
    entry.row.files_exported = files_exported;
    entry.row.files_received = files_received;
  }

  CollectionRow row(const CollectionKey& key) {
    const std::lock_guard<std::mutex> lock(mutex_);
    return rows_.at({key.correlation_id, key.collection_name}).row;
  }

  void set_pending(const CollectionKey& key, std::optional<std::int64_t> until_ms) {
    const std::lock_guard<std::mutex> lock(mutex_);
    rows_.at({key.correlation_id, key.collection_name}).row.pending_effects_until_ms = until_ms;
  }

  // Runs once, just before the next transition() takes effect: lets a test slip another
  // invocation in between a decision and the conditional write.
  void before_next_transition(std::function<void()> hook) {
    const std::lock_guard<std::mutex> lock(mutex_);
    before_transition_ = std::move(hook);
  }

  CountResult count_file(const CollectionKey& key,
                         const std::optional<std::string>& file_token) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = rows_.find({key.correlation_id, key.collection_name});
    if (found == rows_.end()) throw CollectionNotFound("no row for " + key.collection_name);
    Entry& entry = found->second;
    if (file_token && entry.tokens.count(*file_token) > 0) return {false, entry.row};
    ++entry.row.files_received;
    if (file_token) entry.tokens.insert(*file_token);
    return {true, entry.row};
  }

  std::optional<CollectionRow> read(const CollectionKey& key) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    ++reads_;
    const auto found = rows_.find({key.correlation_id, key.collection_name});
    if (found == rows_.end()) return std::nullopt;
    return found->second.row;
  }

  bool transition(const CollectionKey& key, const std::vector<std::string>& from,
                  const std::string& to, std::int64_t pending_until_ms) override {
    std::function<void()> hook;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      std::swap(hook, before_transition_);
    }
    if (hook) hook();
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = rows_.find({key.correlation_id, key.collection_name});
    if (found == rows_.end() || !one_of(from, found->second.row.status)) return false;
    found->second.row.status = to;
    found->second.row.pending_effects_until_ms = pending_until_ms;
    ++transitions_;
    return true;
  }

  bool claim_pending(const CollectionKey& key, std::int64_t seen_until_ms,
                     std::int64_t new_until_ms) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = rows_.find({key.correlation_id, key.collection_name});
    if (found == rows_.end() || found->second.row.pending_effects_until_ms != seen_until_ms) {
      return false;
    }
    found->second.row.pending_effects_until_ms = new_until_ms;
    return true;
  }

  void clear_pending(const CollectionKey& key, std::int64_t own_until_ms) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = rows_.find({key.correlation_id, key.collection_name});
    if (found != rows_.end() && found->second.row.pending_effects_until_ms == own_until_ms) {
      found->second.row.pending_effects_until_ms.reset();
    }
  }

  std::vector<std::string> run_statuses(const std::string& correlation_id) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> statuses;
    for (const auto& [key, entry] : rows_) {
      if (key.first == correlation_id) statuses.push_back(entry.row.status);
    }
    return statuses;
  }

  int reads() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return reads_;
  }
  int transitions() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return transitions_;
  }

 private:
  struct Entry {
    CollectionRow row;
    std::set<std::string> tokens;
  };
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Entry> rows_;
  std::function<void()> before_transition_;
  int reads_ = 0;
  int transitions_ = 0;
};

class FakeProductTable : public ProductTable {
 public:
  std::optional<ProductRow> row(const std::string& correlation_id) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = rows_.find(correlation_id);
    if (found == rows_.end()) return std::nullopt;
    return found->second;
  }

  bool advance(const std::string& correlation_id, const std::string& status,
               const std::vector<std::string>& done_statuses,
               std::int64_t pending_until_ms) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    ProductRow& row = rows_[correlation_id];
    if (one_of(done_statuses, row.status)) return false;
    row.status = status;
    row.pending_effects_until_ms = pending_until_ms;
    return true;
  }

  std::optional<ProductRow> read(const std::string& correlation_id) override {
    return row(correlation_id);
  }

  bool claim_pending(const std::string& correlation_id, std::int64_t seen_until_ms,
                     std::int64_t new_until_ms) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = rows_.find(correlation_id);
    if (found == rows_.end() || found->second.pending_effects_until_ms != seen_until_ms) {
      return false;
    }
    found->second.pending_effects_until_ms = new_until_ms;
    return true;
  }

  void clear_pending(const std::string& correlation_id, std::int64_t own_until_ms) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = rows_.find(correlation_id);
    if (found != rows_.end() && found->second.pending_effects_until_ms == own_until_ms) {
      found->second.pending_effects_until_ms.reset();
    }
  }

 private:
  std::mutex mutex_;
  std::map<std::string, ProductRow> rows_;
};

// Counts down injected failures: each call while failures remain throws and uses one up,
// standing in for an invocation that dies or an AWS call that fails.
class FailureInjector {
 public:
  void fail_next(int calls) { remaining_ = calls; }
  void maybe_fail(const char* what) {
    if (remaining_.fetch_sub(1) > 0) throw std::runtime_error(std::string("injected: ") + what);
    remaining_.store(0);
  }

 private:
  std::atomic<int> remaining_{0};
};

class FakeQueue : public ExportStateQueue {
 public:
  struct Sent {
    std::string body;
    std::string group_id;
    std::string deduplication_id;
  };

  void send(const std::string& body, const std::string& message_group_id,
            const std::string& deduplication_id) override {
    failures.maybe_fail("queue send");
    const std::lock_guard<std::mutex> lock(mutex_);
    sent_.push_back({body, message_group_id, deduplication_id});
  }

  std::vector<Sent> sent() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
  }

  FailureInjector failures;

 private:
  std::mutex mutex_;
  std::vector<Sent> sent_;
};

class FakeMonitoring : public Monitoring {
 public:
  void publish(const std::string& message) override {
    failures.maybe_fail("monitoring publish");
    const std::lock_guard<std::mutex> lock(mutex_);
    published_.push_back(message);
  }

  std::vector<std::string> published() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return published_;
  }

  FailureInjector failures;

 private:
  std::mutex mutex_;
  std::vector<std::string> published_;
};

// Records every metric call as "<name>|<correlation_id>|<export_date>|<snapshot_type>[|coll]".
class FakeMetrics : public Metrics {
 public:
  void processing_time(const RunLabels& run, double seconds) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    processing_times_.emplace_back(key("processing_time", run), seconds);
  }
  void file_received(const RunLabels& run, const std::string& collection_name) override {
    add(key("file_received", run) + "|" + collection_name);
  }
  void collection_received(const RunLabels& run) override { add(key("collection_received", run)); }
  void collection_successful(const RunLabels& run) override {
    add(key("collection_successful", run));
  }
  void all_collections_received(const RunLabels& run) override {
    add(key("all_collections_received", run));
  }
  void all_collections_successful(const RunLabels& run) override {
    add(key("all_collections_successful", run));
  }

  // Total of the calls whose name (the part before the first '|') is `name`.
  int count(const std::string& name) {
    const std::lock_guard<std::mutex> lock(mutex_);
    int total = 0;
    for (const auto& [k, n] : counts_) {
      if (k.substr(0, k.find('|')) == name) total += n;
    }
    return total;
  }
  int count_exact(const std::string& full_key) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = counts_.find(full_key);
    return found == counts_.end() ? 0 : found->second;
  }
  std::vector<std::pair<std::string, double>> processing_times() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return processing_times_;
  }

  static std::string key(const std::string& name, const RunLabels& run) {
    return name + "|" + run.correlation_id + "|" + run.export_date + "|" + run.snapshot_type;
  }

 private:
  void add(const std::string& full_key) {
    const std::lock_guard<std::mutex> lock(mutex_);
    ++counts_[full_key];
  }
  std::mutex mutex_;
  std::map<std::string, int> counts_;
  std::vector<std::pair<std::string, double>> processing_times_;
};

class FakeMetricsPublisher : public MetricsPublisher {
 public:
  void push(const std::string& correlation_id) override {
    pushed.push_back(correlation_id);
    push_failures.maybe_fail("push");
  }
  void delete_run(const std::string& correlation_id) override {
    deleted.push_back(correlation_id);
    delete_failures.maybe_fail("delete");
  }
  std::vector<std::string> pushed;
  std::vector<std::string> deleted;
  FailureInjector push_failures;
  FailureInjector delete_failures;
};

// Time stands still unless a test moves it; sleeping moves it. Every call to now_ms can
// also advance it by a fixed step, so durations are non-zero and predictable.
class FakeClock : public Clock {
 public:
  explicit FakeClock(std::int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  std::int64_t now_ms() override { return now_.fetch_add(step_ms); }
  void sleep_ms(std::int64_t milliseconds) override {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      sleeps_.push_back(milliseconds);
    }
    now_.fetch_add(milliseconds);
  }
  void set(std::int64_t now_ms) { now_.store(now_ms); }
  std::int64_t peek() const { return now_.load(); }
  std::vector<std::int64_t> sleeps() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return sleeps_;
  }
  std::int64_t step_ms = 0;

 private:
  std::atomic<std::int64_t> now_;
  std::mutex mutex_;
  std::vector<std::int64_t> sleeps_;
};

}  // namespace ssc::core::testing
