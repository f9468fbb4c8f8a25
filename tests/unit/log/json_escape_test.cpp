// The log line's escaping (SPEC section 9: valid JSON whatever a value holds). nlohmann's
// parser is the judge: it rejects control characters and any ill-formed UTF-8 in a string.
#include "log/json_escape.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ssc::log {
namespace {

std::string parsed_back(std::string_view text) {
  std::string json = "\"";
  append_json_escaped(json, text);
  json += '"';
  return nlohmann::json::parse(json).get<std::string>();
}

TEST(JsonEscape, EveryByteAloneMakesAValidString) {
  for (int byte = 0; byte < 256; ++byte) {
    const std::string text(1, static_cast<char>(byte));
    std::string value;
    ASSERT_NO_THROW(value = parsed_back(text)) << "byte " << byte;
    if (byte < 0x80) {
      EXPECT_EQ(value, text) << "byte " << byte;
    } else {
      EXPECT_EQ(value, "\xEF\xBF\xBD") << "byte " << byte;
    }
  }
}

TEST(JsonEscape, WellFormedUtf8IsKeptAsItIs) {
  const std::string text =
      "caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80 \xEF\xBF\xBF \xF4\x8F\xBF\xBF";
  EXPECT_EQ(parsed_back(text), text);
}

TEST(JsonEscape, IllFormedUtf8IsReplacedByteByByte) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                  // overlong '/'
      {"\xE0\x80\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // overlong, 3 bytes
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // a surrogate
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // > U+10FFFF
      {"a\xE2\x9C", "a\xEF\xBF\xBD\xEF\xBF\xBD"},  // cut short at the end
      {"\xE2\x9Cz", "\xEF\xBF\xBD\xEF\xBF\xBDz"},  // cut short inside
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(parsed_back(text), expected);
}

TEST(JsonEscape, QuotesBackslashesAndControlCharactersRoundTrip) {
  std::string text = "\"\\/\b\f\n\r\t\x01\x1f\x7f";
  text.push_back('\0');
  EXPECT_EQ(parsed_back(text), text);
}

}  // namespace
}  // namespace ssc::log
