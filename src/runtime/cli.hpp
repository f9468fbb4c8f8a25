// The command line of snapshot-sender-status-checker:
//   (no command, AWS_LAMBDA_RUNTIME_API set) or `lambda`: serve the Lambda Runtime API;
//   `invoke [--event FILE] [--timeout-seconds N]`: handle one event (stdin without FILE),
//   print the response JSON on stdout, logs on stderr.
// The configuration flags (config.hpp) go before or after the command.
#pragma once

namespace ssc::runtime {

// Exit codes of the program.
inline constexpr int kExitOk = 0;      // the invocation completed (failed items included)
inline constexpr int kExitFailed = 1;  // the invocation failed as a whole
inline constexpr int kExitUsage = 2;   // bad usage or configuration

// Parses the command line and runs what it asks for; returns the exit code.
int run_cli(int argc, char** argv);

}  // namespace ssc::runtime
