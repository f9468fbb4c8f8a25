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
    collections.push_back({{"collection_name", c.collection_name},
                           {"status", text_or_null(c.status)},
                           {"files_exported", number_or_null(c.files_exported)},
                           {"files_sent", number_or_null(c.files_sent)},
                           {"files_received", number_or_null(c.files_received)},
                           {"verdict", core::verdict_name(core::collection_verdict(c))},
                           {"detail", core::collection_detail(c, now_ms, time_in_words)},
                           {"pending_effects", pending_json(c.pending, now_ms, time_in_words)}});
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

std::string status_text(const core::RunState& run, std::int64_t now_ms,
                        const core::TimeInWords& time_in_words) {
  using Row = std::array<std::string, 6>;
  std::vector<Row> rows = {{"COLLECTION", "STATUS", "EXPORTED", "SENT", "RECEIVED", "VERDICT"}};
  std::vector<std::string> details;
  for (const auto& c : run.collections) {
    rows.push_back({c.collection_name, c.status.empty() ? "-" : c.status,
                    number_cell(c.files_exported), number_cell(c.files_sent),
                    number_cell(c.files_received),
                    std::string(core::verdict_name(core::collection_verdict(c)))});
    details.push_back(core::collection_detail(c, now_ms, time_in_words));
  }
  std::array<std::size_t, 6> width{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::ostringstream out;
  out << "Run " << run.correlation_id << ": " << core::verdict_name(core::run_verdict(run, now_ms))
      << "\n"
      << "Product: " << core::product_detail(run.product, now_ms, time_in_words) << "\n"
      << "Read at " << time_in_words(now_ms) << ", " << run.collections.size()
      << " collections\n\n";
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
    out << line << "\n";
    if (r > 0) out << "    " << details[r - 1] << "\n";
  }
  return out.str();
}

}  // namespace ssc::runtime
