// In-memory ports for the core's tests. The tables keep the conditional semantics of the
// real adapters (each call is atomic under one mutex), so that races can be tested, and can
// lose the answer of a write the way the network does: the write is applied, the answer
// never arrives, and the repeat (the transport's or the retry loop's) meets its own condition.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
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

// The take over's condition as the adapters write it: same owner, or for a mark without
// owner, no owner and the same time.
inline bool still_seen(const std::optional<PendingMark>& current, const PendingMark& seen) {
  if (!current) return false;
  if (seen.owner.empty()) return current->owner.empty() && current->until_ms == seen.until_ms;
  return current->owner == seen.owner;
}

// The deadlines a fake was called with, in order, so that a test can tell which of the
// budget's ends bounded which call.
class SeenDeadlines {
 public:
  void add(Deadline deadline) {
    const std::lock_guard<std::mutex> lock(mutex_);
    seen_.push_back(deadline);
  }
  std::vector<Deadline> all() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::vector<Deadline> seen_;
};

// Which conditional writes lose their next answer.
enum class Write { Transition, TakeOver, ProductTransition, Count };

// Writes whose answer is lost, one use each: the write is applied, the caller sees only
// what the repeat of the same request answers.
class LostAnswers {
 public:
  void lose_next(Write write) {
    const std::lock_guard<std::mutex> lock(mutex_);
    pending_.insert(write);
  }
  bool take(Write write) {
    const std::lock_guard<std::mutex> lock(mutex_);
    return pending_.erase(write) > 0;
  }

 private:
  std::mutex mutex_;
  std::multiset<Write> pending_;
};

// Applies a conditional write; when its answer is lost, applies the very same request again
// and answers with the repeat's outcome, as a resent request would.
template <typename Apply>
bool with_lost_answer(bool lose, Apply apply) {
  const bool first = apply();
  if (!lose) return first;
  return apply();
}

class FakeStatusTable : public StatusTable {
 public:
  void put(const CollectionKey& key, const std::string& status,
           std::optional<std::int64_t> files_exported, std::int64_t files_received = 0) {
    const std::lock_guard<std::mutex> lock(mutex_);
    Entry& entry = rows_[{key.correlation_id, key.collection_name}];
    entry.row.collection_name = key.collection_name;
    entry.row.status = status;
    entry.row.files_exported = files_exported;
    entry.row.files_received = files_received;
  }

  CollectionRow row(const CollectionKey& key) {
    const std::lock_guard<std::mutex> lock(mutex_);
    return rows_.at({key.correlation_id, key.collection_name}).row;
  }

  void set_pending(const CollectionKey& key, std::optional<PendingMark> mark) {
    const std::lock_guard<std::mutex> lock(mutex_);
    rows_.at({key.correlation_id, key.collection_name}).row.pending = std::move(mark);
  }

  // Runs once, just before the next transition() takes effect: lets a test slip another
  // invocation in between a decision and the conditional write.
  void before_next_transition(std::function<void()> hook) {
    const std::lock_guard<std::mutex> lock(mutex_);
    before_transition_ = std::move(hook);
  }

  // Runs once, just after the next transition() was decided (applied or refused), before
  // its caller sees the answer: another invocation's write landing in between.
  void after_next_transition(std::function<void()> hook) {
    const std::lock_guard<std::mutex> lock(mutex_);
    after_transition_ = std::move(hook);
  }

  // Runs once, just before the next take_over() takes effect.
  void before_next_take_over(std::function<void()> hook) {
    const std::lock_guard<std::mutex> lock(mutex_);
    before_take_over_ = std::move(hook);
  }

  // Runs once, between a count whose answer is lost (Write::Count) and its repeat: lets a
  // test slip another count on the same row in between.
  void before_next_count_repeat(std::function<void()> hook) {
    const std::lock_guard<std::mutex> lock(mutex_);
    before_count_repeat_ = std::move(hook);
  }

