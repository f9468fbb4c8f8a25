// The names of the files a collection was exported as, as the operator hands them to
// `missing-files` (SPEC section 10): one per line, plain or as lines of `aws s3 ls`.
// Free of I/O: the caller reads the lines.
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssc::core {

// The file name a line holds; nullopt for a line that names no file: blank, or a `PRE`
// line of `aws s3 ls` (a common prefix, not a file). In a line of `aws s3 ls` ("2026-12-01
// 10:15:03      12345 name"), the name is everything after the size column, spaces and
// all; any other line is a name as it stands. A trailing carriage return is not part of it.
std::optional<std::string_view> manifest_file_name(std::string_view line);

struct FileManifest {
  std::vector<std::string> names;  // in the order first read, each once, prefix included
  std::size_t skipped_lines = 0;   // blank, PRE or a name already read
};

// Every name of `in`, each with `prefix` put before it, so that the names take the form of
// the messages' file_name.
FileManifest read_file_manifest(std::istream& in, std::string_view prefix);

}  // namespace ssc::core
