#include <gtest/gtest.h>

#include "aws/detail/uri.hpp"
#include "aws/sns.hpp"
#include "aws/sqs.hpp"
#include "scripted_transport.hpp"

using nlohmann::json;
using namespace ssc::aws;
using ssc::test::FixedCredentials;
using ssc::test::in_a_minute;
using ssc::test::ScriptedTransport;

namespace {

constexpr const char* kQueue = "http://127.0.0.1:9/123456789012/export-state.fifo";

class SqsTest : public ::testing::Test {
 protected:
  FixedCredentials credentials;
  ScriptedTransport transport;
  SqsClient client{ssc::test::test_endpoint("sqs"), credentials, transport,
                   ssc::test::fast_policy()};
};

TEST_F(SqsTest, SendMessageCarriesGroupAndDeduplication) {
  transport.reply_json(200, {{"MessageId", "m-1"}, {"SequenceNumber", "18"}});
  SendMessageRequest request;
  request.queue_url = kQueue;
  request.body = R"({"a":1})";
  request.message_group_id = "db_a_b";
  request.deduplication_id = "dedup-1";
  const auto result = client.send_message(request, in_a_minute());
  EXPECT_EQ(result.message_id, "m-1");
  EXPECT_EQ(result.sequence_number, "18");
  EXPECT_EQ(transport.header(0, "x-amz-target"), "AmazonSQS.SendMessage");
  EXPECT_EQ(transport.header(0, "content-type"), "application/x-amz-json-1.0");
  EXPECT_EQ(transport.requests[0].url, "http://127.0.0.1:9/");
  EXPECT_EQ(transport.body(0), (json{{"QueueUrl", kQueue},
                                     {"MessageBody", R"({"a":1})"},
                                     {"MessageGroupId", "db_a_b"},
                                     {"MessageDeduplicationId", "dedup-1"}}));
}

TEST_F(SqsTest, SendMessageLeavesOutEmptyFifoFields) {
  transport.reply_json(200, {{"MessageId", "m-1"}});
  client.send_message({kQueue, "x", "", "", std::nullopt}, in_a_minute());
  EXPECT_EQ(transport.body(0), (json{{"QueueUrl", kQueue}, {"MessageBody", "x"}}));
}

TEST_F(SqsTest, ErrorsUseTheQueryCompatibleCode) {
  transport.reply_json(400, {{"__type", "com.amazonaws.sqs#QueueDoesNotExist"}, {"message", "no"}},
                       {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}});
  try {
    client.send_message({kQueue, "x", "", "", std::nullopt}, in_a_minute());
    FAIL();
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "AWS.SimpleQueueService.NonExistentQueue");
  }
}

class SnsTest : public ::testing::Test {
 protected:
  FixedCredentials credentials;
  ScriptedTransport transport;
  SnsClient client{ssc::test::test_endpoint("sns"), credentials, transport,
                   ssc::test::fast_policy()};
};

constexpr const char* kPublishAnswer =
    "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
    "<MessageId>msg-1</MessageId></PublishResult><ResponseMetadata><RequestId>req-1</RequestId>"
    "</ResponseMetadata></PublishResponse>";

TEST(QueueNameOf, TheLastPathSegmentOfAQueueUrl) {
  EXPECT_EQ(queue_name_of(kQueue), "export-state.fifo");
  EXPECT_EQ(queue_name_of("https://sqs.eu-west-2.amazonaws.com/123456789012/q"), "q");
  EXPECT_EQ(queue_name_of("https://sqs.eu-west-2.amazonaws.com/123456789012/"), "");
  EXPECT_EQ(queue_name_of("https://sqs.eu-west-2.amazonaws.com"), "");
}

TEST(QueueNameOf, NoneForWhatNoQueueUrlLooksLike) {
  EXPECT_FALSE(queue_name_of("export-state.fifo"));
  EXPECT_FALSE(queue_name_of("ftp://host/1/q.fifo"));
  EXPECT_FALSE(queue_name_of("https:///1/q.fifo"));
  EXPECT_FALSE(queue_name_of("https://host/1/q.fifo?x=1"));
}

TEST(FormEncode, PercentEncodesEverythingButUnreserved) {
  EXPECT_EQ(detail::form_encode({{"Action", "Publish"}, {"Message", "a b+c&d=e/é~"}}),
            "Action=Publish&Message=a%20b%2Bc%26d%3De%2F%C3%A9~");
}

TEST_F(SnsTest, PublishIsAFormPostAnsweredInXml) {
  transport.reply(200, kPublishAnswer);
  const auto result =
      client.publish({"arn:aws:sns:eu-west-2:1:topic", R"({"k": "v"})", "", "", ""}, in_a_minute());
  EXPECT_EQ(result.message_id, "msg-1");
  EXPECT_EQ(result.request_id, "req-1");
  EXPECT_EQ(transport.requests[0].method, "POST");
  EXPECT_EQ(transport.requests[0].url, "http://127.0.0.1:9/");
  EXPECT_EQ(transport.header(0, "content-type"),
            "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_EQ(transport.requests[0].body,
            "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aeu-west-2%3A1%3Atopic"
            "&Message=%7B%22k%22%3A%20%22v%22%7D");
}

TEST_F(SnsTest, PublishAddsOptionalFields) {
  transport.reply(200, kPublishAnswer);
  client.publish({"arn", "m", "subj", "g", "d"}, in_a_minute());
  EXPECT_EQ(transport.requests[0].body,
            "Action=Publish&Version=2010-03-31&TopicArn=arn&Message=m&Subject=subj"
            "&MessageGroupId=g&MessageDeduplicationId=d");
}

TEST_F(SnsTest, ErrorResponseBecomesAwsError) {
  transport.reply(404,
                  "<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code>"
                  "<Message>Topic does not exist</Message></Error><RequestId>r-9</RequestId>"
                  "</ErrorResponse>");
  try {
    client.publish({"arn", "m", "", "", ""}, in_a_minute());
    FAIL();
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "NotFound");
    EXPECT_EQ(error.request_id(), "r-9");
  }
}

TEST_F(SnsTest, NonXmlSuccessIsMalformedResponse) {
  transport.reply(200, "{\"MessageId\": \"json?\"}");
  try {
    client.publish({"arn", "m", "", "", ""}, in_a_minute());
    FAIL();
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "MalformedResponse");
    EXPECT_NE(error.message().find("sns"), std::string::npos);
  }
}

TEST_F(SnsTest, XmlWithoutMessageIdIsMalformedResponse) {
  transport.reply(200, "<PublishResponse><PublishResult/></PublishResponse>");
  EXPECT_THROW(client.publish({"arn", "m", "", "", ""}, in_a_minute()), AwsError);
}

}  // namespace
