#include "core/workflow.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/payloads.hpp"
#include "core/receipt.hpp"
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

std::string optional_number(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : std::string("absent");
}

void add_pending_fields(log::Fields& fields, const std::optional<PendingMark>& pending) {
  fields["pending_effects_until"] =
      pending ? std::to_string(pending->until_ms) : std::string("absent");
  fields["pending_effects_owner"] =
      !pending ? std::string("absent") : (pending->owner.empty() ? "none" : pending->owner);
}

log::Fields row_fields(const CollectionRow& row) {
  log::Fields fields = {{"collection_status", row.status.empty() ? "absent" : row.status},
                        {"files_received", std::to_string(row.files_received)},
                        {"files_exported", optional_number(row.files_exported)}};
  add_pending_fields(fields, row.pending);
  return fields;
}

log::Fields product_fields(const char* status, const char* status_text,
                           const std::optional<ProductRow>& row) {
  log::Fields fields = {{"product_status", status}, {"notification", status_text}};
  if (row) {
    fields["product_status_found"] = row->status.empty() ? "absent" : row->status;
    add_pending_fields(fields, row->pending);
  }
  return fields;
}

const char* product_status_of(Stage stage) {
  return stage == Stage::Received ? product_status::kReceived : product_status::kCompleted;
}

const char* notification_of(Stage stage) {
  return stage == Stage::Received ? kAllCollectionsReceived : kAllCollectionsSuccessful;
}

const StageDoneBy& done_by(const EffectsDoneBy& done, Stage stage) {
  return stage == Stage::Received ? done.received : done.completed;
}

bool& collection_credit(Credits& credits, Stage stage) {
  return stage == Stage::Received ? credits.collection_received : credits.collection_successful;
}

bool& run_credit(Credits& credits, Stage stage) {
  return stage == Stage::Received ? credits.all_collections_received
                                  : credits.all_collections_successful;
}

}  // namespace

