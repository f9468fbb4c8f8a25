// What one message does to the tables and to the world (SPEC sections 3, 4 and 5), written
// against the ports only.
//
// Exactly-once protocol: every write that decides something is conditional, and only the
// invocation whose write took effect performs the side effects that follow it. That write
// also sets the row's pending mark: the invocation's deadline and an owner token unique to
// this call (one message in one invocation); the mark is cleared once the effects are done. A write
// whose answer was lost is repeated (by libcurl or the retry loop) and the repeat is refused; the
// row then shows the target status with our own owner, and the effects are ours to perform. A mark
// whose deadline has passed was left by a dead invocation: whoever finds it claims it
// (conditionally, on the owner seen) and performs the effects itself. A mark still in the
// future belongs to a live invocation and is left alone: if that invocation dies, its
// batch comes back from SQS after the deadline.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/message.hpp"
#include "core/ports.hpp"

namespace ssc::core {

struct WorkflowPorts {
  StatusTable& status;
  ProductTable& product;
  ExportStateQueue& queue;
  Monitoring& monitoring;
  Metrics& metrics;
  Clock& clock;  // only to tell a dead invocation's mark from a live one
};

struct Outcome {
  bool counted = false;            // normal file: this delivery added to FilesReceived
  bool transitioned = false;       // this call moved the collection to Received / Success
  bool effects_recovered = false;  // this call took over effects a dead invocation left
  // A write of this call was applied but its answer lost (its repeat refused); the row
  // showed this call's own mark.
  bool own_write_recognised = false;
  bool run_stage_reached = false;  // every collection of the run is received / successful
  bool notified = false;           // this call published the run's monitoring message
  bool run_finished = false;       // every collection successful: the run's metrics may go
};

class Workflow {
 public:
  explicit Workflow(WorkflowPorts ports) : ports_(ports) {}

  // Processes one valid message. `mine` is the pending mark every write of this call sets:
  // until_ms is when this invocation ends at the latest (epoch ms), owner is unique to this
  // call (no other call, in this invocation or any other, uses it). Throws
  // CollectionNotFound, std::invalid_argument for a mark without owner, and whatever the
  // ports throw.
  Outcome process(const Message& message, const PendingMark& mine);

 private:
  Outcome process_file(const Message& message, const PendingMark& mine);
  Outcome process_success_file(const Message& message, const PendingMark& mine);

  // The conditional transition; true when it is ours, also when it was applied but its
  // answer lost. When refused, `row` holds the row as read after the refusal.
  bool make_transition(const CollectionKey& key, const std::vector<std::string>& from,
                       const char* to, const PendingMark& mine, std::optional<CollectionRow>& row,
                       Outcome& outcome);

  void perform_received_effects(const Message& message, const PendingMark& mine, Outcome& outcome);
  void perform_success_effects(const Message& message, const PendingMark& mine, Outcome& outcome);

  // Claims the collection's pending effects when the row is in `status` and their owner is
  // gone. True when this call now owns them.
  bool take_over_collection_effects(const CollectionKey& key, const CollectionRow& row,
                                    const char* status, const PendingMark& mine, Outcome& outcome);

  // Moves the product status to `status` unless it is already one of `done_statuses`, and
  // notifies; or takes over a notification a dead invocation left pending.
  void advance_product(const Message& message, const char* status,
                       const std::vector<std::string>& done_statuses, const char* status_text,
                       const std::function<void()>& count_metric, const PendingMark& mine,
                       Outcome& outcome);

  WorkflowPorts ports_;
};

}  // namespace ssc::core
