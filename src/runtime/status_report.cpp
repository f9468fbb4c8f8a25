#include "runtime/status_report.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <optional>
#include <sstream>
#include <vector>

namespace ssc::runtime {
namespace {

nlohmann::ordered_json number_or_null(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json text_or_null(const std::string& value) {
  return value.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(value);
}

// The mark itself, for scripts that act on it (e.g. wait until `until_ms`).
nlohmann::ordered_json pending_json(const std::optional<core::PendingMark>& mark,
                                    std::int64_t now_ms, const core::TimeInWords& time_in_words) {
  if (!mark) return nullptr;
  return {{"owner", text_or_null(mark->owner.text())},
          {"until_ms", mark->until_ms},
          {"until", time_in_words(mark->until_ms)},
          {"passed", now_ms > mark->until_ms}};
}

std::string number_cell(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : "-";
}

}  // namespace

std::string local_time_in_words(std::int64_t epoch_ms) {
  const std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm local{};
  if (localtime_r(&seconds, &local) == nullptr) return std::to_string(epoch_ms) + " ms";
  std::array<char, 64> text{};
  const std::size_t length =
      std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M:%S %Z", &local);
  return std::string(text.data(), length);
}

nlohmann::ordered_json status_json(const core::RunState& run, std::int64_t now_ms,
                                   const core::TimeInWords& time_in_words) {
  nlohmann::ordered_json collections = nlohmann::ordered_json::array();
  for (const auto& c : run.collections) {
    collections.push_back(
        {{"collection_name", c.collection_name},
         {"status", text_or_null(c.status)},
         {"files_exported", number_or_null(c.files_exported)},
         {"files_sent", number_or_null(c.files_sent)},
         {"files_received", number_or_null(c.files_received)},
         {"verdict", core::verdict_name(core::collection_verdict(c))},
         {"detail", core::collection_detail(c, now_ms, time_in_words)},
         {"pending_effects", pending_json(c.pending, now_ms, time_in_words)},
         {"next_command",
          text_or_null(next_command(run.correlation_id, c).value_or(std::string()))}});
  }
  return {{"correlation_id", run.correlation_id},
          {"product_status", run.product ? text_or_null(run.product->status) : nullptr},
          {"verdict", core::verdict_name(core::run_verdict(run, now_ms))},
          {"read_at", time_in_words(now_ms)},
          {"product_detail", core::product_detail(run.product, now_ms, time_in_words)},
          {"product_pending_effects",
           pending_json(run.product ? run.product->pending : std::nullopt, now_ms, time_in_words)},
          {"collections", std::move(collections)}};
}

std::string shell_word(const std::string& text) {
  const bool safe = !text.empty() && text.find_first_not_of(
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789_-.,:/@%+=") == std::string::npos;
  if (safe) return text;
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::optional<std::string> next_command(const std::string& correlation_id,
                                        const core::CollectionRow& collection) {
  if (core::collection_verdict(collection) != core::CollectionVerdict::WaitingForFiles) {
    return std::nullopt;
  }
  return "snapshot-sender-status-checker missing-files --correlation-id " +
         shell_word(correlation_id) + " --collection-name " +
         shell_word(collection.collection_name) + " --manifest FILE";
}

namespace {

using TableRow = std::array<std::string, 6>;

// The rows in aligned columns, each collection's row followed by its detail lines.
std::string table_text(const std::vector<TableRow>& rows, const std::vector<std::string>& details) {
  std::array<std::size_t, 6> width{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string text;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (std::size_t i = 0; i < rows[r].size(); ++i) {
      const std::string& cell = rows[r][i];
      const std::string pad(width[i] - cell.size(), ' ');
      // Names and words to the left, numbers to the right.
      const bool numeric = i >= 2 && i <= 4;
      line += (i == 0 ? "" : "  ") + (numeric ? pad + cell : cell + pad);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    text += line + "\n";
    if (r > 0) text += details[r - 1];
  }
  return text;
}

}  // namespace

std::string status_text(const core::RunState& run, std::int64_t now_ms,
                        const core::TimeInWords& time_in_words, const StatusListing& listing) {
  const auto listed = [&listing](core::CollectionVerdict verdict) {
    if (listing.verdict) return verdict == *listing.verdict;
    return listing.all || verdict != core::CollectionVerdict::Successful;
  };
  std::vector<TableRow> rows = {
      {"COLLECTION", "STATUS", "EXPORTED", "SENT", "RECEIVED", "VERDICT"}};
  std::vector<std::string> details;
  std::array<std::size_t, core::kCollectionVerdicts.size()> counts{};
  for (const auto& c : run.collections) {
    const core::CollectionVerdict verdict = core::collection_verdict(c);
    ++counts[static_cast<std::size_t>(
        std::find(core::kCollectionVerdicts.begin(), core::kCollectionVerdicts.end(), verdict) -
        core::kCollectionVerdicts.begin())];
    if (!listed(verdict)) continue;
    rows.push_back({c.collection_name, c.status.empty() ? "-" : c.status,
                    number_cell(c.files_exported), number_cell(c.files_sent),
                    number_cell(c.files_received), std::string(core::verdict_name(verdict))});
    std::string detail = "    " + core::collection_detail(c, now_ms, time_in_words) + "\n";
    if (const auto next = next_command(run.correlation_id, c)) {
      detail += "    next: " + *next + "\n";
    }
    details.push_back(std::move(detail));
  }
  std::ostringstream out;
  out << "Run " << run.correlation_id << ": " << core::verdict_name(core::run_verdict(run, now_ms))
      << "\n"
      << "Product: " << core::product_detail(run.product, now_ms, time_in_words) << "\n"
      << "Read at " << time_in_words(now_ms) << ", " << run.collections.size() << " collections\n";
  std::string separator = "Verdicts: ";
  for (std::size_t v = 0; v < counts.size(); ++v) {
    if (counts[v] == 0) continue;
    out << separator << counts[v] << " " << core::verdict_name(core::kCollectionVerdicts[v]);
    separator = ", ";
  }
  out << "\nListed: " << rows.size() - 1 << " collections, "
      << (listing.verdict ? "those " + std::string(core::verdict_name(*listing.verdict))
          : listing.all   ? std::string("all")
                          : std::string("those not successful (--all lists every one)"))
      << "\n\n";
  if (rows.size() == 1) return out.str();
  out << table_text(rows, details);
  return out.str();
}

}  // namespace ssc::runtime