Outcome Workflow::process(const Message& message, const PendingMark& mine) {
  // Without an owner a write whose answer was lost could not be told from another's.
  if (mine.owner.empty()) throw std::invalid_argument("a pending mark needs an owner token");
  Outcome outcome =
      message.is_success_file ? process_success_file(message, mine) : process_file(message, mine);
  // Only now: a message that failed half way comes back, and its next delivery counts what
  // this one did (core/receipt.hpp).
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

bool Workflow::make_transition(const CollectionKey& key, const std::vector<std::string>& from,
                               const char* to, const PendingMark& mine,
                               std::optional<CollectionRow>& row, Outcome& outcome) {
  if (ports_.status.transition(key, from, to, mine)) return true;
  // Refused: another invocation moved the row first, or our own write was applied and its
  // answer lost, and what was refused is its repeat. Only the row can tell.
  row = ports_.status.read(key);
  if (row && row->status == to && pending_mark_is_mine(row->pending, mine)) {
    outcome.own_write_recognised = true;
    log::info(kModule,
              "Status write applied though its answer was lost (the repeat was refused): the row "
              "carries this invocation's mark, the side effects are ours",
              row_fields(*row));
    return true;
  }
  return false;
}

Outcome Workflow::process_file(const Message& message, const PendingMark& mine) {
  Outcome outcome;
  const CollectionKey key = message.key();
  // Without a file name every delivery counts, as it always did: there is nothing to
  // recognise a redelivery by.
  const std::optional<std::string> token =
      message.file_name == kFileNameNotSet
          ? std::nullopt
          : std::optional<std::string>(file_token(message.file_name));
  const CountResult count = ports_.status.count_file(key, token, mine.owner);
  const auto& owners = count.same_message_owners;
  outcome.counted = count.counted;
  if (count.counted) {
    log::info(kModule, "File counted", row_fields(count.row));
  } else if (std::find(owners.begin(), owners.end(), mine.owner) != owners.end()) {
    // The owner is unique to this delivery of this message: the refusal was the repeat of
    // our own count, applied but not answered.
    outcome.counted = true;
    outcome.own_write_recognised = true;
    log::info(kModule,
              "File count applied though its answer was lost (the repeat was refused): the row "
              "records this message's owner beside the file, the file is ours to report",
              row_fields(count.row));
  } else if (std::any_of(owners.begin(), owners.end(), [&](const std::string& owner) {
               return earlier_delivery_of_same_message(owner, mine.owner);
             })) {
    outcome.counted = true;
    outcome.earlier_delivery_recognised = true;
    log::info(kModule,
              "File counted by an earlier delivery of this message, which failed before its "
              "metrics were pushed: this delivery reports it",
              row_fields(count.row));
  } else {
    log::info(kModule, "File already counted, duplicate delivery ignored", row_fields(count.row));
  }
  outcome.credits.file_received = outcome.counted;

  std::optional<CollectionRow> row = count.row;
  if (collection_received(count.row)) {
    if (make_transition(key, statuses_before_received(), collection_status::kReceived, mine, row,
                        outcome)) {
      outcome.transitioned = true;
      log::info(kModule, "Collection received, status set to Received", row_fields(count.row));
      perform_received_effects(message, mine, outcome);
      return outcome;
    }
    log::info(kModule, "Collection status changed by another invocation, no transition made");
  } else if (count.row.status != collection_status::kReceived &&
             count.row.status != collection_status::kSuccess) {
    log::info(kModule, "Collection not received yet", row_fields(count.row));
  }
  if (!row) return outcome;
  if (take_over_collection_effects(key, row, collection_status::kReceived, mine, outcome)) {
    outcome.effects_recovered = true;
    perform_received_effects(message, mine, outcome);
  } else if (row) {
    credit_earlier_delivery(*row, Stage::Received, mine, outcome);
    if (row->status == collection_status::kSuccess) note_finished_run(message, outcome);
  }
  return outcome;
}

Outcome Workflow::process_success_file(const Message& message, const PendingMark& mine) {
  Outcome outcome;
  const CollectionKey key = message.key();
  std::optional<CollectionRow> row;
  // When refused, `row` holds the row as read after the refusal.
  const auto move_to_success = [&] {
    row.reset();
    if (!make_transition(key, statuses_before_success(), collection_status::kSuccess, mine, row,
                         outcome)) {
      return false;
    }
    outcome.transitioned = true;
    log::info(kModule, "Collection successful, status set to Success");
    perform_success_effects(message, mine, outcome);
    return true;
  };
  if (move_to_success()) return outcome;
  if (!row) {
    throw CollectionNotFound("no export status row for correlation id " + key.correlation_id +
                             " and collection " + key.collection_name);
  }
  if (row->status == collection_status::kReceived && row->pending) {
    // The Received stage's effects are unfinished: they come first, or moving on would
    // overwrite their mark and a crash would lose them. A live owner is usually done within
    // milliseconds (the _success file raced the last file): wait for it, briefly.
    std::int64_t waited_ms = 0;
    while (row && row->status == collection_status::kReceived && row->pending) {
      if (effects_owner_gone(*row->pending, mine)) {
        if (take_over_collection_effects(key, row, collection_status::kReceived, mine, outcome)) {
          outcome.effects_recovered = true;
          perform_received_effects(message, mine, outcome);
          break;
        }
        continue;  // claimed by another invocation: `row` is as read after the refusal
      }
      if (waited_ms >= kReceivedEffectsWaitMs) {
        throw EffectsStillPending(
            "the collection's Received side effects are still pending with a live invocation "
            "after " +
            std::to_string(waited_ms) + " ms; the _success file comes back after them");
      }
      ports_.clock.sleep_ms(kReceivedEffectsPollMs);
      waited_ms += kReceivedEffectsPollMs;
      row = ports_.status.read(key);
    }
    if (move_to_success() || !row) return outcome;
  }
  if (take_over_collection_effects(key, row, collection_status::kSuccess, mine, outcome)) {
    outcome.effects_recovered = true;
    perform_success_effects(message, mine, outcome);
  } else if (row && row->status == collection_status::kSuccess) {
    log::info(kModule, "Collection already Success, nothing to do", row_fields(*row));
    credit_earlier_delivery(*row, Stage::Completed, mine, outcome);
    note_finished_run(message, outcome);
  } else if (row) {
    log::info(kModule, "Collection status is not ready for success (needs Received or Sent)",
              row_fields(*row));
  }
  return outcome;
}

void Workflow::perform_received_effects(const Message& message, const PendingMark& mine,
                                        Outcome& outcome) {
  ports_.queue.send(export_state_body(message), export_state_group_id(message.collection_name),
                    export_state_deduplication_id(message.correlation_id, message.collection_name));
  log::info(kModule, "Export-state message sent, asking for the collection's _success file");

  if (run_all_received(ports_.status.run_statuses(message.correlation_id))) {
    outcome.run_stage_reached = true;
    advance_product(message, Stage::Received,
                    {product_status::kReceived, product_status::kCompleted}, mine, outcome);
  }
  ports_.status.finish_effects(message.key(), mine.owner, Stage::Received,
                               outcome.credits.all_collections_received);
  outcome.credits.collection_received = true;
}

void Workflow::perform_success_effects(const Message& message, const PendingMark& mine,
                                       Outcome& outcome) {
  if (run_all_successful(ports_.status.run_statuses(message.correlation_id))) {
    outcome.run_stage_reached = true;
    // Whoever notifies, every invocation that sees the run complete may delete its metrics.
    outcome.run_finished = true;
    advance_product(message, Stage::Completed, {product_status::kCompleted}, mine, outcome);
  }
  ports_.status.finish_effects(message.key(), mine.owner, Stage::Completed,
                               outcome.credits.all_collections_successful);
  outcome.credits.collection_successful = true;
}

void Workflow::credit_earlier_delivery(const CollectionRow& row, Stage stage,
                                       const PendingMark& mine, Outcome& outcome) {
  const StageDoneBy& done = done_by(row.effects_done_by, stage);
  if (!earlier_delivery_of_same_message(done.owner, mine.owner)) return;
  outcome.earlier_delivery_recognised = true;
  collection_credit(outcome.credits, stage) = true;
  if (done.run_notified) run_credit(outcome.credits, stage) = true;
  log::info(kModule,
            done.run_notified
                ? "The collection's side effects and the run's notification were done by an "
                  "earlier delivery of this message, which failed before its metrics were pushed: "
                  "this delivery reports them"
                : "The collection's side effects were done by an earlier delivery of this "
                  "message, which failed before its metrics were pushed: this delivery reports "
                  "them",
            row_fields(row));
}

void Workflow::note_finished_run(const Message& message, Outcome& outcome) {
  if (!run_all_successful(ports_.status.run_statuses(message.correlation_id))) return;
  // Its metrics were deleted when it finished (or the delivery that finished it died
  // first). This message's own push would bring a group back that nobody deletes: it is
  // deleted again, after the same wait.
  outcome.run_finished = true;
  log::info(kModule,
            "Message for a run that has finished: its metrics are deleted again after this "
            "invocation's push");
}

bool Workflow::effects_owner_gone(const PendingMark& pending, const PendingMark& mine) {
  return pending_effects_abandoned(pending, ports_.clock.now_ms()) ||
         earlier_delivery_of_same_message(pending.owner, mine.owner);
}

bool Workflow::take_over_collection_effects(const CollectionKey& key,
                                            std::optional<CollectionRow>& row, const char* status,
                                            const PendingMark& mine, Outcome& outcome) {
  if (row->status != status || !row->pending) return false;
  if (!effects_owner_gone(*row->pending, mine)) {
    log::info(kModule, "Side effects pending with a live invocation, left to it", row_fields(*row));
    return false;
  }
  if (ports_.status.claim_pending(key, *row->pending, mine)) {
    log::info(kModule, "Recovering side effects abandoned by a dead invocation", row_fields(*row));
    return true;
  }
  // The repeat of our own claim, applied but not answered, is refused as well.
  const std::optional<CollectionRow> again = ports_.status.read(key);
  if (again && again->status == status && pending_mark_is_mine(again->pending, mine)) {
    outcome.own_write_recognised = true;
    log::info(kModule,
              "Claim applied though its answer was lost (the repeat was refused): recovering "
              "side effects abandoned by a dead invocation",
              row_fields(*again));
    return true;
  }
  log::info(kModule, "Abandoned side effects claimed by another invocation",
            row_fields(again ? *again : *row));
  row = again;
  return false;
}

void Workflow::advance_product(const Message& message, Stage stage,
                               const std::vector<std::string>& done_statuses,
                               const PendingMark& mine, Outcome& outcome) {
  const std::string& correlation_id = message.correlation_id;
  const char* status = product_status_of(stage);
  const char* status_text = notification_of(stage);
  bool advanced = ports_.product.advance(correlation_id, status, done_statuses, mine);
  std::optional<ProductRow> row;
  if (!advanced) {
    // As for a collection's transition: a refused repeat of our own applied write shows as
    // the target status with our mark.
    row = ports_.product.read(correlation_id);
    if (row && row->status == status && pending_mark_is_mine(row->pending, mine)) {
      advanced = true;
      outcome.own_write_recognised = true;
      log::info(kModule,
                "Product status write applied though its answer was lost (the repeat was "
                "refused): the notification is ours",
                product_fields(status, status_text, row));
    }
  }
  if (advanced) {
    ports_.monitoring.publish(monitoring_message(message, status_text));
    ports_.product.clear_pending(correlation_id, mine.owner);
    run_credit(outcome.credits, stage) = true;
    outcome.notified = true;
    log::info(kModule, "Run stage reached: product status set, notification sent",
              product_fields(status, status_text, std::nullopt));
    return;
  }
  const bool claimable =
      row && row->status == status && row->pending && effects_owner_gone(*row->pending, mine);
  if (!claimable) {
    log::info(kModule, "Run stage already handled by another invocation",
              product_fields(status, status_text, row));
    return;
  }
  bool claimed = ports_.product.claim_pending(correlation_id, *row->pending, mine);
  if (!claimed) {
    const std::optional<ProductRow> again = ports_.product.read(correlation_id);
    claimed = again && again->status == status && pending_mark_is_mine(again->pending, mine);
    if (claimed) {
      outcome.own_write_recognised = true;
      log::info(kModule, "Claim of the notification applied though its answer was lost",
                product_fields(status, status_text, again));
    }
  }
  if (!claimed) {
    log::info(kModule, "Abandoned notification claimed by another invocation",
              product_fields(status, status_text, row));
    return;
  }
  ports_.monitoring.publish(monitoring_message(message, status_text));
  ports_.product.clear_pending(correlation_id, mine.owner);
  run_credit(outcome.credits, stage) = true;
  outcome.notified = true;
  outcome.effects_recovered = true;
  log::info(kModule, "Recovered a notification abandoned by a dead invocation",
            product_fields(status, status_text, std::nullopt));
}

}  // namespace ssc::core
