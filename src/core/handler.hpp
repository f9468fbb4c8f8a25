// One Lambda invocation: the batch of messages, their failures as AWS's partial batch
// response (SPEC section 5), and the metrics push and clean-up after the batch (section 7).
// The one place where a message's exception becomes a failed item and an ERROR line.
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
};

class BatchHandler {
 public:
  BatchHandler(HandlerPorts ports, std::int64_t scrape_interval_seconds)
      : ports_(ports),
        workflow_(ports.workflow),
        scrape_interval_seconds_(scrape_interval_seconds) {}

  // Returns {"batchItemFailures": [{"itemIdentifier": "<messageId>"}, ...]}. For an event
  // that is itself the message, a failure is rethrown (after the metrics are pushed) so
  // that the invocation fails.
  nlohmann::json handle(const nlohmann::json& event, std::int64_t deadline_ms);

 private:
  struct BatchState {
    std::vector<std::string> correlation_ids;  // seen, in order: pushed once each
    std::vector<std::string> finished_runs;    // metrics to delete after the scrape
  };

  // Logs its own failure (with the message's log context) and rethrows it.
  void process_record(const EventRecord& record, std::int64_t deadline_ms, BatchState& state);
  void run_workflow(const Message& message, std::int64_t deadline_ms, BatchState& state);
  void publish_metrics(const BatchState& state);

  HandlerPorts ports_;
  Workflow workflow_;
  std::int64_t scrape_interval_seconds_;
};

}  // namespace ssc::core
