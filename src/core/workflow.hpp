// What one message does to the tables and to the world (SPEC sections 3, 4 and 5), written
// against the ports only, on the protocol of core/protocol.hpp.
//
// Metrics: what a call counts (a file, a finished stage) goes into the metrics only when the
// whole message succeeds, and it is counted by the call that made it happen or by a later
// delivery of the same message, which finds the earlier delivery's owner on the file's
// receipt or the row (core/owner.hpp): an earlier delivery that SQS hands out again never
// pushed its counts.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/message.hpp"
#include "core/ports.hpp"
#include "core/protocol.hpp"

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

// One invocation's (or one operator command's) workflow: every port call it makes ends by
// `deadline`, the work end of core/time_budget.hpp.
//
// Thread safety: a Workflow holds nothing that changes; one may process several messages at
// once when its ports may be called from several threads.
class Workflow {
 public:
  Workflow(WorkflowPorts ports, Deadline deadline) : ports_(ports), deadline_(deadline) {}

  [[nodiscard]] Deadline deadline() const { return deadline_; }

  // Processes one valid message. `mine` is the pending mark every write of this call sets:
  // until_ms is when this invocation ends at the latest (epoch ms), owner is unique to this
  // call (no other call, in this invocation or any other, uses it). Throws
  // CollectionNotFound, std::invalid_argument for a mark without owner, EffectsStillPending,
  // and whatever the ports throw.
  Outcome process(const Message& message, const PendingMark& mine);

  // The operator's finish-effects (docs/runbook.md): takes over the collection's pending
  // effects when their owner is gone (past its deadline) and performs them, through the same
  // claim as a redelivery; does nothing when the mark is live, gone, or claimed by another.
  // `message` names the run and collection and carries what the effects send (snapshot
  // type, export date, flags); `mine` as for process(). Throws as process() does.
  Outcome finish_abandoned_effects(const Message& message, const PendingMark& mine);

 private:
  Outcome process_file(const Message& message, const PendingMark& mine);
  Outcome process_success_file(const Message& message, const PendingMark& mine);

  // Waits (briefly) for the received stage's effects that a live invocation is performing,
  // or takes them over and performs them when their owner is gone. True when the row then
  // is ready for the successful stage's transition (`row` as read last); false when it is
  // gone. Throws EffectsStillPending when the owner is still at work after the wait
  // (`waited_ms` counts across calls).
  bool wait_for_received_effects(const Message& message, const PendingMark& mine,
                                 std::optional<CollectionRow>& row, std::int64_t& waited_ms,
                                 Outcome& outcome);

  // Moves the collection to the stage and, when the move is this call's, performs the
  // stage's effects. When refused, `row` holds the row as read after the refusal (nullopt
  // when it is gone).
  bool reach_stage(const StageRules& stage, const Message& message, const PendingMark& mine,
                   std::optional<CollectionRow>& row, Outcome& outcome);

  // After the stage's transition was another's: takes over its effects if their owner is
  // gone, else counts what an earlier delivery of this message did there; and notes a run
  // that has finished. `row` holds the row as it stands.
  void settle_stage(const StageRules& stage, const Message& message, const PendingMark& mine,
                    std::optional<CollectionRow>& row, Outcome& outcome);

  // The stage's side effects, in order: the export-state message (received), the run's
  // check and product step, the record of who finished them (which removes the mark).
  void perform_effects(const StageRules& stage, const Message& message, const PendingMark& mine,
                       Outcome& outcome);

  // Takes over the collection's pending effects of the stage when their owner is gone. True
  // when this call now owns them. When the take over is refused, `row` becomes the row as
  // read after the refusal (who finished the effects may show there; nullopt if it is gone).
  bool take_over_effects(const StageRules& stage, const CollectionKey& key,
                         std::optional<CollectionRow>& row, const PendingMark& mine,
                         Outcome& outcome);

  // The run's step of the stage: moves the product status and notifies; or takes over a
  // notification a dead invocation left pending.
  void advance_run(const StageRules& stage, const Message& message, const PendingMark& mine,
                   Outcome& outcome);

  // A conditional write's answer, confirmed: true when `applied`, or when it was refused and
  // the item as read again (into `reread`) carries this call's mark at status `to`: the
  // write was applied and its answer lost (confirm_own_write).
  template <typename Row, typename Read>
  bool applied_or_mine(bool applied, Read read, std::optional<Row>& reread, std::string_view to,
                       const PendingMark& mine, Outcome& outcome, const char* what);

  // The collection's stage was finished by an earlier delivery of this message, which then
  // failed: counts the stage (and the run's notification, if that delivery sent it).
  void credit_earlier_delivery(const StageRules& stage, const CollectionRow& row,
                               const PendingMark& mine, Outcome& outcome);

  // The message's run has every collection Success already (a late message): sets
  // run_finished, so that what this invocation pushes is deleted again.
  void note_finished_run(const Message& message, Outcome& outcome);

  void apply_credits(const Message& message, const Credits& credits);

  WorkflowPorts ports_;
  Deadline deadline_;
};

}  // namespace ssc::core
