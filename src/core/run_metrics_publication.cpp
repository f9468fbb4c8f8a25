#include "core/run_metrics_publication.hpp"

#include <algorithm>
#include <chrono>
#include <exception>

#include "log/log.hpp"

namespace ssc::core {
namespace {

constexpr const char* kModule = "metrics";

}  // namespace

void wait_for_scrape(Clock& clock, std::int64_t scrape_interval_seconds, Deadline wait_end) {
  const std::int64_t wanted_ms = scrape_interval_seconds * 1000;
  const std::int64_t room_ms = std::max<std::int64_t>(
      0,
      std::chrono::duration_cast<std::chrono::milliseconds>(wait_end - clock.steady_now()).count());
  const std::int64_t wait_ms = std::min(wanted_ms, room_ms);
  if (wait_ms < wanted_ms) {
    // Sleeping on would leave no time to delete the metrics and answer: Lambda would kill
    // the invocation and the whole batch would come back.
    log::warning(kModule,
                 "Scrape wait shortened: the full interval would run into the time kept back "
                 "before the invocation's deadline for deleting the metrics and answering; the "
                 "final values may be deleted before they are scraped",
                 {{"scrape_interval_seconds", std::to_string(scrape_interval_seconds)},
                  {"wait_ms", std::to_string(wait_ms)}});
  }
  log::info(kModule, "Run finished: waiting for the final scrape before deleting its metrics",
            {{"scrape_interval_seconds", std::to_string(scrape_interval_seconds)},
             {"wait_ms", std::to_string(wait_ms)}});
  if (wait_ms > 0) clock.sleep_ms(wait_ms);
}

void publish_run_metrics(const RunsToPublish& runs, MetricsPublisher& publisher, Clock& clock,
                         std::int64_t scrape_interval_seconds, const PublicationEnds& ends) {
  for (const std::string& correlation_id : runs.pushed) {
    try {
      publisher.push(correlation_id, ends.io_end);
    } catch (const std::exception& e) {
      log::warning(kModule, "Pushing metrics failed",
                   {{"correlation_id", correlation_id}, {"error", e.what()}});
    }
  }
  if (runs.finished.empty()) return;
  // Once, however many runs finished: the final values must be scraped before they are
  // deleted.
  wait_for_scrape(clock, scrape_interval_seconds, ends.wait_end);
  for (const std::string& correlation_id : runs.finished) {
    try {
      publisher.delete_run(correlation_id, ends.io_end);
      log::info(kModule, "Metrics of the finished run deleted",
                {{"correlation_id", correlation_id}});
    } catch (const std::exception& e) {
      log::error(kModule, "Deleting the finished run's metrics failed",
                 {{"correlation_id", correlation_id}, {"error", e.what()}});
    }
  }
}

}  // namespace ssc::core
