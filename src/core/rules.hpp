// The decisions of SPEC sections 3 and 4, free of I/O: when a collection is received or
// successful, and when a whole run is.
#pragma once

#include <string>
#include <vector>

#include "core/ports.hpp"

namespace ssc::core {

// The CollectionStatus values this system reads or writes, spelt as the other systems write
// them (the rest, e.g. Exporting or Export_Failed, only ever fail these rules).
namespace collection_status {
inline constexpr const char* kExported = "Exported";
inline constexpr const char* kSent = "Sent";
inline constexpr const char* kReceived = "Received";
inline constexpr const char* kSuccess = "Success";
}  // namespace collection_status

// The product status table's row for this system and the statuses it sets.
namespace product_status {
inline constexpr const char* kDataProduct = "SNAPSHOT_SENDER";
inline constexpr const char* kReceived = "RECEIVED";
inline constexpr const char* kCompleted = "COMPLETED";
}  // namespace product_status

// Statuses from which a collection may become Received: Exported, Sent.
const std::vector<std::string>& statuses_before_received();
// Statuses from which a collection may become Success: Received, Sent (Sent when the
// received step was overtaken by the _success file).
const std::vector<std::string>& statuses_before_success();

// Received: status Exported or Sent, FilesExported known and FilesReceived >= FilesExported.
// FilesSent is not consulted: it can lag behind, and no file is received unsent.
bool collection_received(const CollectionRow& row);

// Successful: status Received or Sent.
bool collection_successful(const std::string& status);

// Every row of the run is Received or Success, and there is at least one row.
bool run_all_received(const std::vector<std::string>& statuses);

// Every row of the run is Success, and there is at least one row.
bool run_all_successful(const std::vector<std::string>& statuses);

}  // namespace ssc::core
