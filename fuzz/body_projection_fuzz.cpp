// A body's projection (core::project_body) against nlohmann: whenever the projection takes
// a text, nlohmann reads it as an object whose message fields are the same, and the message,
// a rejected message's run labels and the log context read from either are the same.
// dictionary: dict/json.dict
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/event.hpp"
#include "core/message.hpp"

namespace {

using ssc::core::InvalidMessage;
using ssc::core::Message;

bool same_message(const nlohmann::json& mine, const nlohmann::json& theirs) {
  try {
    const Message theirs_message = ssc::core::parse_message(theirs);
    const Message mine_message = ssc::core::parse_message(mine);
    return mine_message.correlation_id == theirs_message.correlation_id &&
           mine_message.collection_name == theirs_message.collection_name &&
           mine_message.snapshot_type == theirs_message.snapshot_type &&
           mine_message.export_date == theirs_message.export_date &&
           mine_message.is_success_file == theirs_message.is_success_file &&
           mine_message.shutdown_flag == theirs_message.shutdown_flag &&
           mine_message.reprocess_files == theirs_message.reprocess_files &&
           mine_message.file_name == theirs_message.file_name;
  } catch (const InvalidMessage& theirs_error) {
    try {
      (void)ssc::core::parse_message(mine);
    } catch (const InvalidMessage& mine_error) {
      return mine_error.problems() == theirs_error.problems();
    }
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto projected = ssc::core::project_body(text);
  if (!projected) return 0;
  const auto body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) __builtin_trap();  // discarded (not JSON) or another value
  nlohmann::json fields = nlohmann::json::object();
  for (const std::string_view name : ssc::core::kMessageFields) {
    const auto found = body.find(std::string(name));
    if (found != body.end()) fields[std::string(name)] = *found;
  }
  if (*projected != fields) __builtin_trap();
  const auto mine_labels = ssc::core::rejected_run_labels(*projected);
  const auto theirs_labels = ssc::core::rejected_run_labels(body);
  if (mine_labels.correlation_id != theirs_labels.correlation_id ||
      mine_labels.export_date != theirs_labels.export_date ||
      mine_labels.snapshot_type != theirs_labels.snapshot_type ||
      ssc::core::message_log_context(*projected) != ssc::core::message_log_context(body) ||
      !same_message(*projected, body)) {
    __builtin_trap();
  }
  return 0;
}
