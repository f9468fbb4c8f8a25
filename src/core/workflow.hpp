// What one message does to the tables and to the world (SPEC sections 3, 4 and 5), written
// against the ports only.
//
// Exactly-once protocol: every write that decides something is conditional, and only the
// invocation whose write took effect performs the side effects that follow it. That write
// also marks the row's effects pending until the invocation's deadline; the marker is
// cleared once the effects are done. A marker whose deadline has passed was left by a dead
// invocation: whoever finds it claims it (conditionally, on the value seen) and performs the
// effects itself. A marker still in the future belongs to a live invocation and is left
// alone: if that invocation dies, its batch comes back from SQS after the deadline.
#pragma once

#include <cstdint>
#include <functional>

#include "core/message.hpp"
#include "core/ports.hpp"

namespace ssc::core {

struct WorkflowPorts {
  StatusTable& status;
  ProductTable& product;
  ExportStateQueue& queue;
  Monitoring& monitoring;
  Metrics& metrics;
  Clock& clock;  // only to tell a dead invocation's marker from a live one
};

struct Outcome {
  bool counted = false;            // normal file: this delivery added to FilesReceived
  bool transitioned = false;       // this call moved the collection to Received / Success
  bool effects_recovered = false;  // this call took over effects a dead invocation left
  bool run_stage_reached = false;  // every collection of the run is received / successful
  bool notified = false;           // this call published the run's monitoring message
  bool run_finished = false;       // every collection successful: the run's metrics may go
};

class Workflow {
 public:
  explicit Workflow(WorkflowPorts ports) : ports_(ports) {}

  // Processes one valid message. `deadline_ms` (epoch ms) is when this invocation ends at
  // the latest; it is the value of every pending-effects marker this call writes. Throws
  // CollectionNotFound, and whatever the ports throw.
  Outcome process(const Message& message, std::int64_t deadline_ms);

 private:
  Outcome process_file(const Message& message, std::int64_t deadline_ms);
  Outcome process_success_file(const Message& message, std::int64_t deadline_ms);

  void perform_received_effects(const Message& message, std::int64_t deadline_ms, Outcome& outcome);
  void perform_success_effects(const Message& message, std::int64_t deadline_ms, Outcome& outcome);

  // Claims the collection's pending effects when the row is in `status` and their owner is
  // gone. True when this call now owns them.
  bool take_over_collection_effects(const CollectionKey& key, const CollectionRow& row,
                                    const char* status, std::int64_t deadline_ms);

  // Moves the product status to `status` unless it is already one of `done_statuses`, and
  // notifies; or takes over a notification a dead invocation left pending.
  void advance_product(const Message& message, const char* status,
                       const std::vector<std::string>& done_statuses, const char* status_text,
                       const std::function<void()>& count_metric, std::int64_t deadline_ms,
                       Outcome& outcome);

  WorkflowPorts ports_;
};

}  // namespace ssc::core
