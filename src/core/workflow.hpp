// What messages do to the tables and to the world (SPEC sections 3, 4 and 5), written
// against the ports only. The protocol's rules are core/protocol.hpp's decision; this file
// carries out the steps it returns.
//
// Metrics: what a call counts (a file, a finished stage) goes into the metrics only when its
// message succeeds, and it is counted by the call that made it happen or by a later delivery
// of the same message, which finds the earlier delivery's owner on the file's receipt or the
// row (core/owner.hpp): an earlier delivery that SQS hands out again never pushed its counts.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "core/failures.hpp"
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
  Clock& clock;  // only to tell a dead invocation's mark from a live one, and to wait
};

// What a call did that its caller acts on (the handler, the operator's finish-effects).
struct Outcome {
  bool effects_taken_over = false;  // this call took over effects a gone owner left
  bool run_stage_reached = false;   // every collection of the run is received / successful
  bool notified = false;            // this call published the run's monitoring message
  // Every collection successful: the run's metrics go, after the scrape wait. Also for a
  // message that arrives after the run finished, whose own push would otherwise stay.
  bool run_finished = false;
  // What goes into the metrics once the message succeeds; also what an earlier delivery of
  // this message did and could not push.
  Credits credits;
};

// One message of a group counted together, with the mark its writes carry: until_ms is when
// its invocation ends at the latest (epoch ms), owner is unique to this delivery.
struct Delivery {
  const Message& message;
  const PendingMark& mine;
};

struct DeliveryResult {
  Outcome outcome;
  std::exception_ptr error;
};

// One invocation's (or one operator command's) workflow: every port call it makes ends by
// `work_end` (core/time_budget.hpp).
//
// Thread safety: a Workflow holds nothing that changes; one may process several groups at
// once when its ports may be called from several threads.
class Workflow {
 public:
  Workflow(WorkflowPorts ports, Deadline work_end) : ports_(ports), work_end_(work_end) {}

  [[nodiscard]] Deadline work_end() const { return work_end_; }

  // Processes one valid message: a group of one. Throws CollectionNotFound,
  // std::invalid_argument for a mark without owner, EffectsStillPending, and whatever the
  // ports throw.
  Outcome process(const Message& message, const PendingMark& mine);

  // Normal file messages of one collection, alike in everything the effects and labels
  // carry (core/batch_groups.hpp): their files are counted together, and the last one
  // carries the collection's transition and its effects. A failed count fails every one; a
  // failed transition or effects only the last, unless `fail_together` (a FIFO batch, whose
  // failed group comes back whole): then every one, and none of them is credited in the
  // metrics, since each comes back and its next delivery reports what this one did. Never
  // throws: each result holds its error.
  std::vector<DeliveryResult> process_files(const std::vector<Delivery>& group,
                                            bool fail_together = false);

  // The operator's finish-effects (docs/runbook.md): takes over the collection's pending
  // effects when their owner is gone (past its deadline) and performs them, through the same
  // take over as a redelivery; does nothing when the mark is live, gone, or taken over by
  // another. `message` names the run and collection and carries what the effects send.
  Outcome take_over_and_perform(const Message& message, const PendingMark& mine);

 private:
  // The files' counts, settled per message.
  GroupCount count(const std::vector<Delivery>& group, std::vector<DeliveryResult>& results);

  // Carries out decide() until the stage is this call's and done, another's, or not ready.
  // `row` is the row as last read (nullopt: read it first).
  void advance(const StageRules& stage, const Message& message, const PendingMark& mine,
               const std::vector<Owner>& group, std::optional<CollectionRow> row,
               std::vector<Outcome*> outcomes);

  // The one step that makes a stage's effects this call's, on the collection's row or the
  // product item: the decision's transition, or its take over of a gone owner's mark, or
  // nothing when the item already carries this call's mark (a refused write of this call,
  // `refused`, was applied and its answer lost). True when the effects are now this call's;
  // false when the write was refused: read the item again and decide again. `what` names
  // the effects in the log.
  template <typename Transition, typename TakeOver>
  bool take_effects(const Decision& decision, const char* what, Step& refused, Outcome& outcome,
                    Transition transition, TakeOver take_over);

  // take_effects() on the collection's row, then the effects when they are this call's. True
  // when the effects performed were `stage`'s own (the stage is done); false when the write
  // was refused, or the effects were the earlier stage's: read the row and decide again.
  bool take_and_perform(const StageRules& stage, const Decision& decision, const Message& message,
                        const PendingMark& mine, Step& refused, Outcome& outcome);

  // A _success file waits for a live owner's received effects: sleeps a poll, or throws
  // EffectsStillPending once the wait is spent or the poll would end past the work end.
  void wait_for_owner(std::int64_t& waited_ms);

  // Credits each message of the group whose earlier delivery finished the stage.
  void credit_earlier_deliveries(const StageRules& stage, const CollectionRow& row,
                                 const std::vector<Owner>& group,
                                 const std::vector<Outcome*>& outcomes);

  // The stage's effects, in order: the export-state message (received), the run's step, the
  // record of who finished them (which removes the mark).
  void perform_effects(const StageRules& stage, const Message& message, const PendingMark& mine,
                       Outcome& outcome);

  // The run's step of the stage, on the product item: decide_run() carried out.
  void advance_run(const StageRules& stage, const Message& message, const PendingMark& mine,
                   Outcome& outcome);

  // The message's run has every collection Success already (a late message): sets
  // run_finished, so that what this invocation pushes is deleted again.
  void note_finished_run(const Message& message, Outcome& outcome);

  void apply_credits(const Message& message, const Credits& credits);

  WorkflowPorts ports_;
  Deadline work_end_;
};

}  // namespace ssc::core
