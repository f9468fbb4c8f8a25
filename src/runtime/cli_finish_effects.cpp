// `finish-effects`: takes over a run's effects whose owner is gone and performs them,
// through the workflow's own take over, without waiting for a redelivery.
#include <iostream>
#include <vector>

#include "core/owner.hpp"
#include "core/run_metrics_publication.hpp"
#include "core/workflow.hpp"
#include "log/log.hpp"
#include "runtime/cli.hpp"
#include "runtime/operator_command.hpp"
#include "runtime/status_report.hpp"

namespace ssc::runtime::operator_command {
namespace {

// What finish-effects did for one collection, in words.
std::string finished_in_words(const core::CollectionRow& collection, const core::Outcome& done) {
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

// The collections of the run (or the one named) whose effects' owner is gone. Throws
// NotFound for a collection the run does not have, Refused when there is none, naming the
// live owners to wait for.
std::vector<core::CollectionRow> abandoned_collections(const core::RunState& run,
                                                       const Config& config,
                                                       const OperatorOptions& options,
                                                       std::int64_t now_ms) {
  std::vector<core::CollectionRow> abandoned;
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
  return abandoned;
}

struct TakenOver {
  int collections = 0;        // whose effects this command performed
  bool run_finished = false;  // the run's metrics go after the scrape wait
};

// Takes over and performs each collection's effects, one owner per collection, and says
// what became of each on standard output.
TakenOver take_over_and_perform(Wiring& wiring, const std::vector<core::CollectionRow>& abandoned,
                                const OperatorOptions& options) {
  const std::string token = std::string(core::kOperatorOwnerPrefix) + wiring.owner_tokens().next();
  // The marks' time is taken after the work's end is set, so it ends later: no AWS call of
  // this command is still under way when another invocation may take its effects over.
  core::Workflow workflow(wiring.workflow_ports(),
                          std::chrono::steady_clock::now() + kCommandTimeout);
  const std::int64_t until_ms =
      wiring.clock().now_ms() + std::chrono::milliseconds(kCommandTimeout).count();
  TakenOver taken;
  for (std::size_t index = 0; index < abandoned.size(); ++index) {
    const core::CollectionRow& collection = abandoned[index];
    // One owner per collection, as the Lambda has one per message: a mark this command
    // left on the product item for one collection is not taken for another's own write.
    // An owner of no SQS message: no delivery takes it for an earlier one of its own.
    const core::PendingMark mine{until_ms,
                                 core::Owner::of_delivery(core::EventRecord{}, token, index)};
    core::Message message = operator_message(options);
    message.collection_name = collection.collection_name;
    const log::LogContext context(
        {{"correlation_id", message.correlation_id}, {"collection_name", message.collection_name}});
    const core::Outcome done = workflow.take_over_and_perform(message, mine);
    taken.run_finished = taken.run_finished || done.run_finished;
    if (!done.effects_taken_over) {
      std::cout << "Left " << collection.collection_name
                << ": its effects were taken over or finished by another invocation meanwhile"
                << std::endl;
      continue;
    }
    ++taken.collections;
    const std::string words = finished_in_words(collection, done);
    log::info(kModule, words, {{"effects_by", mine.owner.text()}});
    std::cout << words << std::endl;
  }
  return taken;
}

}  // namespace

// Takes over and performs every abandoned effect of the run (or of one collection) through
// the workflow, then pushes what it counted, as the Lambda would.
int run_finish_effects(const ConfigFlags& flags, const OperatorOptions& options) {
  const Config config = load_config(flags);
  // The effects end by the marks' time; the metrics (and a finished run's scrape wait)
  // come after them, and the deletion has a command's time after the wait.
  const aws::Deadline whole = std::chrono::steady_clock::now() + kCommandTimeout +
                              std::chrono::seconds(config.metrics_scrape_interval_seconds) +
                              kCommandTimeout;
  Wiring wiring(config, kMaxIdleConnections);
  const core::RunState run = read_run(wiring, options.correlation_id, whole);
  const std::vector<core::CollectionRow> abandoned =
      abandoned_collections(run, config, options, wiring.clock().now_ms());
  metrics::PushGatewayPublisher& publisher = wiring.publisher();
  const TakenOver taken = take_over_and_perform(wiring, abandoned, options);
  // The effects are done whatever happens to the metrics: a failed push is a warning, as in
  // the Lambda, not a failed command.
  if (publisher.enabled()) {
    core::RunsToPublish runs{{run.correlation_id}, {}};
    if (taken.run_finished) runs.finished.push_back(run.correlation_id);
    core::publish_run_metrics(runs, publisher, wiring.clock(),
                              config.metrics_scrape_interval_seconds,
                              {whole, whole - kCommandTimeout});
  }
  if (taken.collections == 0) {
    throw Refused("every abandoned effect was taken over by another invocation");
  }
  return kExitOk;
}

}  // namespace ssc::runtime::operator_command
