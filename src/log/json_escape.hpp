// The inside of a JSON string, written straight into a buffer: what the log line needs to
// stay valid JSON whatever bytes a message, a file name or a service's error holds.
#pragma once

#include <string>
#include <string_view>

namespace ssc::log {

// Appends `text` without the surrounding quotes: the quote, the backslash and the control
// characters escaped, well-formed UTF-8 kept as it is, and each byte that does not start a
// well-formed UTF-8 sequence replaced by U+FFFD.
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace ssc::log
