#include "core/event.hpp"

#include <gtest/gtest.h>

#include "core/message.hpp"

namespace ssc::core {
namespace {

using nlohmann::json;

const json kMessage = {{"correlation_id", "corr-1"},
                       {"collection_name", "db.database.collection"},
                       {"snapshot_type", "incremental"},
                       {"export_date", "2020-01-01"}};

TEST(SplitEvent, SqsRecordWithObjectBody) {
  const json event = {{"Records",
                       {{{"messageId", "m-1"},
                         {"eventSourceARN", "arn:aws:sqs:eu-west-2:1:q"},
                         {"body", kMessage}}}}};
  const auto records = split_event(event);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].message_id, "m-1");
  EXPECT_EQ(records[0].event_source_arn, "arn:aws:sqs:eu-west-2:1:q");
  EXPECT_EQ(decode_body(records[0]), kMessage);
}

TEST(SplitEvent, ReceiveCountComesFromTheRecordsAttributes) {
  const auto count_of = [](const json& attributes) {
    json record = {{"messageId", "m-1"}, {"body", kMessage}};
    if (!attributes.is_null()) record["attributes"] = attributes;
    return split_event(json{{"Records", {record}}}).at(0).receive_count;
  };
  EXPECT_EQ(count_of({{"ApproximateReceiveCount", "1"}}), 1);
  EXPECT_EQ(count_of({{"ApproximateReceiveCount", "12"}}), 12);
  // Anything else is "not known", never a guess.
  EXPECT_EQ(count_of(nullptr), 0);
  EXPECT_EQ(count_of(json::object()), 0);
  EXPECT_EQ(count_of({{"ApproximateReceiveCount", 3}}), 0);
  EXPECT_EQ(count_of({{"ApproximateReceiveCount", "3x"}}), 0);
  EXPECT_EQ(count_of({{"ApproximateReceiveCount", "-2"}}), 0);
  EXPECT_EQ(count_of({{"ApproximateReceiveCount", ""}}), 0);
  EXPECT_EQ(count_of("1"), 0);
}

TEST(SplitEvent, SqsRecordWithEscapedStringBody) {
  const json event = {{"Records", {{{"messageId", "m-1"}, {"body", kMessage.dump()}}}}};
  const auto records = split_event(event);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(decode_body(records[0]), kMessage);
}

TEST(SplitEvent, SeveralRecordsKeepTheirOrder) {
  json second = kMessage;
  second["collection_name"] = "db.other.collection";
  const json event = {{"Records",
                       {{{"messageId", "m-1"}, {"body", kMessage}},
                        {{"messageId", "m-2"}, {"body", second.dump()}},
                        {{"messageId", "m-3"}, {"body", "not json"}}}}};
  const auto records = split_event(event);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].message_id, "m-1");
  EXPECT_EQ(records[1].message_id, "m-2");
  EXPECT_EQ(records[2].message_id, "m-3");
  EXPECT_EQ(decode_body(records[1])["collection_name"], "db.other.collection");
}

TEST(SplitEvent, BareMessageIsOneRecordWithoutId) {
  const auto records = split_event(kMessage);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].message_id, std::nullopt);
  EXPECT_EQ(decode_body(records[0]), kMessage);
}

TEST(SplitEvent, EmptyRecordsMeansTheWholeEventIsTheMessage) {
  const json event = {{"Records", json::array()}};
  const auto records = split_event(event);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].message_id, std::nullopt);
  EXPECT_EQ(records[0].body, event);
}

TEST(SplitEvent, RecordsWithoutBodyMeanTheWholeEventIsTheMessage) {
  const json event = {{"Records", {{{"messageId", "m-1"}}}}};
  const auto records = split_event(event);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].message_id, std::nullopt);
  EXPECT_EQ(records[0].body, event);
}

TEST(DecodeBody, InvalidJsonStringIsRejected) {
  const EventRecord record{"m-1", 1, "", "{\"correlation_id\": "};
  try {
    decode_body(record);
    FAIL() << "expected InvalidMessage";
  } catch (const InvalidMessage& e) {
    EXPECT_EQ(e.problems(), std::vector<std::string>{"body is not valid JSON"});
  }
}

TEST(DecodeBody, NonObjectBodiesAreRejected) {
  for (const json& body : {json(json::array()), json("[1,2]"), json(42), json(nullptr)}) {
    const EventRecord record{"m-1", 1, "", body};
    try {
      decode_body(record);
      FAIL() << "expected InvalidMessage for " << body.dump();
    } catch (const InvalidMessage& e) {
      EXPECT_EQ(e.problems(), std::vector<std::string>{"body is not a JSON object"});
    }
  }
}

TEST(FromFifoQueue, DecidedByTheArnSuffix) {
  EXPECT_TRUE(from_fifo_queue({"m", 1, "arn:aws:sqs:eu-west-2:1:queue.fifo", {}}));
  EXPECT_FALSE(from_fifo_queue({"m", 1, "arn:aws:sqs:eu-west-2:1:queue", {}}));
  EXPECT_FALSE(from_fifo_queue({"m", 1, "arn:aws:sqs:eu-west-2:1:fifo", {}}));
  EXPECT_FALSE(from_fifo_queue({std::nullopt, 0, "", {}}));
}

}  // namespace
}  // namespace ssc::core
