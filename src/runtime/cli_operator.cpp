#include "runtime/cli_operator.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>

#include "adapters/dynamodb_run_reader.hpp"
#include "adapters/sqs_export_state_queue.hpp"
#include "aws/aws_error.hpp"
#include "aws/deadline.hpp"
#include "core/message.hpp"
#include "core/payloads.hpp"
#include "core/rules.hpp"
#include "core/run_status.hpp"
#include "log/log.hpp"
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
// Bounds every AWS call of a command and its retries: a shell waits, but not for ever.
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
  const aws::DeadlineScope deadline(std::chrono::steady_clock::now() + kCommandTimeout);
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

void add_run_options(CLI::App& command, OperatorOptions& options) {
  command.add_option("--correlation-id", options.correlation_id, "the run's correlation id")
      ->required()
      ->check(CLI::Validator(
          [](const std::string& value) {
            return value.empty() ? std::string("must not be empty") : std::string();
          },
          "NONEMPTY"));
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
  resend->add_option("--snapshot-type", options.snapshot_type, "the run's snapshot type")
      ->required();
  resend->add_option("--export-date", options.export_date, "the run's export date")->required();
  resend->add_option("--shutdown-flag", options.shutdown_flag, "passed through to the sender")
      ->capture_default_str();
  resend->add_option("--reprocess-files", options.reprocess_files, "passed through to the sender")
      ->capture_default_str();
  resend
      ->add_option_function<std::string>(
          "--deduplication-id",
          [&options](const std::string& id) { options.deduplication_id = id; },
          "MessageDeduplicationId to send under (default: one per run, collection and 5-minute "
          "interval)")
      ->type_name("ID");
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
  return std::nullopt;
}

}  // namespace ssc::runtime
