#include "core/handler.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>

#include "core/message.hpp"
#include "core/owner.hpp"
#include "core/run_metrics_publication.hpp"
#include "log/log.hpp"

namespace ssc::core {
namespace {

constexpr const char* kModule = "handler";

void remember(std::vector<std::string>& values, const std::string& value) {
  if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
}

std::string message_id_text(const EventRecord& record) {
  return record.message_id.value_or("none (the event is the message)");
}

std::string joined(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& problem : problems) text += (text.empty() ? "" : "; ") + problem;
  return text;
}

// A unit of one message (a _success file) as a group's results are.
DeliveryResult processed(Workflow& workflow, const Delivery& delivery) {
  try {
    return {workflow.process(delivery.message, delivery.mine), nullptr};
  } catch (...) {
    return {{}, std::current_exception()};
  }
}

}  // namespace

nlohmann::json BatchHandler::handle_records(const std::vector<EventRecord>& records,
                                            const TimeBudget& budget) {
  // Each message's writes get their own owner (core/owner.hpp): a refused repeat of one
  // message's write is then never mistaken for another message's or another delivery's.
  const std::string invocation_token = ports_.owner_tokens.next();
  std::vector<PendingMark> marks;
  marks.reserve(records.size());
  std::vector<ParsedRecord> parsed(records.size());
  std::vector<std::optional<Message>> messages(records.size());
  for (std::size_t index = 0; index < records.size(); ++index) {
    marks.push_back(
        {budget.lambda_deadline_ms, Owner::of_delivery(records[index], invocation_token, index)});
    ParsedRecord& record = parsed[index];
    try {
      record.body = decode_body(records[index]);
      record.message = parse_message(record.body);
      messages[index] = record.message;
    } catch (...) {
      record.rejected = std::current_exception();
    }
  }
  const bool fifo = std::any_of(records.begin(), records.end(), from_fifo_queue);
  const std::vector<WorkUnit> units = group_batch(messages, fifo);
  Workflow workflow(ports_.workflow, budget.work_end);
  const log::Fields context = log::current_context();
  const Batch batch{records, marks, parsed, workflow, fifo, context};
  std::vector<RecordOutcome> outcomes(records.size());
  // A rejected record is a unit of its own that waits on nothing.
  const auto waiting =
      static_cast<std::size_t>(std::count_if(units.begin(), units.end(), [&](const WorkUnit& unit) {
        return !parsed[unit.messages.front()].rejected;
      }));
  if (fifo || max_concurrency_ == 1 || waiting <= 1) {
    process_in_order(batch, units, outcomes);
  } else {
    process_concurrently(batch, units, waiting, outcomes);
  }

  std::vector<std::string> correlation_ids;  // seen, in order: pushed once each
  std::exception_ptr invocation_failure;
  const nlohmann::json failures =
      batch_item_failures(records, outcomes, correlation_ids, invocation_failure);
  // Runs finished by any message, in the order the runs first appear: the same, however
  // the messages interleaved.
  std::vector<std::string> finished_runs;  // metrics to delete after the scrape
  for (const std::string& correlation_id : correlation_ids) {
    if (std::any_of(outcomes.begin(), outcomes.end(), [&](const RecordOutcome& outcome) {
          return outcome.run_finished && outcome.correlation_id == correlation_id;
        })) {
      finished_runs.push_back(correlation_id);
    }
  }
  // Whatever processing did with its time, the reserve is still there for these.
  publish_run_metrics({correlation_ids, finished_runs}, ports_.publisher, ports_.workflow.clock,
                      scrape_interval_seconds_, {budget.io_end, budget.wait_end});
  if (invocation_failure) std::rethrow_exception(invocation_failure);
  return {{"batchItemFailures", failures}};
}

nlohmann::json BatchHandler::batch_item_failures(const std::vector<EventRecord>& records,
                                                 const std::vector<RecordOutcome>& outcomes,
                                                 std::vector<std::string>& correlation_ids,
                                                 std::exception_ptr& invocation_failure) {
  nlohmann::json failures = nlohmann::json::array();
  std::size_t out_of_time = 0;
  for (std::size_t index = 0; index < records.size(); ++index) {
    const RecordOutcome& outcome = outcomes[index];
    if (outcome.correlation_id) remember(correlation_ids, *outcome.correlation_id);
    if (outcome.state == RecordOutcome::State::Succeeded) continue;
    if (outcome.state == RecordOutcome::State::OutOfTime) ++out_of_time;
    if (!records[index].message_id) {
      invocation_failure = outcome.error;
      continue;
    }
    // Failed, or not tried: after a FIFO batch's failure (AWS requires a FIFO batch's
    // failures to be a suffix: these come back, in order), or after the work end.
    failures.push_back({{"itemIdentifier", *records[index].message_id}});
  }
  if (out_of_time > 0) {
    // Every AWS call would have failed at once: one line instead of an ERROR per message.
    log::warning(kModule,
                 "Work end reached (the rest of the invocation's time is kept for the metrics "
                 "and the answer): the rest of the batch is returned unprocessed, for "
                 "redelivery",
                 {{"messages_returned", std::to_string(out_of_time)}});
  }
  return failures;
}

