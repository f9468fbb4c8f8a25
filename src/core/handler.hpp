// One Lambda invocation: the batch of messages, their failures as AWS's partial batch
// response (SPEC section 5), and the metrics push and clean-up after the batch (section 7).
// The one place where a message's exception becomes a failed item and an ERROR line.
// Groups, threads and time: docs/design.md ("A batch at once"). A thread costs CPU to wake,
// so a batch gets no more threads than it has units that wait on I/O; handle() expects one
// invocation at a time (the Runtime API hands out no more), its batches share one pool.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/batch_groups.hpp"
#include "core/event.hpp"
#include "core/message.hpp"
#include "core/ports.hpp"
#include "core/time_budget.hpp"
#include "core/worker_pool.hpp"
#include "core/workflow.hpp"
#include "log/log.hpp"

namespace ssc::core {

struct HandlerPorts {
  WorkflowPorts workflow;  // its clock also times each message and waits for the scrape
  MetricsPublisher& publisher;
  OwnerTokens& owner_tokens;  // one token per invocation, for the pending marks
};

class BatchHandler {
 public:
  // `max_concurrency`: how many messages of a standard queue's batch are processed at once,
  // each on a thread of its own: the calling thread and pool threads, which stay for the
  // next batch. 1 processes them one after the other. A FIFO batch is always processed in
  // order.
  BatchHandler(HandlerPorts ports, std::int64_t scrape_interval_seconds,
               std::size_t max_concurrency = 1)
      : ports_(ports),
        scrape_interval_seconds_(scrape_interval_seconds),
        max_concurrency_(std::max<std::size_t>(1, max_concurrency)),
        workers_(max_concurrency_ - 1) {}

  // Returns {"batchItemFailures": [{"itemIdentifier": "<messageId>"}, ...]}. For an event
  // that is itself the message, a failure is rethrown (after the metrics are pushed) so
  // that the invocation fails. `budget` is the invocation's time: the messages' I/O ends by
  // its work end, the metrics' by its I/O end, and the pending marks carry Lambda's
  // deadline.
  nlohmann::json handle(const nlohmann::json& event, const TimeBudget& budget) {
    return handle_records(split_event(event), budget);
  }
  // The same for the event's records, as split_event or project_sqs_event give them.
  nlohmann::json handle_records(const std::vector<EventRecord>& records, const TimeBudget& budget);

  // The pool threads started so far (they stay): at most one fewer than the largest batch's
  // units that wait on I/O, and never more than max_concurrency - 1.
  [[nodiscard]] std::size_t worker_threads() { return workers_.threads_started(); }

 private:
  // What became of one record. Each record has its own, so that concurrent workers share
  // nothing while they run; the batch's answer and its metrics are put together from these
  // in input order once every worker is done.
  struct RecordOutcome {
    // NotProcessed: after a FIFO batch's first failure. OutOfTime: reached after the work
    // end, when every AWS call would fail at once. Both come back for redelivery.
    enum class State { NotProcessed, OutOfTime, Succeeded, Failed };
    State state = State::NotProcessed;
    std::exception_ptr error;
    std::optional<std::string> correlation_id;  // known once the message was found valid
    bool run_finished = false;
  };

  // A record as decoded and validated, before any I/O: the message, or why it is rejected.
  struct ParsedRecord {
    nlohmann::json body;             // decode_body's; null when the body itself is not JSON
    std::optional<Message> message;  // valid
    std::exception_ptr rejected;     // InvalidMessage, or whatever else parsing threw
  };

  struct Batch {
    const std::vector<EventRecord>& records;
    const std::vector<PendingMark>& marks;
    const std::vector<ParsedRecord>& parsed;
    Workflow& workflow;
    bool fifo;  // from a FIFO queue: in order, and a failed group fails whole
    // The log context the handler's caller set (e.g. the invocation's request id). Each
    // unit's work sets it with its message's own, on whichever thread runs the unit.
    const log::Fields& context;
  };

  // The answer's failed items, in input order; `correlation_ids` gets the runs seen and
  // `invocation_failure` the failure of an event that is itself the message.
  static nlohmann::json batch_item_failures(const std::vector<EventRecord>& records,
                                            const std::vector<RecordOutcome>& outcomes,
                                            std::vector<std::string>& correlation_ids,
                                            std::exception_ptr& invocation_failure);
  // One after the other. FIFO: the first failed unit stops the batch, its records and those
  // after it are reported.
  void process_in_order(const Batch& batch, const std::vector<WorkUnit>& units,
                        std::vector<RecordOutcome>& outcomes);
  // Up to max_concurrency_ threads, never more than `waiting` (the units that wait on I/O),
  // take the units one by one.
  void process_concurrently(const Batch& batch, const std::vector<WorkUnit>& units,
                            std::size_t waiting, std::vector<RecordOutcome>& outcomes);
  // Never throws: each record's failure ends up in its outcome. False when the unit was not
  // tried because the work end had passed (an event without Records is always tried).
  bool process_unit(const Batch& batch, const WorkUnit& unit, std::vector<RecordOutcome>& outcomes);
  // The ERROR line and the failed or rejected count of a record that failed with `error`,
  // logged in the record's context; fills in `outcome`.
  void record_failure(const Batch& batch, std::size_t index, std::exception_ptr error,
                      RecordOutcome& outcome);
  // The log context of a record's lines: the caller's, which message, and as far as its body
  // says, which run, collection and file.
  static log::Fields record_context(const Batch& batch, std::size_t index);

  HandlerPorts ports_;
  std::int64_t scrape_interval_seconds_;
  std::size_t max_concurrency_;
  WorkerPool workers_;  // the threads besides the calling one
};

}  // namespace ssc::core
