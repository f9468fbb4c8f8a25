// UTC time stamps in the forms AWS uses.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ssc::aws::detail {

// 20150830T123600Z (X-Amz-Date).
std::string format_amz_date(std::chrono::system_clock::time_point when);
// 20150830 (the credential scope's date).
std::string format_amz_day(std::chrono::system_clock::time_point when);

// 2015-08-30T12:36:00Z, to the second.
std::string format_iso8601_utc(std::chrono::system_clock::time_point when);

// ISO 8601 in UTC as AWS writes it: 2015-08-30T12:36:00Z, optionally with fractional
// seconds, or with a +00:00 offset. nullopt when it is none of these.
std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc(std::string_view text);

}  // namespace ssc::aws::detail