void BatchHandler::process_in_order(const Batch& batch, const std::vector<WorkUnit>& units,
                                    std::vector<RecordOutcome>& outcomes) {
  for (std::size_t unit = 0; unit < units.size(); ++unit) {
    if (!process_unit(batch, units[unit], outcomes)) {
      // Out of time: so are the units after it, and a FIFO batch stays a suffix.
      for (std::size_t rest = unit + 1; rest < units.size(); ++rest) {
        for (const std::size_t index : units[rest].messages) {
          outcomes[index].state = RecordOutcome::State::OutOfTime;
        }
      }
      return;
    }
    const auto failed = std::find_if(
        units[unit].messages.begin(), units[unit].messages.end(),
        [&](std::size_t index) { return outcomes[index].state == RecordOutcome::State::Failed; });
    if (batch.fifo && failed != units[unit].messages.end()) {
      // A FIFO batch's failed group has failed whole (Workflow::process_files), so its
      // messages come back with the rest, in order.
      log::warning(kModule, "FIFO source: the rest of the batch is returned unprocessed, in order",
                   {{"message_id", message_id_text(batch.records[*failed])}});
      return;
    }
  }
}

void BatchHandler::process_concurrently(const Batch& batch, const std::vector<WorkUnit>& units,
                                        std::size_t waiting, std::vector<RecordOutcome>& outcomes) {
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t unit = next++; unit < units.size(); unit = next++) {
      try {
        process_unit(batch, units[unit], outcomes);
      } catch (...) {
        // Only allocating a unit's own state can get here (process_unit catches its
        // records' failures); its records stay NotProcessed and are reported as failed, so
        // they come back.
        log::error(kModule, "A unit of the batch could not be started");
      }
    }
  };
  workers_.run(std::min(max_concurrency_, waiting) - 1, work);
}

bool BatchHandler::process_unit(const Batch& batch, const WorkUnit& unit,
                                std::vector<RecordOutcome>& outcomes) {
  const std::size_t first = unit.messages.front();
  if (batch.records[first].message_id &&
      ports_.workflow.clock.steady_now() >= batch.workflow.work_end()) {
    for (const std::size_t index : unit.messages) {
      outcomes[index].state = RecordOutcome::State::OutOfTime;
    }
    return false;
  }
  if (batch.parsed[first].rejected) {
    record_failure(batch, first, batch.parsed[first].rejected, outcomes[first]);
    return true;
  }
  std::vector<Delivery> group;
  group.reserve(unit.messages.size());
  for (const std::size_t index : unit.messages) {
    group.push_back({*batch.parsed[index].message, batch.marks[index]});
    outcomes[index].correlation_id = batch.parsed[index].message->correlation_id;
  }
  Clock& clock = ports_.workflow.clock;
  const std::int64_t started_ms = clock.now_ms();
  std::vector<DeliveryResult> results;
  {
    // The unit's own lines are in the context of the message that carries its stage.
    const log::LogContext context(record_context(batch, unit.messages.back()));
    results = unit.files ? batch.workflow.process_files(group, batch.fifo)
                         : std::vector{processed(batch.workflow, group.front())};
  }
  const double seconds = static_cast<double>(clock.now_ms() - started_ms) / 1000.0;
  for (std::size_t member = 0; member < unit.messages.size(); ++member) {
    const std::size_t index = unit.messages[member];
    ports_.workflow.metrics.processing_time(group[member].message.run_labels(), seconds);
    if (results[member].error) {
      record_failure(batch, index, results[member].error, outcomes[index]);
      continue;
    }
    outcomes[index].state = RecordOutcome::State::Succeeded;
    outcomes[index].run_finished = results[member].outcome.run_finished;
  }
  return true;
}

void BatchHandler::record_failure(const Batch& batch, std::size_t index, std::exception_ptr error,
                                  RecordOutcome& outcome) {
  outcome.state = RecordOutcome::State::Failed;
  outcome.error = error;
  const ParsedRecord& parsed = batch.parsed[index];
  // Failures are logged inside the message's log context, so that the ERROR line says which
  // message (and, as far as known, which run and collection) it was.
  const log::LogContext context(record_context(batch, index));
  try {
    std::rethrow_exception(error);
  } catch (const InvalidMessage& e) {
    log::error(kModule, "Message rejected: " + joined(e.problems()),
               {{"problems", joined(e.problems())}});
    // A rejected message is counted under the run its body names, as far as it names one,
    // and pushed with that run's metrics.
    const RunLabels run = rejected_run_labels(parsed.body);
    ports_.workflow.metrics.message_rejected(run);
    outcome.correlation_id = run.correlation_id;
  } catch (const std::exception& e) {
    log::error(kModule, "Message failed", {{"error", e.what()}});
    if (parsed.message) ports_.workflow.metrics.message_failed(parsed.message->run_labels());
  } catch (...) {
    // Not from this program's code; on a worker thread it would end the process.
    log::error(kModule, "Message failed with an exception of unknown type");
    if (parsed.message) ports_.workflow.metrics.message_failed(parsed.message->run_labels());
  }
}

log::Fields BatchHandler::record_context(const Batch& batch, std::size_t index) {
  log::Fields fields = message_log_context(batch.parsed[index].body);
  fields.emplace("message_id", message_id_text(batch.records[index]));
  // insert keeps what is there: the record's own fields win a clash, as a nested
  // context's would.
  fields.insert(batch.context.begin(), batch.context.end());
  return fields;
}

}  // namespace ssc::core
