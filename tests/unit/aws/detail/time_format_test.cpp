#include "aws/detail/time_format.hpp"

#include <gtest/gtest.h>

#include <chrono>

using namespace ssc::aws;
using namespace ssc::aws::detail;
using std::chrono::seconds;

namespace {

std::chrono::sys_seconds at(std::chrono::year_month_day date, seconds time_of_day) {
  return std::chrono::sys_days{date} + time_of_day;
}

TEST(ParseIso8601Utc, ReadsTheFormsAwsWrites) {
  using namespace std::chrono;
  const auto expected = at(2026y / December / 1, hours(12) + minutes(34) + seconds(56));
  EXPECT_EQ(parse_iso8601_utc("2026-12-01T12:34:56Z"), expected);
  EXPECT_EQ(parse_iso8601_utc("2026-12-01T12:34:56.789+00:00"), expected);
  EXPECT_FALSE(parse_iso8601_utc("2026-12-01T12:34:56+01:00"));
  EXPECT_FALSE(parse_iso8601_utc("2026-13-01T12:34:56Z"));
}

// Found by fuzz/container_credentials_fuzz: an Expiration in the year 1049 overflowed the
// conversion to system_clock's nanoseconds (undefined behaviour). A time system_clock
// cannot hold (1677 to 2262) is refused, so the credentials answer is a ConfigurationError.
TEST(ParseIso8601Utc, RefusesATimeSystemClockCannotHold) {
  EXPECT_FALSE(parse_iso8601_utc("1049-01-01T00:00:00.123456+00:00"));
  EXPECT_FALSE(parse_iso8601_utc("0000-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601_utc("1677-09-21T00:12:43Z"));
  EXPECT_FALSE(parse_iso8601_utc("2262-04-11T23:47:17Z"));
  EXPECT_FALSE(parse_iso8601_utc("9999-12-31T23:59:59Z"));
  EXPECT_TRUE(parse_iso8601_utc("1677-09-21T00:12:44Z"));
  EXPECT_TRUE(parse_iso8601_utc("2262-04-11T23:47:16Z"));
}

}  // namespace
