// The operator's commands (SPEC section 10), beside the Lambda's: status, missing-files,
// resend-export-state and finish-effects; their options and when to use them:
// docs/runbook.md. Each refuses (kExitRefused) when the run's state does not call for it,
// says on stdout what it did and logs it on stderr (JSON lines, as the Lambda does).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "runtime/config.hpp"

namespace ssc::runtime {

struct OperatorOptions {
  std::string correlation_id;
  std::string output = "text";          // status, missing-files: text or json
  bool all = false;                     // status: list every collection, successful ones too
  std::optional<std::string> verdict;   // status: list only the collections of this verdict
  std::optional<std::string> manifest;  // missing-files: the names' file (default stdin)
  std::string prefix;                   // missing-files: put before every name
  std::optional<int> timeout_seconds;   // missing-files: instead of the time it takes by size
  std::string collection_name;
  std::string snapshot_type;
  std::string export_date;
  std::string shutdown_flag = "true";
  std::string reprocess_files = "true";
  std::optional<std::string> deduplication_id;

  CLI::App* status = nullptr;
  CLI::App* missing_files = nullptr;
  CLI::App* resend_export_state = nullptr;
  CLI::App* finish_effects = nullptr;
};

// Adds the commands to `cli`, writing into `options` (which must outlive the parse).
void add_operator_commands(CLI::App& cli, OperatorOptions& options);

// Runs the operator command that was parsed, if any: its exit code.
std::optional<int> run_operator_command(const ConfigFlags& flags, const OperatorOptions& options);

}  // namespace ssc::runtime
