#include "core/workflow.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <stdexcept>

#include "core/payloads.hpp"
#include "core/rules.hpp"
#include "log/log.hpp"

namespace ssc::core {
namespace {

constexpr const char* kModule = "workflow";

// How long a _success file waits for the Received effects of a live invocation, and how
// often it looks: their owner has sent the export-state message and has a query and two
// writes left.
constexpr std::int64_t kReceivedEffectsWaitMs = 2'000;
constexpr std::int64_t kReceivedEffectsPollMs = 50;
// Writes one call makes at most for a stage. Each refused write was another call's, which
// leaves the item settled or with a live owner; a call that still has not got there after
// this many leaves the stage to them rather than loop.
constexpr int kMaxWrites = 16;

constexpr Stage kStages[] = {Stage::Received, Stage::Successful};

std::string optional_number(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : std::string("absent");
}

void add_pending_fields(log::Fields& fields, const std::optional<PendingMark>& pending) {
  fields["pending_effects_until"] =
      pending ? std::to_string(pending->until_ms) : std::string("absent");
  fields["pending_effects_owner"] = !pending                 ? std::string("absent")
                                    : pending->owner.empty() ? std::string("none")
                                                             : pending->owner.text();
}

log::Fields row_fields(const CollectionRow& row) {
  log::Fields fields = {{"collection_status", row.status.empty() ? "absent" : row.status},
                        {"files_received", std::to_string(row.files_received_or_zero())},
                        {"files_exported", optional_number(row.files_exported)}};
  add_pending_fields(fields, row.pending);
  return fields;
}

log::Fields row_fields(const ProductRow& row) {
  log::Fields fields = {{"product_status_found", row.status.empty() ? "absent" : row.status}};
  add_pending_fields(fields, row.pending);
  return fields;
}

template <typename Row>
log::Fields fields_of(const std::optional<Row>& row) {
  return row ? row_fields(*row) : log::Fields{{"item", "absent"}};
}

log::Fields merged(log::Fields fields, const log::Fields& more) {
  fields.insert(more.begin(), more.end());
  return fields;
}

Credits& operator|=(Credits& to, const Credits& from) {
  to.file_received |= from.file_received;
  to.collection_received |= from.collection_received;
  to.collection_successful |= from.collection_successful;
  to.all_collections_received |= from.all_collections_received;
  to.all_collections_successful |= from.all_collections_successful;
  return to;
}

void require_owner(const PendingMark& mine) {
  // Without an owner a write whose answer was lost could not be told from another's.
  if (mine.owner.empty()) throw std::invalid_argument("a pending mark needs an owner token");
}

const char* not_ready_text(const StageRules& stage) {
  return stage.stage == Stage::Received
             ? "Collection not received yet"
             : "Collection status is not ready for success (needs Received or Sent)";
}

CollectionNotFound row_missing(const CollectionKey& key) {
  return CollectionNotFound("no export status row for correlation id " + key.correlation_id +
                            " and collection " + key.collection_name);
}

}  // namespace

Outcome Workflow::process(const Message& message, const PendingMark& mine) {
  require_owner(mine);
  if (!message.is_success_file) {
    std::vector<DeliveryResult> results = process_files({{message, mine}});
    if (results.front().error) std::rethrow_exception(results.front().error);
    return results.front().outcome;
  }
  Outcome outcome;
  advance(rules_of(Stage::Successful), message, mine, {mine.owner}, std::nullopt, {&outcome});
  // Only now: a message that failed half way comes back, and its next delivery counts what
  // this one did (core/owner.hpp).
  apply_credits(message, outcome.credits);
  return outcome;
}

std::vector<DeliveryResult> Workflow::process_files(const std::vector<Delivery>& group,
                                                    bool fail_together) {
  std::vector<DeliveryResult> results(group.size());
  if (group.empty()) return results;
  const Delivery& carrier = group.back();
  std::optional<GroupCount> counted;
  try {
    for (const Delivery& delivery : group) require_owner(delivery.mine);
    counted = count(group, results);
  } catch (...) {
    for (DeliveryResult& result : results) result.error = std::current_exception();
    return results;
  }
  std::vector<Owner> owners;
  std::vector<Outcome*> outcomes;
  for (std::size_t index = 0; index < group.size(); ++index) {
    owners.push_back(group[index].mine.owner);
    outcomes.push_back(&results[index].outcome);
  }
  try {
    advance(rules_of(Stage::Received), carrier.message, carrier.mine, owners,
            std::move(counted->row), outcomes);
  } catch (...) {
    // The stage is the carrier's alone; the others' files are counted, and a later
    // delivery of the carrier's message finds the stage where this one left it.
    results.back().error = std::current_exception();
    if (fail_together) {
      for (DeliveryResult& result : results) result.error = results.back().error;
    }
  }
  for (std::size_t index = 0; index < group.size(); ++index) {
    if (!results[index].error) apply_credits(group[index].message, results[index].outcome.credits);
  }
  return results;
}

GroupCount Workflow::count(const std::vector<Delivery>& group,
                           std::vector<DeliveryResult>& results) {
  std::vector<FileToCount> files;
  files.reserve(group.size());
  for (const Delivery& delivery : group) {
    // Without a file name every delivery counts, as it always did: there is nothing to
    // recognise a redelivery by.
    const Message& message = delivery.message;
    files.push_back({message.file_name == kFileNameNotSet
                         ? std::nullopt
                         : std::optional<std::string>(file_receipt_key(message)),
                     delivery.mine.owner});
  }
  GroupCount counted = ports_.status.count_files(group.front().message.key(), files, work_end_);
  // Each file is this delivery's to report when its count was this delivery's (answered, or
  // applied with its answer lost) or an earlier delivery's of the same message.
  int recognised = 0;
  int earlier = 0;
  int duplicates = 0;
  int fresh = 0;
  for (std::size_t index = 0; index < group.size(); ++index) {
    const FileCount& file = counted.files[index];
    const Whose counted_by =
        file.counted ? Whose::Mine : whose(file.counted_by, group[index].mine.owner);
    results[index].outcome.credits.file_received = counted_by != Whose::Another;
    if (file.counted)
      ++fresh;
    else if (counted_by == Whose::Mine)
      ++recognised;
    else if (counted_by == Whose::EarlierDeliveryOfMine)
      ++earlier;
    else
      ++duplicates;
  }
  // One line for the group, in the carrier's log context: what was counted, and what the
  // row's contention cost.
  log::info(kModule,
            duplicates == static_cast<int>(group.size())
                ? "File already counted, duplicate delivery ignored"
                : "File counted",
            merged(row_fields(counted.row),
                   {{"files_in_group", std::to_string(group.size())},
                    {"files_counted", std::to_string(fresh)},
                    {"files_counted_by_lost_answer", std::to_string(recognised)},
                    {"files_counted_by_earlier_delivery", std::to_string(earlier)},
                    {"files_already_counted", std::to_string(duplicates)},
                    {"transactions", std::to_string(counted.transactions)},
                    {"transaction_conflicts", std::to_string(counted.conflicts)}}));
  return counted;
}

template <typename Transition, typename TakeOver>
bool Workflow::take_effects(const Decision& decision, const char* what, Step& refused,
                            Outcome& outcome, Transition transition, TakeOver take_over) {
  switch (decision.step) {
    case Step::Transition:
      if (transition()) return true;
      refused = Step::Transition;
      return false;
    case Step::TakeOver:
      if (take_over(*decision.seen)) {
        outcome.effects_taken_over = true;
        log::info(kModule, std::string("Taking over ") + what + " whose owner is gone",
                  {{"stage", decision.effects_of->name}});
        return true;
      }
      refused = Step::TakeOver;
      log::info(kModule, std::string("The ") + what + " were taken over by another invocation",
                {{"stage", decision.effects_of->name}});
      return false;
    default:  // PerformEffects: the item carries this call's own mark
      // A refused write of this call was applied, its answer lost.
      if (refused == Step::TakeOver) outcome.effects_taken_over = true;
      log::info(
          kModule,
          std::string("Write applied though its answer was lost: the ") + what + " are this call's",
          {{"stage", decision.effects_of->name}});
      return true;
  }
}

void Workflow::advance(const StageRules& stage, const Message& message, const PendingMark& mine,
                       const std::vector<Owner>& group, std::optional<CollectionRow> row,
                       std::vector<Outcome*> outcomes) {
  const CollectionKey key = message.key();
  const Owners owners{mine.owner, group};
  Outcome& outcome = *outcomes.back();
  std::int64_t waited_ms = 0;
  // The write this call made last and saw refused: when the row then carries this call's
  // mark, that write was applied and its answer lost.
  Step refused = Step::Done;
  for (int writes = 0;;) {
    // Without a row to go by, the first step is the transition itself: in the usual case
    // it is all there is to do, and a refusal says to read.
    const Decision decision =
        !row && writes == 0
            ? Decision{Step::Transition, &stage, std::nullopt}
            : decide(stage, row, owners, row && row->pending ? ports_.clock.now_ms() : 0);
    if ((decision.step == Step::Transition || decision.step == Step::TakeOver) &&
        ++writes > kMaxWrites) {
      log::warning(kModule, "Collection still moving under other invocations: left for later",
                   fields_of(row));
      return;
    }
    switch (decision.step) {
      case Step::Gone:
        throw row_missing(key);
      case Step::NotReady:
        log::info(kModule, not_ready_text(stage), row_fields(*row));
        return;
      case Step::Wait:
        wait_for_owner(waited_ms);
        break;
      case Step::CreditEarlierDelivery:
        credit_earlier_deliveries(stage, *row, group, outcomes);
        [[fallthrough]];
      case Step::Done:
        if (decision.step == Step::Done && row->pending) {
          log::info(kModule, "Side effects pending with a live invocation, left to it",
                    row_fields(*row));
        }
        if (row->status == collection_status::kSuccess) note_finished_run(message, outcome);
        return;
      case Step::Transition:
      case Step::TakeOver:
      case Step::PerformEffects:
        if (take_and_perform(stage, decision, message, mine, refused, outcome)) return;
        // Refused (another call moved it, or this call's write was applied and its answer
        // lost: only the row can tell), or the earlier stage's effects done: now this one.
        break;
    }
    row = ports_.status.read(key, work_end_);
  }
}

bool Workflow::take_and_perform(const StageRules& stage, const Decision& decision,
                                const Message& message, const PendingMark& mine, Step& refused,
                                Outcome& outcome) {
  const CollectionKey key = message.key();
  const bool mine_now = take_effects(
      decision, "side effects", refused, outcome,
      [&] {
        return ports_.status.transition(key, stage.from, stage.to, stage.not_while_pending_at, mine,
                                        work_end_);
      },
      [&](const PendingMark& seen) { return ports_.status.take_over(key, seen, mine, work_end_); });
  if (!mine_now) return false;
  if (decision.step == Step::Transition) {
    log::info(kModule, std::string("Collection ") + stage.name + ", status set to " + stage.to);
  }
  perform_effects(*decision.effects_of, message, mine, outcome);
  return decision.effects_of == &stage;
}

void Workflow::wait_for_owner(std::int64_t& waited_ms) {
  // A poll that would end past the work end is not slept: the calls after it would fail.
  const bool past_work_end =
      ports_.clock.steady_now() + std::chrono::milliseconds(kReceivedEffectsPollMs) > work_end_;
  if (waited_ms >= kReceivedEffectsWaitMs || past_work_end) {
    throw EffectsStillPending(
        "the collection's Received side effects are still pending with a live invocation "
        "after " +
        std::to_string(waited_ms) + " ms; the _success file comes back after them");
  }
  ports_.clock.sleep_ms(kReceivedEffectsPollMs);
  waited_ms += kReceivedEffectsPollMs;
}

void Workflow::credit_earlier_deliveries(const StageRules& stage, const CollectionRow& row,
                                         const std::vector<Owner>& group,
                                         const std::vector<Outcome*>& outcomes) {
  for (std::size_t index = 0; index < group.size(); ++index) {
    const Credits credits = earlier_delivery_credits(stage, row, group[index]);
    if (!(credits.*stage.collection_credit)) continue;
    outcomes[index]->credits |= credits;
    log::info(
        kModule,
        std::string("The collection's ") + stage.name +
            " effects were done by an earlier delivery of this message, which failed "
            "before its metrics were pushed: this delivery reports them",
        merged(row_fields(row), {{"run_notified", credits.*stage.run_credit ? "true" : "false"}}));
  }
}

void Workflow::perform_effects(const StageRules& stage, const Message& message,
                               const PendingMark& mine, Outcome& outcome) {
  if (stage.asks_for_success_file) {
    ports_.queue.send(
        export_state_body(message), export_state_group_id(message.collection_name),
        export_state_deduplication_id(message.correlation_id, message.collection_name), work_end_);
    log::info(kModule, "Export-state message sent, asking for the collection's _success file");
  }
  if (stage.run_reached(ports_.status.run_statuses(message.correlation_id, work_end_))) {
    outcome.run_stage_reached = true;
    // Whoever notifies, every invocation that sees the run finish may delete its metrics.
    if (stage.finishes_run) outcome.run_finished = true;
    advance_run(stage, message, mine, outcome);
  }
  ports_.status.remove_mark(message.key(), mine.owner, stage.stage,
                            outcome.credits.*stage.run_credit, work_end_);
  outcome.credits.*stage.collection_credit = true;
}

void Workflow::advance_run(const StageRules& stage, const Message& message, const PendingMark& mine,
                           Outcome& outcome) {
  const std::string& correlation_id = message.correlation_id;
  const std::vector<Owner> group{mine.owner};
  const Owners owners{mine.owner, group};
  const log::Fields run = {{"stage", stage.name},
                           {"product_status", stage.product_status},
                           {"notification", stage.notification}};
  std::optional<ProductRow> item;
  Step refused = Step::Done;
  for (int writes = 0; writes < kMaxWrites; ++writes) {
    // The first step is the transition itself: it creates the item when there is none.
    const Decision decision = writes == 0 ? Decision{Step::Transition, &stage, std::nullopt}
                                          : decide_run(stage, item, owners, ports_.clock.now_ms());
    if (decision.step != Step::Transition && decision.step != Step::TakeOver &&
        decision.step != Step::PerformEffects) {
      log::info(kModule, "Run stage already handled by another invocation",
                merged(run, fields_of(item)));
      return;
    }
    const bool mine_now = take_effects(
        decision, "run's notification", refused, outcome,
        [&] {
          return ports_.product.transition(correlation_id, stage.product_status,
                                           stage.product_reached, mine, work_end_);
        },
        [&](const PendingMark& seen) {
          return ports_.product.take_over(correlation_id, seen, mine, work_end_);
        });
    if (mine_now) {
      ports_.monitoring.publish(monitoring_message(message, stage.notification), work_end_);
      ports_.product.remove_mark(correlation_id, mine.owner, work_end_);
      outcome.credits.*stage.run_credit = true;
      outcome.notified = true;
      log::info(kModule, "Run stage reached: product status set, notification sent", run);
      return;
    }
    item = ports_.product.read(correlation_id, work_end_);
  }
  log::warning(kModule, "Run stage still moving under other invocations: left for later", run);
}

Outcome Workflow::take_over_and_perform(const Message& message, const PendingMark& mine) {
  require_owner(mine);
  Outcome outcome;
  const CollectionKey key = message.key();
  std::optional<CollectionRow> row = ports_.status.read(key, work_end_);
  if (!row) throw row_missing(key);
  const std::vector<Owner> group{mine.owner};
  // The row's status says whose stage's effects its mark stands for; the take over is the
  // protocol's own (a redelivery's), so a live owner keeps its effects. A refused take over
  // is read again once: it may have been this call's, its answer lost.
  Step refused = Step::Done;
  for (int tries = 0; tries < 2 && row; ++tries) {
    const auto at_stage = std::find_if(std::begin(kStages), std::end(kStages), [&](Stage stage) {
      return row->status == rules_of(stage).to;
    });
    if (at_stage == std::end(kStages)) break;
    const StageRules& rules = rules_of(*at_stage);
    const Decision decision = decide(rules, row, {mine.owner, group}, ports_.clock.now_ms());
    if (decision.step != Step::TakeOver && decision.step != Step::PerformEffects) break;
    if (take_effects(
            decision, "side effects", refused, outcome, [] { return false; },
            [&](const PendingMark& seen) {
              return ports_.status.take_over(key, seen, mine, work_end_);
            })) {
      perform_effects(rules, message, mine, outcome);
      break;
    }
    row = ports_.status.read(key, work_end_);
  }
  apply_credits(message, outcome.credits);
  return outcome;
}

void Workflow::apply_credits(const Message& message, const Credits& credits) {
  const RunLabels labels = message.run_labels();
  if (credits.file_received) ports_.metrics.file_received(labels, message.collection_name);
  if (credits.collection_received) ports_.metrics.collection_received(labels);
  if (credits.collection_successful) ports_.metrics.collection_successful(labels);
  if (credits.all_collections_received) ports_.metrics.all_collections_received(labels);
  if (credits.all_collections_successful) ports_.metrics.all_collections_successful(labels);
}

void Workflow::note_finished_run(const Message& message, Outcome& outcome) {
  if (!run_all_successful(ports_.status.run_statuses(message.correlation_id, work_end_))) return;
  // Its metrics were deleted when it finished (or the delivery that finished it died
  // first). This message's own push would bring a group back that nobody deletes: it is
  // deleted again, after the same wait.
  outcome.run_finished = true;
  log::info(kModule,
            "Message for a run that has finished: its metrics are deleted again after this "
            "invocation's push");
}

}  // namespace ssc::core
