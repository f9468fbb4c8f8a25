#include "core/rules.hpp"

#include <algorithm>

namespace ssc::core {
namespace {

bool contains(const std::vector<std::string>& statuses, const std::string& status) {
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

bool every_status_in(const std::vector<std::string>& statuses,
                     const std::vector<std::string>& allowed) {
  return !statuses.empty() &&
         std::all_of(statuses.begin(), statuses.end(),
                     [&](const std::string& s) { return contains(allowed, s); });
}

}  // namespace

const std::vector<std::string>& statuses_before_received() {
  static const std::vector<std::string> statuses = {collection_status::kExported,
                                                    collection_status::kSent};
  return statuses;
}

const std::vector<std::string>& statuses_before_success() {
  static const std::vector<std::string> statuses = {collection_status::kReceived,
                                                    collection_status::kSent};
  return statuses;
}

bool collection_received(const CollectionRow& row) {
  return contains(statuses_before_received(), row.status) && row.files_exported.has_value() &&
         row.files_received_or_zero() >= *row.files_exported;
}

bool collection_successful(const std::string& status) {
  return contains(statuses_before_success(), status);
}

bool run_all_received(const std::vector<std::string>& statuses) {
  static const std::vector<std::string> allowed = {collection_status::kReceived,
                                                   collection_status::kSuccess};
  return every_status_in(statuses, allowed);
}

bool run_all_successful(const std::vector<std::string>& statuses) {
  static const std::vector<std::string> allowed = {collection_status::kSuccess};
  return every_status_in(statuses, allowed);
}

}  // namespace ssc::core