  // As the adapter: the receipts and the count in one atomic step; a file whose receipt
  // exists (or stands earlier in the group) is settled with the owner its receipt names.
  GroupCount count_files(const CollectionKey& key, const std::vector<FileToCount>& files,
                         Deadline deadline) override {
    deadlines.add(deadline);
    const auto apply = [&] {
      const std::lock_guard<std::mutex> lock(mutex_);
      const auto found = rows_.find({key.correlation_id, key.collection_name});
      if (found == rows_.end()) throw CollectionNotFound("no row for " + key.collection_name);
      Entry& entry = found->second;
      GroupCount result;
      result.transactions = 1;
      for (const FileToCount& file : files) {
        if (file.receipt_key) {
          if (const auto receipt = receipts_.find(*file.receipt_key); receipt != receipts_.end()) {
            result.files.push_back({false, receipt->second});
            continue;
          }
          receipts_.emplace(*file.receipt_key, file.owner);
        }
        entry.row.files_received = entry.row.files_received_or_zero() + 1;
        result.files.push_back({true, {}});
      }
      ++counts_;
      result.row = entry.row;
      return result;
    };
    const GroupCount first = apply();
    if (!lost_answers.take(Write::Count)) return first;
    std::function<void()> hook;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      std::swap(hook, before_count_repeat_);
    }
    if (hook) hook();
    return apply();
  }

  // The owner each receipt records, by receipt key.
  std::map<std::string, Owner> receipts() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return receipts_;
  }

  // As if a count had been applied earlier with this receipt and owner.
  void record_count(const CollectionKey& key, const std::string& receipt_key, const Owner& owner) {
    const std::lock_guard<std::mutex> lock(mutex_);
    receipts_.emplace(receipt_key, owner);
    CollectionRow& row = rows_.at({key.correlation_id, key.collection_name}).row;
    row.files_received = row.files_received_or_zero() + 1;
  }

  void set_effects_done_by(const CollectionKey& key, EffectsDoneBy done) {
    const std::lock_guard<std::mutex> lock(mutex_);
    rows_.at({key.correlation_id, key.collection_name}).row.effects_done_by = std::move(done);
  }

  std::optional<CollectionRow> read(const CollectionKey& key, Deadline deadline) override {
    deadlines.add(deadline);
    const std::lock_guard<std::mutex> lock(mutex_);
    ++reads_;
    const auto found = rows_.find({key.correlation_id, key.collection_name});
    if (found == rows_.end()) return std::nullopt;
    return found->second.row;
  }

  bool transition(const CollectionKey& key, const std::vector<std::string>& from,
                  const std::string& to, std::string_view not_while_pending_at,
                  const PendingMark& mine, Deadline deadline) override {
    deadlines.add(deadline);
    std::function<void()> hook;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      std::swap(hook, before_transition_);
    }
    if (hook) hook();
    const bool moved = with_lost_answer(lost_answers.take(Write::Transition), [&] {
      const std::lock_guard<std::mutex> lock(mutex_);
      const auto found = rows_.find({key.correlation_id, key.collection_name});
      if (found == rows_.end() || !one_of(from, found->second.row.status)) return false;
      if (found->second.row.status == not_while_pending_at && found->second.row.pending) {
        return false;
      }
      found->second.row.status = to;
      found->second.row.pending = mine;
      transitioned_by_.push_back(mine.owner);
      return true;
    });
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      hook = nullptr;
      std::swap(hook, after_transition_);
    }
    if (hook) hook();
    return moved;
  }

  bool take_over(const CollectionKey& key, const PendingMark& seen, const PendingMark& mine,
                 Deadline deadline) override {
    deadlines.add(deadline);
    std::function<void()> hook;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      std::swap(hook, before_take_over_);
    }
    if (hook) hook();
    return with_lost_answer(lost_answers.take(Write::TakeOver), [&] {
      const std::lock_guard<std::mutex> lock(mutex_);
      const auto found = rows_.find({key.correlation_id, key.collection_name});
      if (found == rows_.end() || !still_seen(found->second.row.pending, seen)) return false;
      found->second.row.pending = mine;
      ++take_overs_;
      return true;
    });
  }

  void remove_mark(const CollectionKey& key, const Owner& owner, Stage stage, bool run_notified,
                   Deadline deadline) override {
    deadlines.add(deadline);
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = rows_.find({key.correlation_id, key.collection_name});
    if (found != rows_.end() && found->second.row.pending &&
        found->second.row.pending->owner == owner) {
      found->second.row.pending.reset();
      EffectsDoneBy& done = found->second.row.effects_done_by;
      (stage == Stage::Received ? done.received : done.successful) = {owner, run_notified};
    }
  }

  std::vector<std::string> run_statuses(const std::string& correlation_id,
                                        Deadline deadline) override {
    deadlines.add(deadline);
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
    return static_cast<int>(transitioned_by_.size());
  }
  // The owner of each transition applied, in order: whose call moved the collection.
  std::vector<Owner> transitioned_by() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return transitioned_by_;
  }
  int take_overs() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return take_overs_;
  }
  // count_files() calls applied: one per group.
  int counts() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return counts_;
  }

  LostAnswers lost_answers;
  SeenDeadlines deadlines;

 private:
  struct Entry {
    CollectionRow row;
  };
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Entry> rows_;
  std::map<std::string, Owner> receipts_;
  std::function<void()> before_transition_;
  std::function<void()> after_transition_;
  std::function<void()> before_count_repeat_;
  std::function<void()> before_take_over_;
  int reads_ = 0;
  std::vector<Owner> transitioned_by_;
  int take_overs_ = 0;
  int counts_ = 0;
};

class FakeProductTable : public ProductTable {
 public:
  std::optional<ProductRow> row(const std::string& correlation_id) {
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = rows_.find(correlation_id);
    if (found == rows_.end()) return std::nullopt;
    return found->second;
  }

  void put(const std::string& correlation_id, const std::string& status,
           std::optional<PendingMark> mark = std::nullopt) {
    const std::lock_guard<std::mutex> lock(mutex_);
    rows_[correlation_id] = ProductRow{status, std::move(mark)};
  }

