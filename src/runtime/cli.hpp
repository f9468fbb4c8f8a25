// The command line of snapshot-sender-status-checker:
//   (no command, AWS_LAMBDA_RUNTIME_API set) or `lambda`: serve the Lambda Runtime API;
//   `invoke [--event FILE] [--timeout-seconds N]`: handle one event (stdin without FILE),
//   print the response JSON on stdout, logs on stderr;
//   the operator's commands (cli_operator.hpp): `status`, `missing-files`, ...
// The configuration flags (config.hpp) go before or after the command.
#pragma once

#include "runtime/config.hpp"

namespace ssc::runtime {

// Exit codes of the program.
inline constexpr int kExitOk = 0;      // the invocation completed (failed items included)
inline constexpr int kExitFailed = 1;  // the invocation failed as a whole; or AWS failed
inline constexpr int kExitUsage = 2;   // bad usage or configuration
// Operator commands: no row has the correlation id (or the collection named).
inline constexpr int kExitNotFound = 3;
// A repair command refused: the run's state does not call for it; nothing was done.
inline constexpr int kExitRefused = 4;
// `missing-files`: some of the files named have no receipt (they were never counted).
inline constexpr int kExitFilesMissing = 5;

// Resolves the configuration (config.hpp) for a command that uses `required`, configures
// logging by it and logs it at DEBUG (no credential is among the settings). Throws
// ConfigurationError.
Config load_config(const ConfigFlags& flags, RequiredSettings required = {});

// Parses the command line and runs what it asks for; returns the exit code.
int run_cli(int argc, char** argv);

}  // namespace ssc::runtime
