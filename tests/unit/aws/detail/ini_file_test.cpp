#include "aws/detail/ini_file.hpp"

#include <gtest/gtest.h>

#include "aws/aws_error.hpp"

using namespace ssc::aws;
using namespace ssc::aws::detail;

namespace {

TEST(IniFile, SectionsKeysCommentsAndNesting) {
  const IniFile file = parse_ini(
      "# top comment\n"
      "; another\n"
      "[default]\n"
      "Region = eu-west-2   \n"
      "s3 =\n"
      "    max_concurrent_requests = 10\n"
      "  [not a section]\n"
      "output=json\n"
      "\n"
      "[profile dev]\r\n"
      "key = a=b\r\n",
      "test");
  ASSERT_EQ(file.sections.size(), 2u);
  const auto& defaults = file.sections.at("default");
  EXPECT_EQ(defaults.at("region"), "eu-west-2");
  EXPECT_EQ(defaults.at("s3"), "");
  EXPECT_EQ(defaults.at("output"), "json");
  EXPECT_EQ(defaults.count("max_concurrent_requests"), 0u);
  EXPECT_EQ(file.sections.at("profile dev").at("key"), "a=b");
}

TEST(IniFile, MalformedLinesNamed) {
  const auto message_of = [](const std::string& text) {
    try {
      parse_ini(text, "/some/file");
    } catch (const ConfigurationError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message_of("key = before any section\n"), "malformed line 1 of file /some/file");
  EXPECT_EQ(message_of("[a]\nx = 1\n[broken\n"), "malformed line 3 of file /some/file");
  EXPECT_EQ(message_of("[a]\n\njust words\n"), "malformed line 3 of file /some/file");
  EXPECT_EQ(message_of("[]\n"), "malformed line 1 of file /some/file");
  EXPECT_EQ(message_of("[a]\n = value\n"), "malformed line 2 of file /some/file");
}

TEST(IniFile, MissingFileIsNotAnError) {
  EXPECT_FALSE(read_ini_file("/nonexistent/dir/credentials").has_value());
}

}  // namespace
