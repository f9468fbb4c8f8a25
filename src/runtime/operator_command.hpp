// What the operator's commands (cli_operator.hpp) share: their errors, time bound and the
// run read they start from. Internal to src/runtime.
#pragma once

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aws/deadline.hpp"
#include "core/message.hpp"
#include "core/run_status.hpp"
#include "runtime/cli_operator.hpp"
#include "runtime/config.hpp"
#include "runtime/wiring.hpp"

namespace ssc::runtime::operator_command {

inline constexpr std::string_view kModule = "operator";

// One request at a time: the commands read and write in sequence.
inline constexpr std::size_t kMaxIdleConnections = 2;
// Bounds every AWS call of a command and its retries: a shell waits, but not for ever. It
// is also what finish-effects's pending marks hold: nobody takes its effects over before.
inline constexpr std::chrono::seconds kCommandTimeout{60};

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

// Every row of the run and its product item, read by `deadline`. Throws NotFound when no
// row has the id.
core::RunState read_run(Wiring& wiring, const std::string& correlation_id, aws::Deadline deadline);

// The collection's state in `run`. Throws NotFound.
const core::CollectionRow& find_collection(const core::RunState& run, const Config& config,
                                           const std::string& collection_name);

// The message the effects are performed for: the run and collection named, with what the
// rows do not hold (snapshot type, export date, the flags) from the command line.
core::Message operator_message(const OperatorOptions& options);

// The commands; each returns its exit code or throws (cli_operator.cpp turns what it
// throws into one).
int run_status(const ConfigFlags& flags, const OperatorOptions& options);
int run_missing_files(const ConfigFlags& flags, const OperatorOptions& options);
int run_resend_export_state(const ConfigFlags& flags, const OperatorOptions& options);
int run_finish_effects(const ConfigFlags& flags, const OperatorOptions& options);

}  // namespace ssc::runtime::operator_command
