// `resend-export-state`: asks the snapshot sender again for a Received collection's
// _success file.
#include <iostream>

#include "core/payloads.hpp"
#include "log/log.hpp"
#include "runtime/cli.hpp"
#include "runtime/operator_command.hpp"
#include "runtime/status_report.hpp"
#include "runtime/system_clock.hpp"

namespace ssc::runtime::operator_command {

int run_resend_export_state(const ConfigFlags& flags, const OperatorOptions& options) {
  const aws::Deadline deadline = std::chrono::steady_clock::now() + kCommandTimeout;
  const Config config = load_config(flags, {false, true});
  Wiring wiring(config, kMaxIdleConnections);
  const core::RunState run = read_run(wiring, options.correlation_id, deadline);
  const core::CollectionRow& collection = find_collection(run, config, options.collection_name);
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
  wiring.export_state_queue().send(core::export_state_body(message),
                                   core::export_state_group_id(message.collection_name),
                                   deduplication_id, deadline);
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

}  // namespace ssc::runtime::operator_command
