#include "aws/detail/ini_file.hpp"

#include <fstream>
#include <sstream>

#include "aws/aws_error.hpp"
#include "aws/detail/text.hpp"

namespace ssc::aws::detail {

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

    const std::string_view line = trim_space(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto malformed = [&] {
      return ConfigurationError("malformed line " + std::to_string(line_number) + " of file " +
                                file_name);
    };

    const bool indented = raw.front() == ' ' || raw.front() == '\t';
    if (indented && after_key) continue;  // nested setting of the key above

    if (line.front() == '[') {
      if (line.back() != ']') throw malformed();
      const std::string_view name = trim_space(line.substr(1, line.size() - 2));
      if (name.empty()) throw malformed();
      section = &file.sections[std::string(name)];
      after_key = false;
      continue;
    }

    const auto eq = line.find('=');
    if (eq == std::string_view::npos || section == nullptr) throw malformed();
    const std::string_view key = trim_space(line.substr(0, eq));
    if (key.empty()) throw malformed();
    (*section)[ascii_lower(key)] = std::string(trim_space(line.substr(eq + 1)));
    after_key = true;
  }
  return file;
}

std::optional<IniFile> read_ini_file(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigurationError("cannot read file " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return parse_ini(text.str(), path.string());
}

}  // namespace ssc::aws::detail
