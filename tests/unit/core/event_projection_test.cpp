// project_sqs_event against split_event and project_body against nlohmann's tree: the same
// records and message fields whenever a projection takes a text, and every text they
// decline still read as before, by read_event and decode_body.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "core/message.hpp"

namespace ssc::core {
namespace {

using nlohmann::json;

void expect_same(const std::vector<EventRecord>& projected, const std::vector<EventRecord>& split) {
  ASSERT_EQ(projected.size(), split.size());
  for (std::size_t i = 0; i < split.size(); ++i) {
    EXPECT_EQ(projected[i].message_id, split[i].message_id) << i;
    EXPECT_EQ(projected[i].receive_count, split[i].receive_count) << i;
    EXPECT_EQ(projected[i].event_source_arn, split[i].event_source_arn) << i;
    EXPECT_EQ(projected[i].body, split[i].body) << i;
  }
}

// The projection takes `text` and gives what split_event gives; returns its records.
std::vector<EventRecord> projected_as_split(const std::string& text) {
  const auto projected = project_sqs_event(text);
  EXPECT_TRUE(projected.has_value()) << text;
  if (!projected) return {};
  expect_same(*projected, split_event(json::parse(text)));
  return *projected;
}

TEST(ProjectSqsEvent, ReadsTheRecordsAsSplitEventDoes) {
  const std::string body = R"({\"correlation_id\": \"c1\", \"file_name\": \"f.gz.enc\"})";
  const auto records = projected_as_split(
      R"({"Records": [{"messageId": "m1", "receiptHandle": "h", "body": ")" + body +
      R"(", "attributes": {"ApproximateReceiveCount": "3"},)"
      R"( "eventSourceARN": "arn:aws:sqs:eu-west-2:1:q.fifo"}, {"messageId": "m2", "body": ""}]})");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].message_id, "m1");
  EXPECT_EQ(records[0].receive_count, 3);
  EXPECT_EQ(records[0].event_source_arn, "arn:aws:sqs:eu-west-2:1:q.fifo");
  EXPECT_EQ(records[0].body, R"({"correlation_id": "c1", "file_name": "f.gz.enc"})");
  EXPECT_EQ(records[1].body, "");
}

TEST(ProjectSqsEvent, TheLastOfDuplicateNamesWinsAsInNlohmann) {
  const auto records = projected_as_split(
      R"({"Records": [{"body": "lost"}],)"
      R"( "Records": [{"messageId": "m1", "messageId": 7, "body": "a", "body": "b",)"
      R"( "attributes": {"ApproximateReceiveCount": "2", "ApproximateReceiveCount": "5"}}]})");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].message_id, "");  // the last messageId is not a string
  EXPECT_EQ(records[0].receive_count, 5);
  EXPECT_EQ(records[0].body, "b");
}

TEST(ProjectSqsEvent, EscapesAndSurrogatePairsReadAsInNlohmann) {
  const auto records = projected_as_split(
      R"({"Records": [{"messageId": "m\ud83d\ude00\u00e9\u0000\n",)"
      R"( "body": "{\"f\": \"\\ud83d\\ude00\"}", "eventSourceARN": "\u0061rn"}]})");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].message_id, std::string("m\xF0\x9F\x98\x80\xC3\xA9\0\n", 9));
  EXPECT_EQ(records[0].body, R"({"f": "\ud83d\ude00"})");
  EXPECT_EQ(records[0].event_source_arn, "arn");
}

TEST(ProjectSqsEvent, FieldsOfAnotherTypeReadAsInNlohmann) {
  projected_as_split(
      R"({"Records": [{"messageId": null, "body": "x", "attributes": "1"},)"
      R"( {"body": "y", "attributes": {"ApproximateReceiveCount": 3}, "eventSourceARN": [1.5]},)"
      R"( {"body": "z", "attributes": {"ApproximateReceiveCount": "-2"}, "extra": {"n": -0}}]})");
}

TEST(ProjectSqsEvent, DeclinesEveryOtherEventAndReadEventReadsItAsBefore) {
  const std::vector<std::string> texts = {
      R"({"correlation_id": "c1"})",                           // the event is the message
      R"({"Records": []})",                                    // no records
      R"({"Records": [{"body": "x"}, {"messageId": "m2"}]})",  // a record without a body
      R"({"Records": [{"body": "x"}, 5]})",                    // a record that is no object
      R"({"Records": {"body": "x"}})",                         // not an array
      R"({"Records": [{"body": {"correlation_id": "c1", "n": -0}}]})",  // an object body
      R"({"Records": [{"body": "x", "n": 18446744073709551616}]})",     // past simdjson's range
      "\xEF\xBB\xBF{\"Records\": [{\"body\": \"x\"}]}",  // a BOM, which nlohmann skips
      std::string(R"({"Records": [{"body": "x"}]})"
                  "\0 1",
                  31),  // nlohmann ends at a NUL
      R"([{"body": "x"}])",
  };
  for (const std::string& text : texts) {
    EXPECT_FALSE(project_sqs_event(text).has_value()) << text;
    expect_same(read_event(text), split_event(json::parse(text)));
  }
}

