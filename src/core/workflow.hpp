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
//
// Metrics: what a call counts (a file, a finished stage) goes into the metrics only when the
// whole message succeeds, and it is counted by the call that made it happen or by a later
// delivery of the same message, which finds the earlier delivery's owner on the row
// (core/receipt.hpp): an earlier delivery that SQS hands out again never pushed its counts.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
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

// A _success file met its collection's Received effects still under way in a live
// invocation: the message fails and comes back once they are done.
class EffectsStillPending : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a call puts into the metrics, once the message has succeeded.
struct Credits {
  bool file_received = false;
  bool collection_received = false;
  bool collection_successful = false;
  bool all_collections_received = false;
  bool all_collections_successful = false;
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
  // Every collection successful: the run's metrics go, after the scrape wait. Also for a
  // message that arrives after the run finished, whose own push would otherwise stay.
  bool run_finished = false;
  // An earlier delivery of this message did something (a count, a stage's effects) and
  // failed before pushing its metrics: this call counts it instead.
  bool earlier_delivery_recognised = false;
  Credits credits;
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
  // gone (past its deadline, or an earlier delivery of this message). True when this call
  // now owns them. `row` must hold the row; when the claim is refused, it becomes the row as
  // read after the refusal (who finished the effects may show there; nullopt if it is gone).
  bool take_over_collection_effects(const CollectionKey& key, std::optional<CollectionRow>& row,
                                    const char* status, const PendingMark& mine, Outcome& outcome);

  // Moves the product status to the stage's status unless it is already one of
  // `done_statuses`, and notifies; or takes over a notification a dead invocation left
  // pending; or counts the notification an earlier delivery of this message sent.
  void advance_product(const Message& message, Stage stage,
                       const std::vector<std::string>& done_statuses, const PendingMark& mine,
                       Outcome& outcome);

  // The collection's stage was finished by an earlier delivery of this message, which then
  // failed: counts the stage (and the run's notification, if that delivery sent it).
  void credit_earlier_delivery(const CollectionRow& row, Stage stage, const PendingMark& mine,
                               Outcome& outcome);

  // The pending mark's owner is gone: past its deadline, or an earlier delivery of this
  // message (which SQS only hands out again once that delivery is over).
  bool effects_owner_gone(const PendingMark& pending, const PendingMark& mine);

  // The message's run has every collection Success already (a late message): sets
  // run_finished, so that what this invocation pushes is deleted again.
  void note_finished_run(const Message& message, Outcome& outcome);

  void apply_credits(const Message& message, const Credits& credits);

  WorkflowPorts ports_;
};

}  // namespace ssc::core
