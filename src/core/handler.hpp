// One Lambda invocation: the batch of messages, their failures as AWS's partial batch
// response (SPEC section 5), and the metrics push and clean-up after the batch (section 7).
// The one place where a message's exception becomes a failed item and an ERROR line.
//
// Time: every AWS attempt may wait for as long as the invocation has left, so the messages
// are processed under an earlier work deadline. What is kept back (the reserve) lets the
// metrics be pushed whether processing succeeded or not, and the answer be given.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/ports.hpp"
#include "core/workflow.hpp"

namespace ssc::core {

struct HandlerPorts {
  WorkflowPorts workflow;  // its clock also times each message and waits for the scrape
  MetricsPublisher& publisher;
  OwnerTokens& owner_tokens;  // one token per invocation, for the pending marks
  IoDeadline& io_deadline;    // bounds the messages' AWS calls to the work deadline
};

// The time kept back from message processing for the metrics (push, scrape wait's end,
// deletion) and the answer: the smaller of `max_ms` and `share` of the time left when the
// invocation starts.
struct TimeReserve {
  std::int64_t max_ms = 3000;
  double share = 0.2;

  [[nodiscard]] std::int64_t of(std::int64_t time_left_ms) const;
};

class BatchHandler {
 public:
  BatchHandler(HandlerPorts ports, std::int64_t scrape_interval_seconds, TimeReserve reserve = {})
      : ports_(ports),
        workflow_(ports.workflow),
        scrape_interval_seconds_(scrape_interval_seconds),
        reserve_(reserve) {}

  // Returns {"batchItemFailures": [{"itemIdentifier": "<messageId>"}, ...]}. For an event
  // that is itself the message, a failure is rethrown (after the metrics are pushed) so
  // that the invocation fails. `deadline_ms` (epoch ms) is Lambda's deadline: the pending
  // marks carry it, and the invocation's I/O ends by it (or by the bound in force, when
  // that is earlier).
  nlohmann::json handle(const nlohmann::json& event, std::int64_t deadline_ms);

 private:
  struct BatchState {
    std::vector<std::string> correlation_ids;  // seen, in order: pushed once each
    std::vector<std::string> finished_runs;    // metrics to delete after the scrape
  };

  // Logs its own failure (with the message's log context) and rethrows it.
  void process_record(const EventRecord& record, const PendingMark& mine, BatchState& state);
  void run_workflow(const Message& message, const PendingMark& mine, BatchState& state);
  // `wait_until_ms`: the scrape wait ends by then at the latest.
  void publish_metrics(const BatchState& state, std::int64_t wait_until_ms);
  void wait_for_scrape(std::int64_t wait_until_ms);

  HandlerPorts ports_;
  Workflow workflow_;
  std::int64_t scrape_interval_seconds_;
  TimeReserve reserve_;
};

}  // namespace ssc::core
