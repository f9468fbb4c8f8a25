// `status` (SPEC section 10): reads the run and prints where it stands.
#include <iostream>

#include "log/log.hpp"
#include "runtime/cli.hpp"
#include "runtime/operator_command.hpp"
#include "runtime/status_report.hpp"
#include "runtime/system_clock.hpp"

namespace ssc::runtime::operator_command {

int run_status(const ConfigFlags& flags, const OperatorOptions& options) {
  const aws::Deadline deadline = std::chrono::steady_clock::now() + kCommandTimeout;
  const Config config = load_config(flags, {false, false});
  Wiring wiring(config, kMaxIdleConnections);
  const core::RunState run = read_run(wiring, options.correlation_id, deadline);
  const std::int64_t now_ms = SystemClock{}.now_ms();
  const core::TimeInWords in_words = local_time_in_words;
  if (options.output == "json") {
    std::cout << status_json(run, now_ms, in_words)
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << std::endl;
  } else {
    StatusListing listing{options.all, std::nullopt};
    if (options.verdict) listing.verdict = core::collection_verdict_named(*options.verdict);
    std::cout << status_text(run, now_ms, in_words, listing) << std::flush;
  }
  log::info(kModule, "Run status read",
            {{"verdict", std::string(core::verdict_name(core::run_verdict(run, now_ms)))},
             {"collections", std::to_string(run.collections.size())}});
  return kExitOk;
}

}  // namespace ssc::runtime::operator_command
