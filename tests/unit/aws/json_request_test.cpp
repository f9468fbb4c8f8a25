#include "aws/json_request.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace {

using ssc::aws::JsonRequest;
using ssc::aws::JsonWriter;
using json = nlohmann::json;

TEST(JsonWriterTest, WritesMembersAndElementsInOrderWithCommasBetweenThem) {
  JsonWriter writer;
  writer.begin_object()
      .member("b", "x")
      .key("list")
      .begin_array()
      .begin_object()
      .end_object()
      .value("y")
      .value(true)
      .end_array()
      .member("a", false)
      .string_attribute("name", "text")
      .number_attribute("count", -42)
      .end_object();
  EXPECT_EQ(writer.take(), R"({"b":"x","list":[{},"y",true],"a":false,"name":{"S":"text"},)"
                           R"("count":{"N":"-42"}})");
}

TEST(JsonWriterTest, EscapesWhatJsonRequiresAndReadsBackAsWritten) {
  std::string text = "quote \" backslash \\ slash / tab \t newline \n return \r";
  text += " bell \a escape \x1b nul ";
  text.push_back('\0');
  text += " unicode \xc3\xa9 \xf0\x9f\x93\xa6 del \x7f";
  JsonWriter writer;
  writer.begin_object().member(text, text).end_object();
  const std::string written = writer.take();
  EXPECT_NE(written.find(R"(\u001b)"), std::string::npos);
  EXPECT_NE(written.find(R"(\u0000)"), std::string::npos);
  const json parsed = json::parse(written);
  EXPECT_EQ(parsed, json({{text, text}}));
}

TEST(JsonRequestTest, ATreeIsDumpedWithTheResourceItIsMadeOn) {
  const JsonRequest request({{"TableName", "T"}, {"ConsistentRead", true}});
  EXPECT_EQ(json::parse(request.text), json({{"TableName", "T"}, {"ConsistentRead", true}}));
  EXPECT_EQ(request.resource, "table T");
}

TEST(JsonRequestTest, BracesAroundTwoStringsAreATreeAndRefused) {
  // JsonRequest(text, resource) needs parentheses: braces make an array, not a request.
  EXPECT_THROW(JsonRequest({std::string("{}"), std::string("table T")}), std::invalid_argument);
  EXPECT_EQ(JsonRequest(std::string("{}"), std::string("table T")).text, "{}");
}

TEST(JsonRequestTest, TheTablesOfARequestNameItsResource) {
  EXPECT_EQ(ssc::aws::tables_resource({"A"}), "table A");
  EXPECT_EQ(ssc::aws::tables_resource({"A", "B"}), "tables A, B");
  EXPECT_EQ(ssc::aws::tables_resource({}), "");
}

}  // namespace