  bool transition(const std::string& correlation_id, const std::string& to,
                  const std::vector<std::string>& done_statuses, const PendingMark& mine,
                  Deadline deadline) override {
    deadlines.add(deadline);
    return with_lost_answer(lost_answers.take(Write::ProductTransition), [&] {
      const std::lock_guard<std::mutex> lock(mutex_);
      ProductRow& row = rows_[correlation_id];
      if (one_of(done_statuses, row.status)) return false;
      row.status = to;
      row.pending = mine;
      ++transitions_;
      return true;
    });
  }

  std::optional<ProductRow> read(const std::string& correlation_id, Deadline deadline) override {
    deadlines.add(deadline);
    return row(correlation_id);
  }

  bool take_over(const std::string& correlation_id, const PendingMark& seen,
                 const PendingMark& mine, Deadline deadline) override {
    deadlines.add(deadline);
    return with_lost_answer(lost_answers.take(Write::TakeOver), [&] {
      const std::lock_guard<std::mutex> lock(mutex_);
      const auto found = rows_.find(correlation_id);
      if (found == rows_.end() || !still_seen(found->second.pending, seen)) return false;
      found->second.pending = mine;
      ++take_overs_;
      return true;
    });
  }

  // Conditional writes applied (a repeat refused is not one).
  int transitions() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return transitions_;
  }
  int take_overs() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return take_overs_;
  }

  void remove_mark(const std::string& correlation_id, const Owner& owner,
                   Deadline deadline) override {
    deadlines.add(deadline);
    const std::lock_guard<std::mutex> lock(mutex_);
    const auto found = rows_.find(correlation_id);
    if (found != rows_.end() && found->second.pending && found->second.pending->owner == owner) {
      found->second.pending.reset();
    }
  }

  LostAnswers lost_answers;
  SeenDeadlines deadlines;

 private:
  std::mutex mutex_;
  std::map<std::string, ProductRow> rows_;
  int transitions_ = 0;
  int take_overs_ = 0;
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
            const std::string& deduplication_id, Deadline deadline) override {
    deadlines.add(deadline);
    failures.maybe_fail("queue send");
    const std::lock_guard<std::mutex> lock(mutex_);
    sent_.push_back({body, message_group_id, deduplication_id});
  }

  std::vector<Sent> sent() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
  }

  FailureInjector failures;
  SeenDeadlines deadlines;

 private:
  std::mutex mutex_;
  std::vector<Sent> sent_;
};

class FakeMonitoring : public Monitoring {
 public:
  void publish(const std::string& message, Deadline deadline) override {
    deadlines.add(deadline);
    failures.maybe_fail("monitoring publish");
    const std::lock_guard<std::mutex> lock(mutex_);
    published_.push_back(message);
  }

  std::vector<std::string> published() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return published_;
  }

  FailureInjector failures;
  SeenDeadlines deadlines;

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
  void message_failed(const RunLabels& run) override { add(key("message_failed", run)); }
  void message_rejected(const RunLabels& run) override { add(key("message_rejected", run)); }

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
  void push(const std::string& correlation_id, Deadline deadline) override {
    pushed.push_back(correlation_id);
    push_deadlines.push_back(deadline);
    if (on_push) on_push();
    push_failures.maybe_fail("push");
  }
  void delete_run(const std::string& correlation_id, Deadline deadline) override {
    deleted.push_back(correlation_id);
    delete_deadlines.push_back(deadline);
    if (on_delete) on_delete();
    delete_failures.maybe_fail("delete");
  }
  std::function<void()> on_push;  // e.g. to look at the time when a push is made
  std::function<void()> on_delete;
  std::vector<std::string> pushed;
  std::vector<std::string> deleted;
  std::vector<Deadline> push_deadlines;  // one per push, in order
  std::vector<Deadline> delete_deadlines;
  FailureInjector push_failures;
  FailureInjector delete_failures;
};

// Time stands still unless a test moves it; sleeping moves it. Every call to now_ms can
// also advance it by a fixed step, so durations are non-zero and predictable. Its steady
// time is its epoch time read as a steady time point: the two move together.
class FakeClock : public Clock {
 public:
  explicit FakeClock(std::int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  std::int64_t now_ms() override { return now_.fetch_add(step_ms); }
  Deadline steady_now() override { return steady_at(now_.load()); }
  // The steady time point of the epoch time `epoch_ms` on this clock.
  static Deadline steady_at(std::int64_t epoch_ms) {
    return Deadline{} + std::chrono::milliseconds(epoch_ms);
  }
  void sleep_ms(std::int64_t milliseconds) override {
    std::function<void()> hook;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      sleeps_.push_back(milliseconds);
      hook = on_sleep;
    }
    now_.fetch_add(milliseconds);
    if (hook) hook();
  }
  // Runs after every sleep: what other invocations do meanwhile.
  std::function<void()> on_sleep;
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

// Tokens "t1", "t2", ... in order: predictable owners for the tests.
class FakeOwnerTokens : public OwnerTokens {
 public:
  std::string next() override { return "t" + std::to_string(++issued_); }
  int issued() const { return issued_.load(); }

 private:
  std::atomic<int> issued_{0};
};

}  // namespace ssc::core::testing
