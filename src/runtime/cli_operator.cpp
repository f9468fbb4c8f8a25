#include "runtime/cli_operator.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>

#include "adapters/dynamodb_product_table.hpp"
#include "adapters/dynamodb_run_reader.hpp"
#include "adapters/dynamodb_status_table.hpp"
#include "adapters/random_owner_tokens.hpp"
#include "adapters/sns_monitoring.hpp"
#include "adapters/sqs_export_state_queue.hpp"
#include "aws/aws_error.hpp"
#include "aws/deadline.hpp"
#include "core/message.hpp"
#include "core/payloads.hpp"
#include "core/receipt.hpp"
#include "core/rules.hpp"
#include "core/run_status.hpp"
#include "core/workflow.hpp"
#include "log/log.hpp"
#include "metrics/pushgateway_publisher.hpp"
#include "metrics/run_metrics.hpp"
#include "runtime/app.hpp"
#include "runtime/aws_clients.hpp"
#include "runtime/cli.hpp"
#include "runtime/lambda_runtime.hpp"
#include "runtime/status_report.hpp"
#include "runtime/system_clock.hpp"

namespace ssc::runtime {
namespace {

constexpr std::string_view kModule = "operator";

// One request at a time: the commands read and write in sequence.
constexpr std::size_t kIdleHttpHandles = 2;
// Bounds every AWS call of a command and its retries: a shell waits, but not for ever. It
// is also what finish-effects's pending marks hold: nobody takes its effects over before.
constexpr std::chrono::seconds kCommandTimeout{60};

// A command refused: the run's state does not call for it. Nothing was written or sent.
class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The run (or the collection named) has no row.
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs `command` under the commands' time bound and turns what it throws into the exit code
// and one JSON log line on stderr (SPEC section 9).
template <typename Command>
int guarded(Command&& command) {
  try {
    return command();
  } catch (const NotFound& error) {
    log::error(kModule, error.what());
    std::cout << error.what() << std::endl;
    return kExitNotFound;
  } catch (const Refused& error) {
    log::error(kModule, std::string("Refused: ") + error.what());
    std::cout << "Refused: " << error.what() << std::endl;
    return kExitRefused;
  } catch (const ConfigurationError& error) {
    log::error(kModule, error.what(), {{"error_type", error_type_of(error)}});
    return kExitUsage;
  } catch (const aws::ConfigError& error) {
    log::error(kModule, error.what(), {{"error_type", error_type_of(error)}});
    return kExitUsage;
  } catch (const std::exception& error) {
    log::error(kModule, "The command failed",
               {{"error", error.what()}, {"error_type", error_type_of(error)}});
    return kExitFailed;
  }
}

core::RunState read_run(AwsClients& aws, const Config& config, const std::string& correlation_id) {
  adapters::DynamoRunReader reader(aws.dynamodb, config.export_status_table,
                                   config.product_status_table);
  core::RunState run = reader.read(correlation_id);
  if (run.collections.empty()) {
    throw NotFound("No row of table " + config.export_status_table + " has correlation id \"" +
                   correlation_id + "\"");
  }
  return run;
}

const core::CollectionState& find_collection(const core::RunState& run, const Config& config,
                                             const std::string& collection_name) {
  const auto found =
      std::find_if(run.collections.begin(), run.collections.end(),
                   [&](const auto& c) { return c.collection_name == collection_name; });
  if (found == run.collections.end()) {
    throw NotFound("No row of table " + config.export_status_table + " has correlation id \"" +
                   run.correlation_id + "\" and collection \"" + collection_name + "\"");
  }
  return *found;
}

int run_status(const ConfigFlags& flags, const OperatorOptions& options) {
  const aws::DeadlineScope deadline(std::chrono::steady_clock::now() + kCommandTimeout);
  const Config config = load_config(flags, {false, false});
  AwsClients aws(config, kIdleHttpHandles);
  const core::RunState run = read_run(aws, config, options.correlation_id);
  const std::int64_t now_ms = SystemClock{}.now_ms();
  const core::TimeInWords in_words = local_time_in_words;
  if (options.output == "json") {
    std::cout << status_json(run, now_ms, in_words)
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << std::endl;
  } else {
    std::cout << status_text(run, now_ms, in_words) << std::flush;
  }
  log::info(kModule, "Run status read",
            {{"verdict", std::string(core::verdict_name(core::run_verdict(run, now_ms)))},
             {"collections", std::to_string(run.collections.size())}});
  return kExitOk;
}

core::Message operator_message(const OperatorOptions& options) {
  core::Message message;
  message.correlation_id = options.correlation_id;
  message.collection_name = options.collection_name;
  message.snapshot_type = options.snapshot_type;
  message.export_date = options.export_date;
  message.shutdown_flag = options.shutdown_flag;
  message.reprocess_files = options.reprocess_files;
  return message;
}

int run_resend_export_state(const ConfigFlags& flags, const OperatorOptions& options) {
  const aws::DeadlineScope deadline(std::chrono::steady_clock::now() + kCommandTimeout);
  const Config config = load_config(flags, {false, true});
  AwsClients aws(config, kIdleHttpHandles);
  const core::RunState run = read_run(aws, config, options.correlation_id);
  const core::CollectionState& collection = find_collection(run, config, options.collection_name);
  const std::int64_t now_ms = SystemClock{}.now_ms();
  const auto verdict = core::collection_verdict(collection);
  if (verdict != core::CollectionVerdict::WaitingForSuccessFile) {
    std::string why = "collection " + collection.collection_name + " is " +
                      std::string(core::verdict_name(verdict)) + " (" +
                      core::collection_detail(collection, now_ms, local_time_in_words) +
                      "); the _success file is asked for again only for a Received collection "
                      "whose side effects are done";
    if (verdict == core::CollectionVerdict::EffectsUnfinished) {
      why += core::effects_abandoned(collection, now_ms)
                 ? ": use `finish-effects`, which sends the export-state message with the rest"
                 : ": wait until its owner's time has passed, then look again";
    }
    throw Refused(why);
  }
  const core::Message message = operator_message(options);
  const std::string deduplication_id =
      options.deduplication_id.value_or(core::export_state_resend_deduplication_id(
          message.correlation_id, message.collection_name, now_ms));
  adapters::SqsExportStateQueue queue(aws.sqs, config.export_state_sqs_queue_url);
  queue.send(core::export_state_body(message), core::export_state_group_id(message.collection_name),
             deduplication_id);
  log::info(kModule,
            "Export-state message sent again, asking the snapshot sender for the collection's "
            "_success file",
            {{"export_state_sqs_queue_url", config.export_state_sqs_queue_url},
             {"deduplication_id", deduplication_id}});
  std::cout << "Asked the snapshot sender again for the _success file of "
            << message.collection_name << " (run " << message.correlation_id
            << "): export-state message sent to " << config.export_state_sqs_queue_url
            << " with MessageDeduplicationId " << deduplication_id
            << (options.deduplication_id
                    ? " (given)"
                    : " (the same for every resend in this 5-minute interval: a repeat within "
                      "it is not delivered again)")
            << std::endl;
  return kExitOk;
}

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

// Takes over and performs every abandoned effect of the run (or of one collection) through
// the workflow, then pushes what it counted, as the Lambda would.
int run_finish_effects(const ConfigFlags& flags, const OperatorOptions& options) {
  const Config config = load_config(flags);
  SystemClock clock;
  // The AWS work ends by the mark's time; the metrics (and a finished run's scrape wait)
  // come after it.
  const aws::DeadlineScope whole(std::chrono::steady_clock::now() + kCommandTimeout +
                                 std::chrono::seconds(config.metrics_scrape_interval_seconds) +
                                 kCommandTimeout);
  AwsClients aws(config, kIdleHttpHandles);
  const core::RunState run = read_run(aws, config, options.correlation_id);
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

  adapters::DynamoStatusTable status(aws.dynamodb, config.export_status_table);
  adapters::DynamoProductTable product(aws.dynamodb, config.product_status_table);
  adapters::SqsExportStateQueue queue(aws.sqs, config.export_state_sqs_queue_url);
  adapters::SnsMonitoring monitoring(aws.sns, config.monitoring_sns_topic_arn);
  metrics::RunMetrics run_metrics;
  metrics::PushGatewayPublisher publisher(run_metrics, aws.http, pushgateway_settings(config));
  core::Workflow workflow({status, product, queue, monitoring, run_metrics, clock});
  adapters::RandomOwnerTokens tokens;
  // An owner of no SQS message: no delivery can take it for an earlier one of its own.
  const core::PendingMark mine{
      clock.now_ms() + std::chrono::milliseconds(kCommandTimeout).count(),
      core::receipt_owner(core::EventRecord{},
                          std::string(core::kOperatorOwnerPrefix) + tokens.next(), 0)};

  int finished = 0;
  bool run_finished = false;
  {
    const aws::DeadlineScope work(std::chrono::steady_clock::now() + kCommandTimeout);
    for (const auto& collection : abandoned) {
      core::Message message = operator_message(options);
      message.collection_name = collection.collection_name;
      const log::LogContext context({{"correlation_id", message.correlation_id},
                                     {"collection_name", message.collection_name}});
      const core::Outcome done = workflow.finish_abandoned_effects(message, mine);
      run_finished = run_finished || done.run_finished;
      if (!done.effects_recovered) {
        std::cout << "Left " << collection.collection_name
                  << ": its effects were taken over or finished by another invocation meanwhile"
                  << std::endl;
        continue;
      }
      ++finished;
      const std::string words = finished_in_words(collection, done);
      log::info(kModule, words, {{"pending_effects_owner", mine.owner}});
      std::cout << words << std::endl;
    }
  }
  if (publisher.enabled()) {
    publisher.push(run.correlation_id);
    if (run_finished) {
      log::info(
          kModule, "Run finished: waiting for the final scrape before deleting its metrics",
          {{"scrape_interval_seconds", std::to_string(config.metrics_scrape_interval_seconds)}});
      clock.sleep_ms(config.metrics_scrape_interval_seconds * 1000);
      publisher.delete_run(run.correlation_id);
      log::info(kModule, "Metrics of the finished run deleted");
    }
  }
  if (finished == 0) throw Refused("every abandoned effect was taken over by another invocation");
  return kExitOk;
}

void add_run_options(CLI::App& command, OperatorOptions& options) {
  command.add_option("--correlation-id", options.correlation_id, "the run's correlation id")
      ->required()
      ->check(CLI::Validator(
          [](const std::string& value) {
            return value.empty() ? std::string("must not be empty") : std::string();
          },
          "NONEMPTY"));
}

// What the export-state message and the notification carry that the rows do not hold.
void add_message_options(CLI::App& command, OperatorOptions& options) {
  command.add_option("--snapshot-type", options.snapshot_type, "the run's snapshot type")
      ->required();
  command.add_option("--export-date", options.export_date, "the run's export date")->required();
  command.add_option("--shutdown-flag", options.shutdown_flag, "passed through to the sender")
      ->capture_default_str();
  command.add_option("--reprocess-files", options.reprocess_files, "passed through to the sender")
      ->capture_default_str();
}

}  // namespace

void add_operator_commands(CLI::App& cli, OperatorOptions& options) {
  options.status = cli.add_subcommand(
      "status",
      "where a run stands: every collection's counts and verdict, the product status and the "
      "run's verdict (reads only); exit 0 read, 1 AWS failed, 2 bad usage, 3 no such run");
  add_run_options(*options.status, options);
  options.status->add_option("--output", options.output, "text (a table) or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  auto* resend = options.resend_export_state = cli.add_subcommand(
      "resend-export-state",
      "asks the snapshot sender again for a Received collection's _success file (the "
      "export-state message, under a new deduplication id); exit 4 when the collection is not "
      "waiting for it");
  add_run_options(*resend, options);
  resend->add_option("--collection-name", options.collection_name, "the collection")->required();
  add_message_options(*resend, options);
  resend
      ->add_option_function<std::string>(
          "--deduplication-id",
          [&options](const std::string& id) { options.deduplication_id = id; },
          "MessageDeduplicationId to send under (default: one per run, collection and 5-minute "
          "interval)")
      ->type_name("ID");

  auto* finish = options.finish_effects = cli.add_subcommand(
      "finish-effects",
      "performs a run's side effects whose owner is gone (pending mark past its time), as a "
      "redelivery would, without waiting for one; exit 4 when there are none");
  add_run_options(*finish, options);
  finish->add_option("--collection-name", options.collection_name, "only this collection");
  add_message_options(*finish, options);
}

std::optional<int> run_operator_command(const ConfigFlags& flags, const OperatorOptions& options) {
  log::Fields context = {{"correlation_id", options.correlation_id}};
  if (!options.collection_name.empty()) context["collection_name"] = options.collection_name;
  const log::LogContext in_context(std::move(context));
  if (options.status && options.status->parsed()) {
    return guarded([&] { return run_status(flags, options); });
  }
  if (options.resend_export_state && options.resend_export_state->parsed()) {
    return guarded([&] { return run_resend_export_state(flags, options); });
  }
  if (options.finish_effects && options.finish_effects->parsed()) {
    return guarded([&] { return run_finish_effects(flags, options); });
  }
  return std::nullopt;
}

}  // namespace ssc::runtime