TEST(ReadEvent, TextThatIsNotJsonFailsWithNlohmannsError) {
  for (const std::string text : {
           "this is not JSON",
           "",
           R"({"Records": [{"body": "\ud800"}]})",  // a lone surrogate
           R"({"Records": [{"body": "x"}]} 1)",
           R"({"Records": [{"body": "x"]})",
       }) {
    std::string expected;
    try {
      const json event = json::parse(text);
    } catch (const json::parse_error& error) {
      expected = error.what();
    }
    ASSERT_FALSE(expected.empty()) << text;
    EXPECT_FALSE(project_sqs_event(text).has_value()) << text;
    try {
      const auto records = read_event(text);
      ADD_FAILURE() << "expected a parse error for " << text;
    } catch (const json::parse_error& error) {
      EXPECT_EQ(error.what(), expected);
    }
  }
}

// The projection takes `text` and gives the fields of nlohmann's tree that kMessageFields
// names; returns them.
json projected_body_as_nlohmann(const std::string& text) {
  const auto projected = project_body(text);
  EXPECT_TRUE(projected.has_value()) << text;
  if (!projected) return nullptr;
  const json body = json::parse(text);
  json fields = json::object();
  for (const std::string_view name : kMessageFields) {
    if (body.contains(name)) fields[std::string(name)] = body.at(std::string(name));
  }
  EXPECT_EQ(*projected, fields) << text;
  return *projected;
}

TEST(ProjectBody, KeepsTheMessageFieldsAsNlohmannReadsThem) {
  const json fields = projected_body_as_nlohmann(
      R"({"correlation_id": "c1", "collection_name": "db.a.b", "snapshot_type": "full",)"
      R"( "export_date": "2020-01-01", "filename": "f", "is_success_file": "TRUE",)"
      R"( "shutdown_flag": false, "reprocess_files": null, "extra": {"n": [1, -0, 2.5]}})");
  EXPECT_FALSE(fields.contains("extra"));
  const Message message = parse_message(fields);
  EXPECT_EQ(message.file_name, "f");
  EXPECT_TRUE(message.is_success_file);
  EXPECT_EQ(message.shutdown_flag, false);
  EXPECT_EQ(message.reprocess_files, nullptr);
}

TEST(ProjectBody, TheLastOfDuplicateNamesWinsAndEscapesReadAsInNlohmann) {
  const json fields = projected_body_as_nlohmann(
      R"({"correlation_id": "lost", "correlation_id": "c\u00e9\ud83d\ude00",)"
      R"( "file_name": "lost", "file\u005fname": true, "collection_name": "\u0000"})");
  EXPECT_EQ(fields["correlation_id"], "c\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(message_log_context(fields).at("file_name"), "true");
  EXPECT_EQ(fields["collection_name"], std::string(1, '\0'));
}

TEST(ProjectBody, DeclinesNumbersArraysAndObjectsInTheMessageFieldsAndDecodeBodyKeepsThem) {
  for (const std::string text : {
           R"({"correlation_id": "c1", "file_name": 17})",
           R"({"correlation_id": "c1", "file_name": -0})",
           R"({"shutdown_flag": {"a": 1}})",
           R"({"reprocess_files": [1.0]})",
           R"({"file_name": 1, "file_name": "last"})",
       }) {
    EXPECT_FALSE(project_body(text).has_value()) << text;
    EXPECT_EQ(decode_body({"m", 1, "", text}), json::parse(text)) << text;
  }
  // nlohmann reads -0 as the integer 0.
  EXPECT_EQ(message_log_context(decode_body({"m", 1, "", R"({"file_name": -0})"})).at("file_name"),
            "0");
}

TEST(ProjectBody, DeclinesWhatIsNoObjectAndDecodeBodyRejectsItAsBefore) {
  const auto problems_of = [](const std::string& text) {
    try {
      (void)decode_body({"m", 1, "", text});
    } catch (const InvalidMessage& e) {
      return e.problems();
    }
    return std::vector<std::string>{};
  };
  for (const std::string text : {"", "{\"correlation_id\": ", "{\"a\": \"\\ud800\"}"}) {
    EXPECT_FALSE(project_body(text).has_value()) << text;
    EXPECT_EQ(problems_of(text), std::vector<std::string>{"body is not valid JSON"}) << text;
  }
  for (const std::string text : {"[]", "\"text\"", "null", "1"}) {
    EXPECT_FALSE(project_body(text).has_value()) << text;
    EXPECT_EQ(problems_of(text), std::vector<std::string>{"body is not a JSON object"}) << text;
  }
}

}  // namespace
}  // namespace ssc::core
