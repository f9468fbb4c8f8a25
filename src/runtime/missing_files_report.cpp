#include "runtime/missing_files_report.hpp"

#include <sstream>

namespace ssc::runtime {
namespace {

nlohmann::ordered_json number_or_null(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

std::string number_in_words(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : "no";
}

}  // namespace

std::vector<std::string> missing_files_cannot_know(const MissingFilesReport& report) {
  return {"a receipt expires FILE_RECEIPTS_EXPIRY_DAYS (" +
              std::to_string(report.receipts_expiry_days) +
              ") days after its file was counted: a file counted longer ago is listed as missing",
          "a file whose message had no file_name was counted without a receipt: it is listed as "
          "missing although FilesReceived counts it"};
}

std::optional<std::string> missing_files_warning(const MissingFilesReport& report) {
  if (report.names == 0 || report.missing.size() < report.names) return std::nullopt;
  return "no name has a receipt: the names may not take the form of the messages' file_name "
         "(is a --prefix missing or wrong? it was \"" +
         report.prefix + "\")";
}

std::string missing_files_text(const MissingFilesReport& report) {
  std::ostringstream out;
  out << "Collection " << report.collection_name << " of run " << report.correlation_id << ": ";
  if (report.missing.empty()) {
    out << "every one of the " << report.names << " files has its receipt\n";
  } else {
    out << report.missing.size() << " of " << report.names << " files have no receipt\n";
  }
  out << "Row: " << (report.collection_status.empty() ? "-" : report.collection_status) << ", "
      << number_in_words(report.files_exported) << " exported, "
      << number_in_words(report.files_received) << " received\n"
      << "Names: " << report.names << " read, " << report.skipped_lines
      << " lines skipped (blank, PRE or repeated)";
  if (!report.prefix.empty()) out << ", each after the prefix \"" << report.prefix << "\"";
  out << "; " << report.requests << " BatchGetItem requests\n";
  if (const auto warning = missing_files_warning(report)) out << "WARNING: " << *warning << "\n";
  if (!report.missing.empty()) {
    out << "\nMissing (" << report.missing.size() << "):\n";
    for (const auto& name : report.missing) out << "  " << name << "\n";
  }
  out << "\nWhat this cannot know:\n";
  for (const auto& sentence : missing_files_cannot_know(report)) out << "  - " << sentence << "\n";
  return out.str();
}

nlohmann::ordered_json missing_files_json(const MissingFilesReport& report) {
  const auto warning = missing_files_warning(report);
  return {{"correlation_id", report.correlation_id},
          {"collection_name", report.collection_name},
          {"prefix", report.prefix},
          {"collection_status", report.collection_status.empty()
                                    ? nlohmann::ordered_json(nullptr)
                                    : nlohmann::ordered_json(report.collection_status)},
          {"files_exported", number_or_null(report.files_exported)},
          {"files_received", number_or_null(report.files_received)},
          {"names", report.names},
          {"skipped_lines", report.skipped_lines},
          {"with_receipt", report.names - report.missing.size()},
          {"missing_count", report.missing.size()},
          {"missing", report.missing},
          {"requests", report.requests},
          {"warning", warning ? nlohmann::ordered_json(*warning) : nlohmann::ordered_json(nullptr)},
          {"cannot_know", missing_files_cannot_know(report)}};
}

}  // namespace ssc::runtime
