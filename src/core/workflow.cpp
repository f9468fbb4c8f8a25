#include "core/workflow.hpp"

#include <algorithm>
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
// How often a _success file tries its transition when each refusal was another call's
// write that is gone by the time the row is read (the received stage's mark, removed).
constexpr int kSuccessAttempts = 3;

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
                        {"files_received", std::to_string(row.files_received)},
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

log::Fields run_fields(const StageRules& stage) {
  return {{"stage", stage.name},
          {"product_status", stage.product_status},
          {"notification", stage.notification}};
}

log::Fields merged(log::Fields fields, const log::Fields& more) {
  fields.insert(more.begin(), more.end());
  return fields;
}

}  // namespace

Outcome Workflow::process(const Message& message, const PendingMark& mine) {
  // Without an owner a write whose answer was lost could not be told from another's.
  if (mine.owner.empty()) throw std::invalid_argument("a pending mark needs an owner token");
  Outcome outcome =
      message.is_success_file ? process_success_file(message, mine) : process_file(message, mine);
  // Only now: a message that failed half way comes back, and its next delivery counts what
  // this one did (core/owner.hpp).
  apply_credits(message, outcome.credits);
  return outcome;
}

Outcome Workflow::finish_abandoned_effects(const Message& message, const PendingMark& mine) {
  if (mine.owner.empty()) throw std::invalid_argument("a pending mark needs an owner token");
  Outcome outcome;
  const CollectionKey key = message.key();
  std::optional<CollectionRow> row = ports_.status.read(key, deadline_);
  if (!row) {
    throw CollectionNotFound("no export status row for correlation id " + key.correlation_id +
                             " and collection " + key.collection_name);
  }
  // The row's status says whose stage's effects its mark stands for; the take over is the
  // protocol's own (a redelivery's), so a live owner keeps its effects.
  for (const Stage stage : {Stage::Received, Stage::Successful}) {
    const StageRules& rules = rules_of(stage);
    if (row->status != rules.to) continue;
    if (take_over_effects(rules, key, row, mine, outcome)) {
      outcome.effects_recovered = true;
      perform_effects(rules, message, mine, outcome);
    }
    break;
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

template <typename Row, typename Read>
bool Workflow::applied_or_mine(bool applied, Read read, std::optional<Row>& reread,
                               std::string_view to, const PendingMark& mine, Outcome& outcome,
                               const char* what) {
  if (applied) return true;
  // Refused: another call got there first, or this call's write was applied and its answer
  // lost, and what was refused is its repeat. Only the item can tell.
  reread = read();
  if (confirm_own_write(reread, to, mine.owner) != RefusedWrite::Mine) return false;
  outcome.own_write_recognised = true;
  log::info(kModule,
            std::string(what) +
                " applied though its answer was lost (the repeat was refused): the item carries "
                "this call's mark, what follows is this call's",
            row_fields(*reread));
  return true;
}

Outcome Workflow::process_file(const Message& message, const PendingMark& mine) {
  Outcome outcome;
  const CollectionKey key = message.key();
  // Without a file name every delivery counts, as it always did: there is nothing to
  // recognise a redelivery by.
  const std::optional<std::string> receipt =
      message.file_name == kFileNameNotSet ? std::nullopt
                                           : std::optional<std::string>(file_receipt_key(message));
  const CountResult count = ports_.status.count_file(key, receipt, mine.owner, deadline_);
  if (count.counted) {
    outcome.counted = true;
    log::info(kModule, "File counted", row_fields(count.row));
  } else {
    switch (whose(count.counted_by, mine.owner)) {
      case Whose::Mine:
        // The owner is unique to this delivery of this message: the refusal was the repeat
        // of our own count, applied but not answered.
        outcome.counted = true;
        outcome.own_write_recognised = true;
        log::info(kModule,
                  "File count applied though its answer was lost (the repeat was refused): the "
                  "file's receipt names this delivery, the file is ours to report",
                  row_fields(count.row));
        break;
      case Whose::EarlierDeliveryOfMine:
        outcome.counted = true;
        outcome.earlier_delivery_recognised = true;
        log::info(kModule,
                  "File counted by an earlier delivery of this message, which failed before its "
                  "metrics were pushed: this delivery reports it",
                  row_fields(count.row));
        break;
      case Whose::Another:
        log::info(kModule, "File already counted, duplicate delivery ignored",
                  merged(row_fields(count.row), {{"counted_by", count.counted_by.text()}}));
        break;
    }
  }
  outcome.credits.file_received = outcome.counted;

  const StageRules& received = rules_of(Stage::Received);
  std::optional<CollectionRow> row = count.row;
  if (collection_received(count.row)) {
    if (reach_stage(received, message, mine, row, outcome)) return outcome;
    log::info(kModule, "Collection status changed by another invocation, no transition made");
  } else if (count.row.status != collection_status::kReceived &&
             count.row.status != collection_status::kSuccess) {
    log::info(kModule, "Collection not received yet", row_fields(count.row));
  }
  settle_stage(received, message, mine, row, outcome);
  return outcome;
}

Outcome Workflow::process_success_file(const Message& message, const PendingMark& mine) {
  Outcome outcome;
  const CollectionKey key = message.key();
  const StageRules& received = rules_of(Stage::Received);
  const StageRules& successful = rules_of(Stage::Successful);
  std::optional<CollectionRow> row;
  std::int64_t waited_ms = 0;
  for (int attempt = 1;; ++attempt) {
    if (reach_stage(successful, message, mine, row, outcome)) return outcome;
    if (!row) {
      throw CollectionNotFound("no export status row for correlation id " + key.correlation_id +
                               " and collection " + key.collection_name);
    }
    if (row->status == received.to && row->pending) {
      // The received stage's effects are unfinished: they come first, or moving on would
      // overwrite their mark and a crash would lose them. A live owner is usually done
      // within milliseconds (the _success file raced the last file): wait for it, briefly.
      if (wait_for_received_effects(message, mine, row, waited_ms, outcome)) continue;
      return outcome;
    }
    // Refused while the received stage's mark was there, read after it was removed: the
    // move is still to be made. A few tries: each refusal was another call's write.
    if (std::find(successful.from.begin(), successful.from.end(), row->status) !=
            successful.from.end() &&
        !row->pending && attempt < kSuccessAttempts) {
      continue;
    }
    break;
  }
  if (row->status == successful.to && !row->pending) {
    log::info(kModule, "Collection already Success, nothing to do", row_fields(*row));
  } else if (row->status != successful.to) {
    log::info(kModule, "Collection status is not ready for success (needs Received or Sent)",
              row_fields(*row));
  }
  settle_stage(successful, message, mine, row, outcome);
  return outcome;
}

bool Workflow::wait_for_received_effects(const Message& message, const PendingMark& mine,
                                         std::optional<CollectionRow>& row, std::int64_t& waited_ms,
                                         Outcome& outcome) {
  const StageRules& received = rules_of(Stage::Received);
  const CollectionKey key = message.key();
  while (row && row->status == received.to && row->pending) {
    if (owner_gone(*row->pending, mine.owner, ports_.clock.now_ms())) {
      if (take_over_effects(received, key, row, mine, outcome)) {
        outcome.effects_recovered = true;
        perform_effects(received, message, mine, outcome);
        return true;
      }
      continue;  // taken over by another invocation: `row` is as read after the refusal
    }
    if (waited_ms >= kReceivedEffectsWaitMs) {
      throw EffectsStillPending(
          "the collection's Received side effects are still pending with a live invocation "
          "after " +
          std::to_string(waited_ms) + " ms; the _success file comes back after them");
    }
    ports_.clock.sleep_ms(kReceivedEffectsPollMs);
    waited_ms += kReceivedEffectsPollMs;
    row = ports_.status.read(key, deadline_);
  }
  return row.has_value();
}

bool Workflow::reach_stage(const StageRules& stage, const Message& message, const PendingMark& mine,
                           std::optional<CollectionRow>& row, Outcome& outcome) {
  const CollectionKey key = message.key();
  const bool moved = applied_or_mine(
      ports_.status.transition(key, stage.from, stage.to, mine, deadline_),
      [&] { return ports_.status.read(key, deadline_); }, row, stage.to, mine, outcome,
      "Status write");
  if (!moved) return false;
  outcome.transitioned = true;
  log::info(kModule, std::string("Collection ") + stage.name + ", status set to " + stage.to);
  perform_effects(stage, message, mine, outcome);
  return true;
}

void Workflow::settle_stage(const StageRules& stage, const Message& message,
                            const PendingMark& mine, std::optional<CollectionRow>& row,
                            Outcome& outcome) {
  if (!row) return;
  if (take_over_effects(stage, message.key(), row, mine, outcome)) {
    outcome.effects_recovered = true;
    perform_effects(stage, message, mine, outcome);
    return;
  }
  if (!row) return;
  credit_earlier_delivery(stage, *row, mine, outcome);
  if (row->status == collection_status::kSuccess) note_finished_run(message, outcome);
}

void Workflow::perform_effects(const StageRules& stage, const Message& message,
                               const PendingMark& mine, Outcome& outcome) {
  if (stage.asks_for_success_file) {
    ports_.queue.send(
        export_state_body(message), export_state_group_id(message.collection_name),
        export_state_deduplication_id(message.correlation_id, message.collection_name), deadline_);
    log::info(kModule, "Export-state message sent, asking for the collection's _success file");
  }
  if (stage.run_reached(ports_.status.run_statuses(message.correlation_id, deadline_))) {
    outcome.run_stage_reached = true;
    // Whoever notifies, every invocation that sees the run finish may delete its metrics.
    if (stage.finishes_run) outcome.run_finished = true;
    advance_run(stage, message, mine, outcome);
  }
  ports_.status.finish_effects(message.key(), mine.owner, stage.stage,
                               outcome.credits.*stage.run_credit, deadline_);
  outcome.credits.*stage.collection_credit = true;
}

bool Workflow::take_over_effects(const StageRules& stage, const CollectionKey& key,
                                 std::optional<CollectionRow>& row, const PendingMark& mine,
                                 Outcome& outcome) {
  if (row->status != stage.to || !row->pending) return false;
  if (!owner_gone(*row->pending, mine.owner, ports_.clock.now_ms())) {
    log::info(kModule, "Side effects pending with a live invocation, left to it", row_fields(*row));
    return false;
  }
  const PendingMark seen = *row->pending;
  std::optional<CollectionRow> again;
  if (applied_or_mine(
          ports_.status.take_over(key, seen, mine, deadline_),
          [&] { return ports_.status.read(key, deadline_); }, again, stage.to, mine, outcome,
          "Take over of abandoned side effects")) {
    log::info(kModule, "Recovering side effects abandoned by a dead invocation",
              merged(row_fields(*row), {{"stage", stage.name}}));
    return true;
  }
  log::info(kModule, "Abandoned side effects taken over by another invocation", fields_of(again));
  row = again;
  return false;
}

void Workflow::advance_run(const StageRules& stage, const Message& message, const PendingMark& mine,
                           Outcome& outcome) {
  const std::string& correlation_id = message.correlation_id;
  const auto read = [&] { return ports_.product.read(correlation_id, deadline_); };
  std::optional<ProductRow> row;
  bool mine_now =
      applied_or_mine(ports_.product.transition(correlation_id, stage.product_status,
                                                stage.product_reached, mine, deadline_),
                      read, row, stage.product_status, mine, outcome, "Product status write");
  if (!mine_now) {
    const bool abandoned = row && row->status == stage.product_status && row->pending &&
                           owner_gone(*row->pending, mine.owner, ports_.clock.now_ms());
    if (!abandoned) {
      log::info(kModule, "Run stage already handled by another invocation",
                merged(run_fields(stage), fields_of(row)));
      return;
    }
    const PendingMark seen = *row->pending;
    mine_now =
        applied_or_mine(ports_.product.take_over(correlation_id, seen, mine, deadline_), read, row,
                        stage.product_status, mine, outcome, "Take over of the notification");
    if (!mine_now) {
      log::info(kModule, "Abandoned notification taken over by another invocation",
                merged(run_fields(stage), fields_of(row)));
      return;
    }
    outcome.effects_recovered = true;
    log::info(kModule, "Recovering a notification abandoned by a dead invocation",
              run_fields(stage));
  }
  ports_.monitoring.publish(monitoring_message(message, stage.notification), deadline_);
  ports_.product.finish_effects(correlation_id, mine.owner, deadline_);
  outcome.credits.*stage.run_credit = true;
  outcome.notified = true;
  log::info(kModule, "Run stage reached: product status set, notification sent", run_fields(stage));
}

void Workflow::credit_earlier_delivery(const StageRules& stage, const CollectionRow& row,
                                       const PendingMark& mine, Outcome& outcome) {
  const StageDoneBy& done = row.effects_done_by.*stage.done_by;
  if (whose(done.owner, mine.owner) != Whose::EarlierDeliveryOfMine) return;
  outcome.earlier_delivery_recognised = true;
  outcome.credits.*stage.collection_credit = true;
  if (done.run_notified) outcome.credits.*stage.run_credit = true;
  log::info(kModule,
            done.run_notified
                ? "The collection's side effects and the run's notification were done by an "
                  "earlier delivery of this message, which failed before its metrics were pushed: "
                  "this delivery reports them"
                : "The collection's side effects were done by an earlier delivery of this "
                  "message, which failed before its metrics were pushed: this delivery reports "
                  "them",
            merged(row_fields(row), {{"stage", stage.name}}));
}

void Workflow::note_finished_run(const Message& message, Outcome& outcome) {
  if (!run_all_successful(ports_.status.run_statuses(message.correlation_id, deadline_))) return;
  // Its metrics were deleted when it finished (or the delivery that finished it died
  // first). This message's own push would bring a group back that nobody deletes: it is
  // deleted again, after the same wait.
  outcome.run_finished = true;
  log::info(kModule,
            "Message for a run that has finished: its metrics are deleted again after this "
            "invocation's push");
}

}  // namespace ssc::core
