#include "core/handler.hpp"

#include <algorithm>
#include <exception>

#include "core/message.hpp"
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

}  // namespace

std::int64_t TimeReserve::of(std::int64_t time_left_ms) const {
  if (time_left_ms <= 0) return 0;
  const auto by_share =
      static_cast<std::int64_t>(static_cast<double>(time_left_ms) * std::clamp(share, 0.0, 1.0));
  return std::clamp<std::int64_t>(std::min(max_ms, by_share), 0, time_left_ms);
}

nlohmann::json BatchHandler::handle(const nlohmann::json& event, std::int64_t deadline_ms) {
  const std::vector<EventRecord> records = split_event(event);
  Clock& clock = ports_.workflow.clock;
  // The invocation's I/O ends at Lambda's deadline, or earlier when the bound already in
  // force says so (the runtime keeps time back to post the answer).
  std::int64_t end_ms = deadline_ms;
  if (const auto bound = ports_.io_deadline.current_ms()) end_ms = std::min(end_ms, *bound);
  const std::int64_t reserve_ms = reserve_.of(end_ms - clock.now_ms());
  const std::int64_t work_end_ms = end_ms - reserve_ms;
  // Each message's marks get their own owner (token.index): a refused repeat of one
  // message's write is then never mistaken for an earlier message's write.
  const std::string invocation_token = ports_.owner_tokens.next();

  BatchState state;
  nlohmann::json failures = nlohmann::json::array();
  std::exception_ptr invocation_failure;
  bool fifo_stopped = false;
  bool out_of_time = false;

  ports_.io_deadline.run_until(work_end_ms, [&] {
    std::size_t index = 0;
    for (const EventRecord& record : records) {
      const PendingMark mine{deadline_ms, invocation_token + "." + std::to_string(index++)};
      if (fifo_stopped) {
        // AWS requires a FIFO batch's failures to be a suffix: these come back, in order.
        failures.push_back({{"itemIdentifier", record.message_id.value_or("")}});
        continue;
      }
      if (record.message_id && !out_of_time && clock.now_ms() >= work_end_ms) {
        // Every AWS call would fail at once; one line instead of an ERROR per message.
        out_of_time = true;
        log::warning(kModule,
                     "Work deadline reached: the rest of the batch is returned unprocessed, "
                     "for redelivery",
                     {{"messages_returned", std::to_string(records.size() - index + 1)}});
      }
      if (out_of_time && record.message_id) {
        failures.push_back({{"itemIdentifier", *record.message_id}});
        continue;
      }
      try {
        process_record(record, mine, state);
      } catch (const std::exception&) {
        if (!record.message_id) {
          invocation_failure = std::current_exception();
          continue;
        }
        failures.push_back({{"itemIdentifier", *record.message_id}});
        if (from_fifo_queue(record)) {
          fifo_stopped = true;
          log::warning(kModule,
                       "FIFO source: the rest of the batch is returned unprocessed, in order",
                       {{"message_id", *record.message_id}});
        }
      }
    }
  });

  // Whatever processing did with its time, the reserve is still there for these.
  ports_.io_deadline.run_until(end_ms, [&] { publish_metrics(state, work_end_ms); });
  if (invocation_failure) std::rethrow_exception(invocation_failure);
  return {{"batchItemFailures", failures}};
}

void BatchHandler::process_record(const EventRecord& record, const PendingMark& mine,
                                  BatchState& state) {
  // Failures are logged here, inside the message's log context, so that the ERROR line says
  // which message (and, as far as known, which run and collection) it was.
  log::LogContext message_context(log::Fields{{"message_id", message_id_text(record)}});
  const auto log_rejected = [](const InvalidMessage& e) {
    log::error(kModule, "Message rejected: " + joined(e.problems()),
               {{"problems", joined(e.problems())}});
  };
  nlohmann::json body;
  try {
    body = decode_body(record);
  } catch (const InvalidMessage& e) {
    log_rejected(e);
    throw;
  }
  log::LogContext body_context(message_log_context(body));
  try {
    run_workflow(parse_message(body), mine, state);
  } catch (const InvalidMessage& e) {
    log_rejected(e);
    throw;
  } catch (const std::exception& e) {
    log::error(kModule, "Message failed", {{"error", e.what()}});
    throw;
  }
}

void BatchHandler::run_workflow(const Message& message, const PendingMark& mine,
                                BatchState& state) {
  remember(state.correlation_ids, message.correlation_id);
  Clock& clock = ports_.workflow.clock;
  const std::int64_t started_ms = clock.now_ms();
  auto record_processing_time = [&] {
    ports_.workflow.metrics.processing_time(
        message.run_labels(), static_cast<double>(clock.now_ms() - started_ms) / 1000.0);
  };
  Outcome outcome;
  try {
    outcome = workflow_.process(message, mine);
  } catch (...) {
    record_processing_time();
    throw;
  }
  record_processing_time();
  if (outcome.run_finished) remember(state.finished_runs, message.correlation_id);
}

void BatchHandler::publish_metrics(const BatchState& state, std::int64_t wait_until_ms) {
  for (const std::string& correlation_id : state.correlation_ids) {
    try {
      ports_.publisher.push(correlation_id);
    } catch (const std::exception& e) {
      log::warning(kModule, "Pushing metrics failed",
                   {{"correlation_id", correlation_id}, {"error", e.what()}});
    }
  }
  if (state.finished_runs.empty()) return;
  // Once per invocation, however many runs finished: the final values must be scraped
  // before they are deleted.
  wait_for_scrape(wait_until_ms);
  for (const std::string& correlation_id : state.finished_runs) {
    try {
      ports_.publisher.delete_run(correlation_id);
      log::info(kModule, "Metrics of the finished run deleted",
                {{"correlation_id", correlation_id}});
    } catch (const std::exception& e) {
      log::error(kModule, "Deleting the finished run's metrics failed",
                 {{"correlation_id", correlation_id}, {"error", e.what()}});
    }
  }
}

void BatchHandler::wait_for_scrape(std::int64_t wait_until_ms) {
  Clock& clock = ports_.workflow.clock;
  const std::int64_t wanted_ms = scrape_interval_seconds_ * 1000;
  const std::int64_t room_ms = std::max<std::int64_t>(0, wait_until_ms - clock.now_ms());
  const std::int64_t wait_ms = std::min(wanted_ms, room_ms);
  if (wait_ms < wanted_ms) {
    // Sleeping on would leave no time to delete the metrics and answer: Lambda would kill
    // the invocation and the whole batch would come back.
    log::warning(kModule,
                 "Scrape wait shortened: the full interval would run into the time kept back "
                 "before the invocation's deadline for deleting the metrics and answering; the "
                 "final values may be deleted before they are scraped",
                 {{"scrape_interval_seconds", std::to_string(scrape_interval_seconds_)},
                  {"wait_ms", std::to_string(wait_ms)}});
  }
  log::info(kModule, "Run finished: waiting for the final scrape before deleting its metrics",
            {{"scrape_interval_seconds", std::to_string(scrape_interval_seconds_)},
             {"wait_ms", std::to_string(wait_ms)}});
  if (wait_ms > 0) clock.sleep_ms(wait_ms);
}

}  // namespace ssc::core
