#include "core/workflow.hpp"

#include "core/payloads.hpp"
#include "core/rules.hpp"
#include "log/log.hpp"

namespace ssc::core {
namespace {

constexpr const char* kModule = "workflow";

std::string optional_number(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : std::string("absent");
}

log::Fields row_fields(const CollectionRow& row) {
  return {{"collection_status", row.status.empty() ? "absent" : row.status},
          {"files_received", std::to_string(row.files_received)},
          {"files_exported", optional_number(row.files_exported)},
          {"pending_effects_until", optional_number(row.pending_effects_until_ms)}};
}

}  // namespace

Outcome Workflow::process(const Message& message, std::int64_t deadline_ms) {
  return message.is_success_file ? process_success_file(message, deadline_ms)
                                 : process_file(message, deadline_ms);
}

Outcome Workflow::process_file(const Message& message, std::int64_t deadline_ms) {
  Outcome outcome;
  const CollectionKey key = message.key();
  // Without a file name every delivery counts, as it always did: there is nothing to
  // recognise a redelivery by.
  const std::optional<std::string> token =
      message.file_name == kFileNameNotSet
          ? std::nullopt
          : std::optional<std::string>(file_token(message.file_name));
  const CountResult count = ports_.status.count_file(key, token);
  outcome.counted = count.counted;
  if (count.counted) {
    ports_.metrics.file_received(message.run_labels(), message.collection_name);
    log::info(kModule, "File counted", row_fields(count.row));
  } else {
    log::info(kModule, "File already counted, duplicate delivery ignored", row_fields(count.row));
  }

  std::optional<CollectionRow> row = count.row;
  if (collection_received(count.row)) {
    if (ports_.status.transition(key, statuses_before_received(), collection_status::kReceived,
                                 deadline_ms)) {
      outcome.transitioned = true;
      ports_.metrics.collection_received(message.run_labels());
      log::info(kModule, "Collection received, status set to Received", row_fields(count.row));
      perform_received_effects(message, deadline_ms, outcome);
      return outcome;
    }
    log::info(kModule, "Collection status changed by another invocation, no transition made");
    // Only a marker it left behind can still concern us: read it.
    row = ports_.status.read(key);
  } else if (count.row.status != collection_status::kReceived) {
    log::info(kModule, "Collection not received yet", row_fields(count.row));
  }
  if (row && take_over_collection_effects(key, *row, collection_status::kReceived, deadline_ms)) {
    outcome.effects_recovered = true;
    perform_received_effects(message, deadline_ms, outcome);
  }
  return outcome;
}

Outcome Workflow::process_success_file(const Message& message, std::int64_t deadline_ms) {
  Outcome outcome;
  const CollectionKey key = message.key();
  if (ports_.status.transition(key, statuses_before_success(), collection_status::kSuccess,
                               deadline_ms)) {
    outcome.transitioned = true;
    ports_.metrics.collection_successful(message.run_labels());
    log::info(kModule, "Collection successful, status set to Success");
    perform_success_effects(message, deadline_ms, outcome);
    return outcome;
  }
  const std::optional<CollectionRow> row = ports_.status.read(key);
  if (!row) {
    throw CollectionNotFound("no export status row for correlation id " + key.correlation_id +
                             " and collection " + key.collection_name);
  }
  if (take_over_collection_effects(key, *row, collection_status::kSuccess, deadline_ms)) {
    outcome.effects_recovered = true;
    perform_success_effects(message, deadline_ms, outcome);
  } else if (row->status == collection_status::kSuccess) {
    log::info(kModule, "Collection already Success, nothing to do", row_fields(*row));
  } else {
    log::info(kModule, "Collection status is not ready for success (needs Received or Sent)",
              row_fields(*row));
  }
  return outcome;
}

void Workflow::perform_received_effects(const Message& message, std::int64_t deadline_ms,
                                        Outcome& outcome) {
  ports_.queue.send(export_state_body(message), export_state_group_id(message.collection_name),
                    export_state_deduplication_id(message.correlation_id, message.collection_name));
  log::info(kModule, "Export-state message sent, asking for the collection's _success file");

  if (run_all_received(ports_.status.run_statuses(message.correlation_id))) {
    outcome.run_stage_reached = true;
    advance_product(
        message, product_status::kReceived, {product_status::kReceived, product_status::kCompleted},
        kAllCollectionsReceived,
        [&] { ports_.metrics.all_collections_received(message.run_labels()); }, deadline_ms,
        outcome);
  }
  ports_.status.clear_pending(message.key(), deadline_ms);
}

void Workflow::perform_success_effects(const Message& message, std::int64_t deadline_ms,
                                       Outcome& outcome) {
  if (run_all_successful(ports_.status.run_statuses(message.correlation_id))) {
    outcome.run_stage_reached = true;
    // Whoever notifies, every invocation that sees the run complete may delete its metrics.
    outcome.run_finished = true;
    advance_product(
        message, product_status::kCompleted, {product_status::kCompleted},
        kAllCollectionsSuccessful,
        [&] { ports_.metrics.all_collections_successful(message.run_labels()); }, deadline_ms,
        outcome);
  }
  ports_.status.clear_pending(message.key(), deadline_ms);
}

bool Workflow::take_over_collection_effects(const CollectionKey& key, const CollectionRow& row,
                                            const char* status, std::int64_t deadline_ms) {
  if (row.status != status) return false;
  if (!pending_effects_abandoned(row.pending_effects_until_ms, ports_.clock.now_ms())) {
    if (row.pending_effects_until_ms) {
      log::info(kModule, "Side effects pending with a live invocation, left to it",
                row_fields(row));
    }
    return false;
  }
  if (!ports_.status.claim_pending(key, *row.pending_effects_until_ms, deadline_ms)) {
    log::info(kModule, "Abandoned side effects claimed by another invocation", row_fields(row));
    return false;
  }
  log::info(kModule, "Recovering side effects abandoned by a dead invocation", row_fields(row));
  return true;
}

void Workflow::advance_product(const Message& message, const char* status,
                               const std::vector<std::string>& done_statuses,
                               const char* status_text, const std::function<void()>& count_metric,
                               std::int64_t deadline_ms, Outcome& outcome) {
  const std::string& correlation_id = message.correlation_id;
  const log::Fields fields = {{"product_status", status}, {"notification", status_text}};
  if (ports_.product.advance(correlation_id, status, done_statuses, deadline_ms)) {
    ports_.monitoring.publish(monitoring_message(message, status_text));
    count_metric();
    ports_.product.clear_pending(correlation_id, deadline_ms);
    outcome.notified = true;
    log::info(kModule, "Run stage reached: product status set, notification sent", fields);
    return;
  }
  const std::optional<ProductRow> row = ports_.product.read(correlation_id);
  if (!row || row->status != status ||
      !pending_effects_abandoned(row->pending_effects_until_ms, ports_.clock.now_ms())) {
    log::info(kModule, "Run stage already handled by another invocation", fields);
    return;
  }
  if (!ports_.product.claim_pending(correlation_id, *row->pending_effects_until_ms, deadline_ms)) {
    log::info(kModule, "Abandoned notification claimed by another invocation", fields);
    return;
  }
  ports_.monitoring.publish(monitoring_message(message, status_text));
  ports_.product.clear_pending(correlation_id, deadline_ms);
  outcome.notified = true;
  outcome.effects_recovered = true;
  log::info(kModule, "Recovered a notification abandoned by a dead invocation", fields);
}

}  // namespace ssc::core
