#include "aws/ini_file.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "aws/aws_error.hpp"

namespace ssc::aws {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

IniFile parse_ini(std::string_view text, const std::string& file_name) {
  IniFile file;
  IniSection* section = nullptr;
  bool after_key = false;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++line_number;

    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto malformed = [&] {
      return ConfigError("malformed line " + std::to_string(line_number) + " of file " + file_name);
    };

    const bool indented = raw.front() == ' ' || raw.front() == '\t';
    if (indented && after_key) continue;  // nested setting of the key above

    if (line.front() == '[') {
      if (line.back() != ']') throw malformed();
      const std::string_view name = trim(line.substr(1, line.size() - 2));
      if (name.empty()) throw malformed();
      section = &file.sections[std::string(name)];
      after_key = false;
      continue;
    }

    const auto eq = line.find('=');
    if (eq == std::string_view::npos || section == nullptr) throw malformed();
    const std::string_view key = trim(line.substr(0, eq));
    if (key.empty()) throw malformed();
    (*section)[lower(key)] = std::string(trim(line.substr(eq + 1)));
    after_key = true;
  }
  return file;
}

std::optional<IniFile> read_ini_file(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_ini(text.str(), path.string());
}

}  // namespace ssc::aws
