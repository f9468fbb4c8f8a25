// `missing-files` (SPEC section 10): which files of the operator's manifest were never
// counted, from the receipts table; reads only.
#include <fstream>
#include <iostream>

#include "adapters/dynamodb_receipt_reader.hpp"
#include "core/file_manifest.hpp"
#include "core/payloads.hpp"
#include "log/log.hpp"
#include "runtime/cli.hpp"
#include "runtime/missing_files_report.hpp"
#include "runtime/operator_command.hpp"

namespace ssc::runtime::operator_command {
namespace {

// BatchGetItem requests in flight at once: enough to hide each request's latency, few
// enough not to spend a table's read capacity at a burst.
constexpr std::size_t kRequestsInFlight = 8;
// The command's time grows with the manifest: kCommandTimeout, and this much per name
// (100,000 names: 160 s).
constexpr std::chrono::milliseconds kTimePerName{1};

core::FileManifest read_manifest(const OperatorOptions& options) {
  if (!options.manifest) return core::read_file_manifest(std::cin, options.prefix);
  std::ifstream in(*options.manifest, std::ios::binary);
  if (!in) throw ConfigurationError("cannot read the manifest file " + *options.manifest);
  return core::read_file_manifest(in, options.prefix);
}

std::vector<std::string> receipt_keys(const OperatorOptions& options,
                                      const std::vector<std::string>& names) {
  core::Message message;
  message.correlation_id = options.correlation_id;
  message.collection_name = options.collection_name;
  std::vector<std::string> keys;
  keys.reserve(names.size());
  for (const auto& name : names) {
    message.file_name = name;
    keys.push_back(core::file_receipt_key(message));
  }
  return keys;
}

// The command's time: as given, or kCommandTimeout and kTimePerName for each name.
aws::Deadline command_deadline(const OperatorOptions& options, std::size_t names) {
  return std::chrono::steady_clock::now() +
         (options.timeout_seconds
              ? std::chrono::milliseconds(std::chrono::seconds(*options.timeout_seconds))
              : kCommandTimeout + kTimePerName * static_cast<std::int64_t>(names));
}

// The verdict left open: keys DynamoDB still had not processed when the time ran out.
int report_unread(const OperatorOptions& options, const adapters::ReceiptLookup& lookup,
                  std::size_t names, const log::Fields& fields) {
  const std::string sentence =
      std::to_string(lookup.unread) + " of " + std::to_string(names) +
      " receipts were still unread (DynamoDB left them unprocessed) when the command's time "
      "ran out: no verdict";
  log::error(kModule, sentence, fields);
  if (options.output == "json") {
    std::cout << nlohmann::json{{"error", sentence}}.dump() << std::endl;
  } else {
    std::cout << sentence << std::endl;
  }
  return kExitFailed;
}

MissingFilesReport missing_files(const OperatorOptions& options, const Config& config,
                                 const core::CollectionRow& collection,
                                 const core::FileManifest& manifest,
                                 const adapters::ReceiptLookup& lookup) {
  MissingFilesReport report{
      options.correlation_id, options.collection_name,         options.prefix,
      collection.status,      collection.files_exported,       collection.files_received,
      manifest.names.size(),  manifest.skipped_lines,          {},
      lookup.requests,        config.file_receipts_expiry_days};
  for (std::size_t i = 0; i < manifest.names.size(); ++i) {
    if (lookup.states[i] == adapters::ReceiptState::Missing) {
      report.missing.push_back(manifest.names[i]);
    }
  }
  return report;
}

}  // namespace

int run_missing_files(const ConfigFlags& flags, const OperatorOptions& options) {
  const core::FileManifest manifest = read_manifest(options);
  if (manifest.names.empty()) {
    throw ConfigurationError("the manifest holds no file name (" +
                             std::to_string(manifest.skipped_lines) +
                             " lines, all blank, PRE or repeated)");
  }
  const aws::Deadline deadline = command_deadline(options, manifest.names.size());
  const Config config = load_config(flags, {false, false});
  // One connection kept per request in flight.
  Wiring wiring(config, kRequestsInFlight);
  // The row first: a collection the run does not have is told apart from missing files.
  const core::RunState run = read_run(wiring, options.correlation_id, deadline);
  const core::CollectionRow& collection = find_collection(run, config, options.collection_name);

  const adapters::ReceiptLookup lookup =
      wiring.receipt_reader().look_up(receipt_keys(options, manifest.names), deadline);
  log::Fields fields = {{"names", std::to_string(manifest.names.size())},
                        {"requests", std::to_string(lookup.requests)}};
  if (lookup.unread > 0) return report_unread(options, lookup, manifest.names.size(), fields);

  const MissingFilesReport report = missing_files(options, config, collection, manifest, lookup);
  if (options.output == "json") {
    std::cout << missing_files_json(report).dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace)
              << std::endl;
  } else {
    std::cout << missing_files_text(report) << std::flush;
  }
  fields["missing"] = std::to_string(report.missing.size());
  log::info(kModule, "Missing files read", fields);
  return report.missing.empty() ? kExitOk : kExitFilesMissing;
}

}  // namespace ssc::runtime::operator_command
