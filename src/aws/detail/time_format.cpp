#include "aws/detail/time_format.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace ssc::aws::detail {
namespace {

std::tm utc_fields(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm fields{};
  gmtime_r(&seconds, &fields);
  return fields;
}

// Reads exactly `width` digits at `pos`.
std::optional<int> read_digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::string format_amz_date(std::chrono::system_clock::time_point when) {
  const std::tm fields = utc_fields(when);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &fields);
  return buffer;
}

std::string format_iso8601_utc(std::chrono::system_clock::time_point when) {
  const std::tm fields = utc_fields(when);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &fields);
  return buffer;
}

std::string format_amz_day(std::chrono::system_clock::time_point when) {
  const std::tm fields = utc_fields(when);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y%m%d", &fields);
  return buffer;
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS
  const auto year = read_digits(text, 0, 4);
  const auto month = read_digits(text, 5, 2);
  const auto day = read_digits(text, 8, 2);
  const auto hour = read_digits(text, 11, 2);
  const auto minute = read_digits(text, 14, 2);
  const auto second = read_digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text.size() < 20 ||
      text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != 't') || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])) != 0) ++pos;
  }
  const std::string_view zone = text.substr(pos);
  if (zone != "Z" && zone != "z" && zone != "+00:00") return std::nullopt;

  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  const std::chrono::sys_seconds when = std::chrono::sys_days{date} + std::chrono::hours{*hour} +
                                        std::chrono::minutes{*minute} +
                                        std::chrono::seconds{*second};
  // system_clock counts nanoseconds in 64 bits (1677 to 2262): a time outside that would
  // overflow on conversion, so it is no time this program can hold. Compared in seconds,
  // which cannot overflow.
  using Clock = std::chrono::system_clock;
  if (when < std::chrono::ceil<std::chrono::seconds>(Clock::time_point::min()) ||
      when > std::chrono::floor<std::chrono::seconds>(Clock::time_point::max())) {
    return std::nullopt;
  }
  return Clock::time_point(when);
}

}  // namespace ssc::aws::detail
