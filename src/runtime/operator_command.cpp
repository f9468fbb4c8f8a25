#include "runtime/operator_command.hpp"

#include <algorithm>

namespace ssc::runtime::operator_command {

core::RunState read_run(Wiring& wiring, const std::string& correlation_id, aws::Deadline deadline) {
  core::RunState run = wiring.run_reader().read(correlation_id, deadline);
  if (run.collections.empty()) {
    throw NotFound("No row of table " + wiring.config().export_status_table +
                   " has correlation id \"" + correlation_id + "\"");
  }
  return run;
}

const core::CollectionRow& find_collection(const core::RunState& run, const Config& config,
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

core::Message operator_message(const OperatorOptions& options) {
  return {.correlation_id = options.correlation_id,
          .collection_name = options.collection_name,
          .snapshot_type = options.snapshot_type,
          .export_date = options.export_date,
          .shutdown_flag = options.shutdown_flag,
          .reprocess_files = options.reprocess_files};
}

}  // namespace ssc::runtime::operator_command
