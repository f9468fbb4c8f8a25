// One message of the pipeline (SPEC section 1): its fields, their defaults and the rules
// that reject it.
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/failures.hpp"
#include "core/ports.hpp"
#include "log/log.hpp"

namespace ssc::core {

// The file name of a message that does not say which file it is about.
inline constexpr const char* kFileNameNotSet = "NOT_SET";

struct Message {
  std::string correlation_id;
  std::string collection_name;
  std::string snapshot_type;
  std::string export_date;
  bool is_success_file = false;
  // Passed through to the export-state message unchanged, whatever JSON they hold.
  nlohmann::json shutdown_flag = "true";
  nlohmann::json reprocess_files = "true";
  std::string file_name = kFileNameNotSet;

  [[nodiscard]] CollectionKey key() const { return {correlation_id, collection_name}; }
  [[nodiscard]] RunLabels run_labels() const {
    return {correlation_id, export_date, snapshot_type};
  }
};

// Every field of a body that parse_message, rejected_run_labels and message_log_context
// read: a body holding only these reads the same as the whole body, which is what lets
// project_body (core/event.hpp) keep no others.
inline constexpr std::array<std::string_view, 9> kMessageFields = {
    "correlation_id", "collection_name", "snapshot_type", "export_date", "is_success_file",
    "shutdown_flag",  "reprocess_files", "file_name",     "filename"};

// Validates a decoded message body and applies the defaults. Throws InvalidMessage naming
// every required field that is missing, null, empty or not a string.
Message parse_message(const nlohmann::json& body);

// is_success_file: JSON true, or the string "true" in any case. Anything else is false.
bool is_success_file_value(const nlohmann::json& value);

// The label a rejected message's run gets for a field its body does not give as a non-empty
// string: its metrics are grouped under correlation_id NOT_SET.
inline constexpr const char* kLabelNotSet = "NOT_SET";

// The run labels of a rejected message: correlation_id, export_date and snapshot_type as
// far as the body gives them as non-empty strings, kLabelNotSet for the others.
RunLabels rejected_run_labels(const nlohmann::json& body);

// The log context fields (correlation_id, collection_name, file_name) a body names as
// strings, so that even a rejected message's log line says what it was about.
log::Fields message_log_context(const nlohmann::json& body);

}  // namespace ssc::core
