// SPEC section 9: never longer than 256 KB, valid JSON, a long value cut and the line says so.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "log/log.hpp"

namespace ssc::log {
namespace {

constexpr std::size_t kMegabyte = 1024 * 1024;

TEST(LineSize, AMegabyteFileNameIsCutAndTheLineSaysSo) {
  const LogContext context({{"file_name", std::string(kMegabyte, 'f')}, {"collection_name", "c"}});
  const std::string text = format_line(Level::Error, "handler", "Message failed");
  ASSERT_LE(text.size(), kMaxLineBytes);
  const auto line = nlohmann::json::parse(text);
  const std::string file_name = line.at("file_name");
  EXPECT_EQ(file_name.substr(0, kMaxValueBytes), std::string(kMaxValueBytes, 'f'));
  EXPECT_EQ(file_name.substr(kMaxValueBytes), " [cut: 1048576 bytes, the first 16384 shown]");
  EXPECT_EQ(line.at("cut_fields"), "file_name");
  EXPECT_EQ(line.at("collection_name"), "c");
  EXPECT_EQ(line.at("message"), "Message failed");
}

TEST(LineSize, ShortValuesAreLeftAloneAndNoCutFieldsAppear) {
  const auto line =
      nlohmann::json::parse(format_line(Level::Info, "m", "x", {{"v", std::string(100, 'v')}}));
  EXPECT_EQ(line.at("v"), std::string(100, 'v'));
  EXPECT_FALSE(line.contains("cut_fields"));
}

TEST(LineSize, ManyLongValuesAndEscapesStillFit) {
  // Control characters are escaped as \u0001: six bytes each, so 20 values of 16 KB
  // would be nearly 2 MB without the line guard.
  Fields extra;
  for (int i = 0; i < 20; ++i) extra["field" + std::to_string(i)] = std::string(kMegabyte, '\x01');
  const std::string text = format_line(Level::Error, "m", std::string(kMegabyte, '"'), extra);
  ASSERT_LE(text.size(), kMaxLineBytes);
  const auto line = nlohmann::json::parse(text);
  EXPECT_NE(line.at("message").get<std::string>().find("[cut: 1048576 bytes"), std::string::npos);
  EXPECT_NE(line.at("cut_fields").get<std::string>().find("field19"), std::string::npos);
}

TEST(LineSize, ACutNeverSplitsAUtf8Character) {
  // "é" is two bytes: a cut at an odd offset would leave half of one.
  std::string accents = "a";
  while (accents.size() < kMegabyte) accents += "\xc3\xa9";
  const auto line = nlohmann::json::parse(format_line(Level::Info, "m", "x", {{"v", accents}}));
  const std::string value = line.at("v");
  EXPECT_EQ(value.find("\xef\xbf\xbd"), std::string::npos) << "a replacement character: split";
  EXPECT_NE(value.find(" [cut: "), std::string::npos);
}

}  // namespace
}  // namespace ssc::log
