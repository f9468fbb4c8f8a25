// The INI dialect of ~/.aws/credentials and ~/.aws/config.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ssc::aws::detail {

using IniSection = std::map<std::string, std::string>;  // keys lower-cased

struct IniFile {
  std::map<std::string, IniSection> sections;  // a repeated section adds to the first
};

// "[section]" lines, "key = value" lines, '#' and ';' comment lines; indented lines under
// a key hold nested settings (as in the config file's "s3 =" blocks) and are skipped.
// Throws ConfigurationError "malformed line N of file <name>"; the line's text is never quoted,
// since it may hold a secret.
IniFile parse_ini(std::string_view text, const std::string& file_name);

// nullopt when the file does not exist; ConfigurationError when it exists but cannot be read.
std::optional<IniFile> read_ini_file(const std::filesystem::path& path);

}  // namespace ssc::aws::detail
