#include "runtime/cli_operator.hpp"

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/aws_error.hpp"
#include "log/log.hpp"
#include "runtime/cli.hpp"
#include "runtime/lambda_runtime.hpp"
#include "runtime/operator_command.hpp"

namespace ssc::runtime {
namespace {

using operator_command::kModule;
using operator_command::NotFound;
using operator_command::Refused;

// How a missing run or a refusal is told on stdout: a sentence, or, for `--output json`, one
// JSON object {"error": sentence}, so that a script reading the answer always gets JSON.
enum class Answer { Text, Json };

void print_answer(Answer answer, const std::string& sentence) {
  if (answer == Answer::Json) {
    std::cout << nlohmann::json{{"error", sentence}}.dump(-1, ' ', false,
                                                          nlohmann::json::error_handler_t::replace)
              << std::endl;
  } else {
    std::cout << sentence << std::endl;
  }
}

// Runs `command` under the commands' time bound and turns what it throws into the exit code
// and one JSON log line on stderr (SPEC section 9).
template <typename Command>
int guarded(Command&& command, Answer answer = Answer::Text) {
  try {
    return command();
  } catch (const NotFound& error) {
    log::error(kModule, error.what());
    print_answer(answer, error.what());
    return kExitNotFound;
  } catch (const Refused& error) {
    log::error(kModule, std::string("Refused: ") + error.what());
    print_answer(answer, std::string("Refused: ") + error.what());
    return kExitRefused;
  } catch (const ConfigurationError& error) {
    log::error(kModule, error.what(), {{"error_type", error_type_of(error)}});
    return kExitUsage;
  } catch (const std::exception& error) {
    log::error(kModule, "The command failed",
               {{"error", error.what()}, {"error_type", error_type_of(error)}});
    return kExitFailed;
  }
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

void add_output_option(CLI::App& command, OperatorOptions& options, const std::string& help) {
  command.add_option("--output", options.output, help)
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
}

std::vector<std::string> collection_verdict_names() {
  std::vector<std::string> names;
  for (const auto verdict : core::kCollectionVerdicts) {
    names.emplace_back(core::verdict_name(verdict));
  }
  return names;
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

void add_status_command(CLI::App& cli, OperatorOptions& options) {
  options.status = cli.add_subcommand(
      "status",
      "where a run stands: the counts by verdict, the collections not successful (or those "
      "--all or --verdict asks for) with their counts and verdicts, the product status and the "
      "run's verdict (reads only); exit 0 read, 1 AWS failed, 2 bad usage, 3 no such run");
  add_run_options(*options.status, options);
  add_output_option(*options.status, options, "text (a table) or json (every collection)");
  auto* all = options.status->add_flag(
      "--all", options.all, "list every collection (by default the successful ones are not)");
  options.status
      ->add_option_function<std::string>(
          "--verdict", [&options](const std::string& verdict) { options.verdict = verdict; },
          "list only the collections of this verdict")
      ->check(CLI::IsMember(collection_verdict_names()))
      ->excludes(all);
}

void add_missing_files_command(CLI::App& cli, OperatorOptions& options) {
  auto* missing = options.missing_files = cli.add_subcommand(
      "missing-files",
      "which files of a manifest (file names one per line, or `aws s3 ls` output) have no "
      "receipt, i.e. were never counted (reads only); exit 0 none missing, 5 some missing, 1 "
      "AWS failed or receipts unread at the deadline, 2 bad usage, 3 no such collection");
  add_run_options(*missing, options);
  missing->add_option("--collection-name", options.collection_name, "the collection")->required();
  missing
      ->add_option_function<std::string>(
          "--manifest", [&options](const std::string& file) { options.manifest = file; },
          "file holding the names (default: standard input)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  missing->add_option("--prefix", options.prefix,
                      "put before each name, so that the names take the form of the messages' "
                      "file_name");
  add_output_option(*missing, options, "text or json");
  missing
      ->add_option_function<int>(
          "--timeout-seconds", [&options](int seconds) { options.timeout_seconds = seconds; },
          "the command's time, which bounds every request and retry (default: 60 s and 1 s "
          "more for each 1,000 names)")
      ->check(CLI::Range(1, 86400));
}

void add_resend_export_state_command(CLI::App& cli, OperatorOptions& options) {
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
}

void add_finish_effects_command(CLI::App& cli, OperatorOptions& options) {
  auto* finish = options.finish_effects = cli.add_subcommand(
      "finish-effects",
      "takes over a run's side effects whose owner is gone (its mark past its time) and "
      "performs them, as a redelivery would, without waiting for one; exit 4 when there are "
      "none");
  add_run_options(*finish, options);
  finish->add_option("--collection-name", options.collection_name, "only this collection");
  add_message_options(*finish, options);
}

}  // namespace

void add_operator_commands(CLI::App& cli, OperatorOptions& options) {
  add_status_command(cli, options);
  add_missing_files_command(cli, options);
  add_resend_export_state_command(cli, options);
  add_finish_effects_command(cli, options);
}

std::optional<int> run_operator_command(const ConfigFlags& flags, const OperatorOptions& options) {
  log::Fields context = {{"correlation_id", options.correlation_id}};
  if (!options.collection_name.empty()) context["collection_name"] = options.collection_name;
  const log::LogContext in_context(std::move(context));
  if (options.status && options.status->parsed()) {
    return guarded([&] { return operator_command::run_status(flags, options); },
                   options.output == "json" ? Answer::Json : Answer::Text);
  }
  if (options.missing_files && options.missing_files->parsed()) {
    return guarded([&] { return operator_command::run_missing_files(flags, options); },
                   options.output == "json" ? Answer::Json : Answer::Text);
  }
  if (options.resend_export_state && options.resend_export_state->parsed()) {
    return guarded([&] { return operator_command::run_resend_export_state(flags, options); });
  }
  if (options.finish_effects && options.finish_effects->parsed()) {
    return guarded([&] { return operator_command::run_finish_effects(flags, options); });
  }
  return std::nullopt;
}

}  // namespace ssc::runtime
