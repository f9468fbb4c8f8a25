// `finish-effects`: performs a run's side effects whose owner is gone, through the
// workflow's take-over, without waiting for a redelivery.
#include <iostream>
#include <vector>

#include "adapters/dynamodb_product_table.hpp"
#include "adapters/dynamodb_status_table.hpp"
#include "adapters/random_owner_tokens.hpp"
#include "adapters/sns_monitoring.hpp"
#include "adapters/sqs_export_state_queue.hpp"
#include "core/owner.hpp"
#include "core/workflow.hpp"
#include "log/log.hpp"
#include "metrics/pushgateway_publisher.hpp"
#include "metrics/run_metrics.hpp"
#include "runtime/app.hpp"
#include "runtime/cli.hpp"
#include "runtime/operator_command.hpp"
#include "runtime/status_report.hpp"
#include "runtime/system_clock.hpp"

namespace ssc::runtime::operator_command {
namespace {

// What finish-effects did for one collection, in words.
std::string finished_in_words(const core::CollectionState& collection, const core::Outcome& done) {
  std::string words = "Finished the " +
                      std::string(*core::unfinished_stage(collection) == core::Stage::Received
                                      ? "Received side effects (export-state message sent)"
                                      : "success side effects") +
                      " of " + collection.collection_name + ", left by " +
                      core::owner_in_words(collection.pending->owner);
  if (done.notified) {
    words +=
        "; every collection of the run reached the stage: notification sent, product status set";
  } else if (done.run_stage_reached) {
    words += "; the run's notification had been sent already";
  }
  return words;
}

}  // namespace

// Takes over and performs every abandoned effect of the run (or of one collection) through
// the workflow, then pushes what it counted, as the Lambda would.
int run_finish_effects(const ConfigFlags& flags, const OperatorOptions& options) {
  const Config config = load_config(flags);
  SystemClock clock;
  // The effects end by the marks' time; the metrics (and a finished run's scrape wait)
  // come after them.
  const aws::Deadline whole = std::chrono::steady_clock::now() + kCommandTimeout +
                              std::chrono::seconds(config.metrics_scrape_interval_seconds) +
                              kCommandTimeout;
  AwsClients aws(config, kMaxIdleConnections);
  const core::RunState run = read_run(aws, config, options.correlation_id, whole);
  const std::int64_t now_ms = clock.now_ms();
  std::vector<core::CollectionState> abandoned;
  std::string live;
  for (const auto& c : run.collections) {
    if (!options.collection_name.empty() && c.collection_name != options.collection_name) continue;
    if (core::effects_abandoned(c, now_ms)) {
      abandoned.push_back(c);
    } else if (core::unfinished_stage(c)) {
      live +=
          "; " + c.collection_name + ": " + core::collection_detail(c, now_ms, local_time_in_words);
    }
  }
  if (!options.collection_name.empty()) find_collection(run, config, options.collection_name);
  if (abandoned.empty()) {
    throw Refused(
        "no side effects of run " + run.correlation_id +
        (options.collection_name.empty() ? "" : " collection " + options.collection_name) +
        " are left by an owner that is gone" +
        (live.empty() ? std::string(": nothing is unfinished")
                      : ": wait until their owner's time has passed" + live));
  }

  adapters::DynamoStatusTable status(
      aws.dynamodb,
      adapters::StatusTables{config.export_status_table, config.file_receipts_table,
                             std::chrono::hours(24) * config.file_receipts_expiry_days});
  adapters::DynamoProductTable product(aws.dynamodb, config.product_status_table);
  adapters::SqsExportStateQueue queue(aws.sqs, config.export_state_sqs_queue_url);
  adapters::SnsMonitoring monitoring(aws.sns, config.monitoring_sns_topic_arn);
  metrics::RunMetrics run_metrics;
  metrics::PushGatewayPublisher publisher(run_metrics, aws.http, pushgateway_settings(config));
  const std::string token =
      std::string(core::kOperatorOwnerPrefix) + adapters::RandomOwnerTokens{}.next();

  int finished = 0;
  bool run_finished = false;
  {
    // The marks' time is taken after the work's end is set, so it ends later: no AWS call of
    // this command is still under way when another invocation may take its effects over.
    core::Workflow workflow({status, product, queue, monitoring, run_metrics, clock},
                            std::chrono::steady_clock::now() + kCommandTimeout);
    const std::int64_t until_ms =
        clock.now_ms() + std::chrono::milliseconds(kCommandTimeout).count();
    for (std::size_t index = 0; index < abandoned.size(); ++index) {
      const core::CollectionState& collection = abandoned[index];
      // One owner per collection, as the Lambda has one per message: a mark this command
      // left on the product item for one collection is not taken for another's own write.
      // An owner of no SQS message: no delivery takes it for an earlier one of its own.
      const core::PendingMark mine{until_ms,
                                   core::Owner::of_delivery(core::EventRecord{}, token, index)};
      core::Message message = operator_message(options);
      message.collection_name = collection.collection_name;
      const log::LogContext context({{"correlation_id", message.correlation_id},
                                     {"collection_name", message.collection_name}});
      const core::Outcome done = workflow.take_over_and_perform(message, mine);
      run_finished = run_finished || done.run_finished;
      if (!done.effects_taken_over) {
        std::cout << "Left " << collection.collection_name
                  << ": its effects were taken over or finished by another invocation meanwhile"
                  << std::endl;
        continue;
      }
      ++finished;
      const std::string words = finished_in_words(collection, done);
      log::info(kModule, words, {{"effects_by", mine.owner.text()}});
      std::cout << words << std::endl;
    }
  }
  // The effects are done whatever happens to the metrics: a failed push is a warning, as in
  // the Lambda, not a failed command.
  try {
    if (publisher.enabled()) {
      publisher.push(run.correlation_id, whole);
      if (run_finished) {
        log::info(
            kModule, "Run finished: waiting for the final scrape before deleting its metrics",
            {{"scrape_interval_seconds", std::to_string(config.metrics_scrape_interval_seconds)}});
        clock.sleep_ms(config.metrics_scrape_interval_seconds * 1000);
        publisher.delete_run(run.correlation_id, whole);
        log::info(kModule, "Metrics of the finished run deleted");
      }
    }
  } catch (const std::exception& error) {
    log::warning(kModule, "Pushing or deleting the run's metrics failed",
                 {{"error", error.what()}});
  }
  if (finished == 0) throw Refused("every abandoned effect was taken over by another invocation");
  return kExitOk;
}

}  // namespace ssc::runtime::operator_command
