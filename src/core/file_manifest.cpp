#include "core/file_manifest.hpp"

#include <unordered_set>

namespace ssc::core {
namespace {

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "YYYY-MM-DD HH:MM:SS", the date and time `aws s3 ls` opens a file's line with.
bool is_listing_time(std::string_view text) {
  constexpr std::string_view kShape = "dddd-dd-dd dd:dd:dd";
  if (text.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) return false;
  }
  return true;
}

constexpr std::string_view kBlanks = " \t";

}  // namespace

std::optional<std::string_view> manifest_file_name(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::size_t first = line.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return std::nullopt;
  if (line.substr(first).starts_with("PRE ")) return std::nullopt;
  constexpr std::size_t kTimeLength = 19;
  if (line.size() > kTimeLength && is_listing_time(line.substr(0, kTimeLength))) {
    // The size is right-aligned after the time; one space separates it from the name.
    const std::size_t size_start = line.find_first_not_of(' ', kTimeLength);
    const std::size_t size_end =
        size_start == std::string_view::npos ? size_start : line.find(' ', size_start);
    if (size_end != std::string_view::npos && size_end + 1 < line.size() &&
        all_digits(line.substr(size_start, size_end - size_start))) {
      return line.substr(size_end + 1);
    }
  }
  return line;
}

FileManifest read_file_manifest(std::istream& in, std::string_view prefix) {
  FileManifest manifest;
  std::unordered_set<std::string> seen;
  std::string line;
  while (std::getline(in, line)) {
    const auto name = manifest_file_name(line);
    if (!name) {
      ++manifest.skipped_lines;
      continue;
    }
    std::string full = std::string(prefix) + std::string(*name);
    if (!seen.insert(full).second) {
      ++manifest.skipped_lines;
      continue;
    }
    manifest.names.push_back(std::move(full));
  }
  return manifest;
}

}  // namespace ssc::core
