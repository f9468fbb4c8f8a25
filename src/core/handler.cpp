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

nlohmann::json BatchHandler::handle(const nlohmann::json& event, std::int64_t deadline_ms) {
  const std::vector<EventRecord> records = split_event(event);
  BatchState state;
  nlohmann::json failures = nlohmann::json::array();
  std::exception_ptr invocation_failure;
  bool fifo_stopped = false;

  for (const EventRecord& record : records) {
    if (fifo_stopped) {
      // AWS requires a FIFO batch's failures to be a suffix: these come back, in order.
      failures.push_back({{"itemIdentifier", record.message_id.value_or("")}});
      continue;
    }
    try {
      process_record(record, deadline_ms, state);
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

  publish_metrics(state);
  if (invocation_failure) std::rethrow_exception(invocation_failure);
  return {{"batchItemFailures", failures}};
}

void BatchHandler::process_record(const EventRecord& record, std::int64_t deadline_ms,
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
    run_workflow(parse_message(body), deadline_ms, state);
  } catch (const InvalidMessage& e) {
    log_rejected(e);
    throw;
  } catch (const std::exception& e) {
    log::error(kModule, "Message failed", {{"error", e.what()}});
    throw;
  }
}

void BatchHandler::run_workflow(const Message& message, std::int64_t deadline_ms,
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
    outcome = workflow_.process(message, deadline_ms);
  } catch (...) {
    record_processing_time();
    throw;
  }
  record_processing_time();
  if (outcome.run_finished) remember(state.finished_runs, message.correlation_id);
}

void BatchHandler::publish_metrics(const BatchState& state) {
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
  log::info(kModule, "Run finished: waiting for the final scrape before deleting its metrics",
            {{"scrape_interval_seconds", std::to_string(scrape_interval_seconds_)}});
  ports_.workflow.clock.sleep_ms(scrape_interval_seconds_ * 1000);
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

}  // namespace ssc::core
