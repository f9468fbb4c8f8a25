// The `missing-files` command's two outputs (SPEC section 10): which names of the
// operator's manifest have no file receipt, as text a person reads or one JSON object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ssc::runtime {

struct MissingFilesReport {
  std::string correlation_id;
  std::string collection_name;
  std::string prefix;                          // --prefix, put before every name
  std::string collection_status;               // the row's CollectionStatus; empty if absent
  std::optional<std::int64_t> files_exported;  // the row's counts
  std::optional<std::int64_t> files_received;
  std::size_t names = 0;          // distinct names read
  std::size_t skipped_lines = 0;  // blank, PRE or repeated lines
  std::vector<std::string> missing;
  std::size_t requests = 0;  // BatchGetItem requests made
  std::int64_t receipts_expiry_days = 30;
};

// What the receipts cannot tell, in words: each sentence once, for both outputs.
std::vector<std::string> missing_files_cannot_know(const MissingFilesReport& report);

// When no name has a receipt: the names may not take the form of the messages' file_name.
std::optional<std::string> missing_files_warning(const MissingFilesReport& report);

std::string missing_files_text(const MissingFilesReport& report);
nlohmann::ordered_json missing_files_json(const MissingFilesReport& report);

}  // namespace ssc::runtime
