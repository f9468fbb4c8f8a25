// The exactly-once protocol, stated once (docs/design.md, "Exactly once").
//
// Every write that decides something is conditional, and only the call whose write took
// effect performs the side effects that follow it. That write also sets the row's pending
// mark (the invocation's deadline and this call's owner, core/owner.hpp); the mark is
// removed once the effects are done. A write whose answer was lost is repeated (by the
// transport or the retry loop) and the repeat is refused: the row then shows the target status with
// this call's own mark, and the effects are still this call's (confirm_own_write). A mark
// whose owner is gone (owner_gone) is taken over, conditionally on the owner seen, by
// whoever finds it.
//
// The two stages differ only in data: the table below. What a call does next is one pure
// decision (decide, decide_run) from the item as read, this call's owners and the time; the
// workflow carries out what it returns.
//
// Glossary (one word per concept, in code, logs and docs):
//   stage      received or successful; each has its statuses:
//                received    collection Exported or Sent -> Received; run -> RECEIVED
//                successful  collection Received or Sent -> Success;  run -> COMPLETED
//   transition the conditional write that moves a row (or the product item) to a stage
//   mark       the pending-effects mark that write sets: the owner's deadline and owner
//              (PendingEffectsUntil, PendingEffectsOwner); never "marker" or "lease"
//   owner      one delivery of one message (core/owner.hpp); gone once past the mark's
//              deadline, or when a later delivery of the same message is running
//   effects    what follows a transition: the export-state message, the run's step, the
//              notification; once they are done the owner removes the mark
//              (StatusTable::remove_mark)
//   take over  a conditional write that replaces a gone owner's mark with this call's, to
//              perform its effects; never "claim" or "recover". The operator command
//              finish-effects (its name stays) takes over and performs
//              (Workflow::take_over_and_perform)
//   work end   when this invocation's message processing ends (core/time_budget.hpp)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/owner.hpp"
#include "core/ports.hpp"

namespace ssc::core {

// What a call puts into the metrics, once its whole message has succeeded.
struct Credits {
  bool file_received = false;
  bool collection_received = false;
  bool collection_successful = false;
  bool all_collections_received = false;
  bool all_collections_successful = false;
};

// What a stage is, for a collection and for its run.
struct StageRules {
  Stage stage;
  const char* name;                      // "received", "successful": in logs
  const std::vector<std::string>& from;  // collection statuses it is reached from
  const char* to;                        // the collection's status once there
  std::vector<std::string> reached;      // collection statuses that say it is there
  // A row at this status that carries a mark has the earlier stage's effects still to do:
  // they come first, or the move would overwrite the mark and a crash would lose them
  // (empty: no earlier stage).
  const char* not_while_pending_at;
  bool (*ready)(const CollectionRow& row);   // the collection may move to the stage
  const char* product_status;                // the run's, once every collection is there
  std::vector<std::string> product_reached;  // product statuses that say the run is there
  const char* notification;                  // the monitoring message's status text
  bool asks_for_success_file;                // its effects send the export-state message
  bool finishes_run;                         // the run reaching it is the run's end
  bool (*run_reached)(const std::vector<std::string>& statuses);  // every collection there
  bool Credits::*collection_credit;     // the metric of a collection reaching it
  bool Credits::*run_credit;            // the metric of the run reaching it
  StageDoneBy EffectsDoneBy::*done_by;  // who finished its effects, on the row
};

const StageRules& rules_of(Stage stage);

// The owners of one call: the messages of a group counted together, the last of which
// (`mine`) carries the stage's transition, its mark and its effects. A single message is a
// group of one.
struct Owners {
  const Owner& mine;
  const std::vector<Owner>& group;  // mine among them
};

// The pending mark's owner is gone: past its deadline, or an earlier delivery of one of the
// group's messages (which SQS only hands out again once that delivery is over).
bool owner_gone(const PendingMark& pending, const Owners& owners, std::int64_t now_ms);

// What a call does next about a stage, decided from the item as read.
enum class Step {
  Transition,             // make the stage's transition (a conditional write)
  PerformEffects,         // the item carries this call's mark: its write was applied, the effects
                          // are this call's
  TakeOver,               // the mark's owner is gone: take its effects over
  Wait,                   // a live owner performs effects that must come first: look again soon
  CreditEarlierDelivery,  // done by an earlier delivery of a message of the group, which
                          // failed before pushing its metrics: count it
  Done,                   // the stage is another's or finished: nothing more for this call
  NotReady,               // the collection is not ready for the stage, or not eligible
  Gone,                   // the item does not exist
};

struct Decision {
  Step step = Step::Done;
  // For PerformEffects, TakeOver and Wait: the stage whose effects the mark stands for (the
  // one decided about, or the earlier one that comes first).
  const StageRules* effects_of = nullptr;
  std::optional<PendingMark> seen;  // for TakeOver: the mark to replace
};

// The collection's next step towards `stage`.
Decision decide(const StageRules& stage, const std::optional<CollectionRow>& row,
                const Owners& owners, std::int64_t now_ms);

// The run's next step towards `stage`, on the product item: its transition creates the item
// when there is none, and is not made once the item is at one of stage.product_reached.
Decision decide_run(const StageRules& stage, const std::optional<ProductRow>& item,
                    const Owners& owners, std::int64_t now_ms);

// What an earlier delivery of the message `owner` did at the stage and could not push: the
// collection's credit, and the run's when it sent the notification. Empty otherwise.
Credits earlier_delivery_credits(const StageRules& stage, const CollectionRow& row,
                                 const Owner& owner);

}  // namespace ssc::core
