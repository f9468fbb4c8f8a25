#include <gtest/gtest.h>

#include <typeinfo>

#include "aws/dynamodb.hpp"
#include "scripted_transport.hpp"

using nlohmann::json;
using namespace ssc::aws;
using ssc::test::FixedCredentials;
using ssc::test::in_a_minute;
using ssc::test::ScriptedTransport;

namespace {

class DynamoDbClientTest : public ::testing::Test {
 protected:
  DynamoDbClient client{ssc::test::test_endpoint("dynamodb"), credentials, transport,
                        ssc::test::fast_policy()};
  FixedCredentials credentials;
  ScriptedTransport transport;
};

const json kKey = {{"CorrelationId", {{"S", "c"}}}, {"CollectionName", {{"S", "n"}}}};

TEST_F(DynamoDbClientTest, SpeaksJson10WithTheTargetHeader) {
  transport.reply_json(200, {{"Item", kKey}});
  const auto item =
      client.get_item({{"TableName", "T"}, {"Key", kKey}, {"ConsistentRead", true}}, in_a_minute());
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(*item, kKey);
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(transport.requests[0].method, "POST");
  EXPECT_EQ(transport.requests[0].url, "http://127.0.0.1:9/");
  EXPECT_EQ(transport.header(0, "x-amz-target"), "DynamoDB_20120810.GetItem");
  EXPECT_EQ(transport.header(0, "content-type"), "application/x-amz-json-1.0");
  EXPECT_EQ(transport.body(0), (json{{"TableName", "T"}, {"Key", kKey}, {"ConsistentRead", true}}));
  EXPECT_NE(transport.header(0, "authorization").find("/eu-west-2/dynamodb/aws4_request"),
            std::string::npos);
}

TEST_F(DynamoDbClientTest, GetItemWithoutItemIsNullopt) {
  transport.reply(200, "{}");
  EXPECT_FALSE(client.get_item({{"TableName", "T"}, {"Key", kKey}}, in_a_minute()).has_value());
}

TEST_F(DynamoDbClientTest, AFailedConditionIsAnAnswerWithTheOldItem) {
  const json old = {{"CorrelationId", {{"S", "c"}}}, {"FilesReceived", {{"N", "4"}}}};
  transport.reply_json(
      400,
      {{"__type", "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"},
       {"message", "The conditional request failed"},
       {"Item", old}},
      {{"x-amzn-requestid", "RID"}});
  const UpdateOutcome outcome = client.update_item({{"TableName", "T"}}, in_a_minute());
  EXPECT_FALSE(outcome.applied);
  ASSERT_TRUE(outcome.item.has_value());
  EXPECT_EQ(*outcome.item, old);
  EXPECT_FALSE(outcome.attributes.has_value());
  EXPECT_EQ(transport.requests.size(), 1u);  // never retried
}

TEST_F(DynamoDbClientTest, AFailedConditionWithoutItem) {
  transport.reply_json(400, {{"__type", "x#ConditionalCheckFailedException"}, {"message", "no"}});
  const UpdateOutcome outcome = client.update_item({{"TableName", "T"}}, in_a_minute());
  EXPECT_FALSE(outcome.applied);
  EXPECT_FALSE(outcome.item.has_value());
}

TEST_F(DynamoDbClientTest, AnAppliedUpdateAnswersItsAttributes) {
  transport.reply_json(200, {{"Attributes", kKey}});
  const UpdateOutcome outcome = client.update_item({{"TableName", "T"}}, in_a_minute());
  EXPECT_TRUE(outcome.applied);
  ASSERT_TRUE(outcome.attributes.has_value());
  EXPECT_EQ(*outcome.attributes, kKey);
  EXPECT_FALSE(outcome.item.has_value());
}

TEST_F(DynamoDbClientTest, AFailedConditionOnAReadIsAnError) {
  // No read asks for a condition: such an answer is not one of the answers it expects.
  transport.reply_json(400, {{"__type", "x#ConditionalCheckFailedException"}, {"message", "no"}});
  try {
    client.get_item({{"TableName", "T"}, {"Key", kKey}}, in_a_minute());
    FAIL() << "expected AwsError";
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "ConditionalCheckFailedException");
    ASSERT_NE(error.failed_call(), nullptr);
    EXPECT_EQ(error.failed_call()->operation, "GetItem");
  }
}

TEST_F(DynamoDbClientTest, TransactionCanceledCarriesReasonsInOrder) {
  transport.reply_json(400,
                       {{"__type", "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"},
                        {"Message", "Transaction cancelled [None, ConditionalCheckFailed]"},
                        {"CancellationReasons",
                         {{{"Code", "None"}},
                          {{"Code", "ConditionalCheckFailed"},
                           {"Message", "The conditional request failed"},
                           {"Item", kKey}}}}});
  // A failed condition is an answer: returned with its reasons, not thrown.
  const TransactionOutcome outcome = client.transact_write_items(
      {{"TransactItems", json::array()}}, [](int) { return std::string("t"); }, in_a_minute());
  EXPECT_FALSE(outcome.committed);
  EXPECT_EQ(outcome.attempts, 1);
  ASSERT_EQ(outcome.reasons.size(), 2u);
  EXPECT_EQ(outcome.reasons[0].code, "None");
  EXPECT_FALSE(outcome.reasons[0].item.has_value());
  EXPECT_EQ(outcome.reasons[1].code, "ConditionalCheckFailed");
  EXPECT_EQ(outcome.reasons[1].message, "The conditional request failed");
  ASSERT_TRUE(outcome.reasons[1].item.has_value());
  EXPECT_EQ(*outcome.reasons[1].item, kKey);
  EXPECT_EQ(transport.header(0, "x-amz-target"), "DynamoDB_20120810.TransactWriteItems");
}

TEST_F(DynamoDbClientTest, OtherErrorsArePlainAwsError) {
  transport.reply_json(400, {{"__type", "x#ResourceNotFoundException"}, {"message", "gone"}});
  try {
    client.update_item({{"TableName", "T"}}, in_a_minute());
    FAIL();
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "ResourceNotFoundException");
    EXPECT_EQ(typeid(error), typeid(AwsError));
  }
}

TEST_F(DynamoDbClientTest, RetriesThrottlingThenSucceeds) {
  transport.reply_json(400, {{"__type", "x#ProvisionedThroughputExceededException"}});
  transport.reply(200, R"({"Attributes":{}})");
  const UpdateOutcome outcome = client.update_item({{"TableName", "T"}}, in_a_minute());
  EXPECT_TRUE(outcome.applied);
  EXPECT_EQ(outcome.attributes.value_or(nullptr), json::object());
  EXPECT_EQ(transport.requests.size(), 2u);
}

json transient_cancellation(const char* first, const char* second) {
  return {{"__type", "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"},
          {"Message", "Transaction cancelled"},
          {"CancellationReasons", {{{"Code", first}}, {{"Code", second}}}}};
}

TEST_F(DynamoDbClientTest, ATransientCancellationIsSentAgainUnderTheNextAttemptsToken) {
  transport.reply_json(400, transient_cancellation("TransactionConflict", "None"));
  transport.reply_json(400, transient_cancellation("None", "ThrottlingError"));
  transport.reply(200, "{}");
  const auto token = [](int attempt) { return "token-" + std::to_string(attempt); };
  const TransactionOutcome done =
      client.transact_write_items({{"TransactItems", json::array()}}, token, in_a_minute());
  EXPECT_TRUE(done.committed);
  EXPECT_EQ(done.attempts, 3);
  EXPECT_EQ(done.conflicts, 1);
  ASSERT_EQ(transport.requests.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(transport.body(i)["ClientRequestToken"], token(static_cast<int>(i) + 1));
  }
  // ProvisionedThroughputExceeded is as transient; the attempts are the client's (3 here).
  for (int i = 0; i < 3; ++i) {
    transport.reply_json(400, transient_cancellation("ProvisionedThroughputExceeded", "None"));
  }
  try {
    client.transact_write_items({{"TransactItems", json::array()}}, token, in_a_minute());
    FAIL() << "expected TransactionCanceled";
  } catch (const TransactionCanceled& error) {
    EXPECT_TRUE(error.transient());
  }
  EXPECT_EQ(transport.requests.size(), 6u);
}

TEST_F(DynamoDbClientTest, ARepeatOfOneAttemptKeepsItsToken) {
  transport.reply_json(500, {{"__type", "x#InternalServerError"}, {"message", "boom"}});
  transport.reply(200, "{}");
  client.transact_write_items(
      {{"TransactItems", json::array()}},
      [](int attempt) { return "token-" + std::to_string(attempt); }, in_a_minute());
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(transport.body(0), transport.body(1));
  EXPECT_EQ(transport.body(1)["ClientRequestToken"], "token-1");
}

TEST_F(DynamoDbClientTest, AWrittenTransactionGoesOutAsWrittenWithItsTokenAndResource) {
  const std::string written = R"({"TransactItems":[{"Put":{"TableName":"R"}}]})";
  transport.reply_json(500, {{"__type", "x#InternalServerError"}, {"message", "boom"}});
  transport.reply_json(500, {{"__type", "x#InternalServerError"}, {"message", "boom"}});
  transport.reply_json(500, {{"__type", "x#InternalServerError"}, {"message", "boom"}});
  try {
    client.transact_write_items(
        JsonRequest(written, "table R"), [](int) { return std::string("tok\"en"); }, in_a_minute());
    FAIL() << "expected AwsError";
  } catch (const AwsError& error) {
    EXPECT_EQ(error.failed_call()->resource, "table R");
  }
  EXPECT_EQ(transport.requests[0].body,
            R"({"ClientRequestToken":"tok\"en","TransactItems":[{"Put":{"TableName":"R"}}]})");
  EXPECT_THROW(
      client.transact_write_items(
          JsonRequest("[]", "table R"), [](int) { return std::string("t"); }, in_a_minute()),
      std::invalid_argument);
}

TEST_F(DynamoDbClientTest, AFailedConditionBesideAConflictIsAnswered) {
  transport.reply_json(400,
                       transient_cancellation("TransactionConflict", "ConditionalCheckFailed"));
  const TransactionOutcome outcome = client.transact_write_items(
      {{"TransactItems", json::array()}}, [](int) { return std::string("t"); }, in_a_minute());
  EXPECT_FALSE(outcome.committed);
  EXPECT_EQ(outcome.reasons.at(1).code, "ConditionalCheckFailed");
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(DynamoDbClientTest, APlainWriteThatMeetsATransactionIsRetriedPastThePolicysAttempts) {
  // TransactionConflictException: another transaction holds the item. Contention is not
  // failure: the policy allows 3 attempts, the holder keeps it longer.
  for (int i = 0; i < 6; ++i) {
    transport.reply_json(400, {{"__type",
                                "com.amazonaws.dynamodb.v20120810#"
                                "TransactionConflictException"},
                               {"message", "Transaction is ongoing for the item"}});
  }
  transport.reply(200, R"({"Attributes":{}})");
  const UpdateOutcome outcome = client.update_item({{"TableName", "T"}}, in_a_minute());
  EXPECT_TRUE(outcome.applied);
  EXPECT_EQ(outcome.attributes.value_or(nullptr), json::object());
  EXPECT_EQ(transport.requests.size(), 7u);
}

TEST_F(DynamoDbClientTest, APlainWriteStillMeetingATransactionAtTheDeadlineFailsNamingItsAttempts) {
  for (int i = 0; i < 400; ++i) {
    transport.reply_json(400, {{"__type",
                                "com.amazonaws.dynamodb.v20120810#"
                                "TransactionConflictException"},
                               {"message", "Transaction is ongoing for the item"}});
  }
  // Backoff of a few milliseconds: the deadline, not the scripted answers, ends it.
  RetryPolicy policy = ssc::test::fast_policy();
  policy.base_delay = std::chrono::milliseconds(2);
  policy.max_delay = std::chrono::milliseconds(4);
  DynamoDbClient slow{ssc::test::test_endpoint("dynamodb"), credentials, transport, policy};
  try {
    slow.update_item({{"TableName", "T"}},
                     std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
    FAIL();
  } catch (const AwsError& error) {
    ASSERT_NE(error.failed_call(), nullptr);
    EXPECT_EQ(static_cast<std::size_t>(error.failed_call()->attempts), transport.requests.size());
    EXPECT_GT(error.failed_call()->attempts, 3);
  }
}

TEST_F(DynamoDbClientTest, NonJsonSuccessIsMalformedResponse) {
  transport.reply(200, "<html>hello</html>");
  try {
    client.get_item({{"TableName", "T"}}, in_a_minute());
    FAIL();
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "MalformedResponse");
    EXPECT_NE(error.message().find("dynamodb"), std::string::npos);
    EXPECT_NE(error.message().find("200"), std::string::npos);
    EXPECT_FALSE(error.retryable());
  }
}

TEST_F(DynamoDbClientTest, QueryFollowsEveryPage) {
  const json page1_key = {{"CorrelationId", {{"S", "c"}}}, {"CollectionName", {{"S", "b"}}}};
  transport.reply_json(200, {{"Items", {{{"n", {{"S", "a"}}}}, {{"n", {{"S", "b"}}}}}},
                             {"LastEvaluatedKey", page1_key}});
  transport.reply_json(200, {{"Items", {{{"n", {{"S", "c"}}}}}}});
  const json request = {{"TableName", "T"}, {"KeyConditionExpression", "CorrelationId = :c"}};
  const QueryResult result = client.query_all(request, in_a_minute());
  EXPECT_EQ(result.pages, 2);
  ASSERT_EQ(result.items.size(), 3u);
  EXPECT_EQ(result.items[2], (json{{"n", {{"S", "c"}}}}));
  EXPECT_FALSE(transport.body(0).contains("ExclusiveStartKey"));
  EXPECT_EQ(transport.body(1)["ExclusiveStartKey"], page1_key);
  EXPECT_EQ(transport.body(1)["KeyConditionExpression"], "CorrelationId = :c");
}

TEST_F(DynamoDbClientTest, QueryStopsOnARepeatedKey) {
  const json key = {{"k", {{"S", "x"}}}};
  transport.reply_json(200, {{"Items", json::array()}, {"LastEvaluatedKey", key}});
  transport.reply_json(200, {{"Items", json::array()}, {"LastEvaluatedKey", key}});
  EXPECT_THROW(client.query_all({{"TableName", "T"}}, in_a_minute()), AwsError);
  EXPECT_EQ(transport.requests.size(), 2u);
}

TEST(DynamoDbAttributes, BuildsValues) {
  EXPECT_EQ(ddb::S("x"), (json{{"S", "x"}}));
  EXPECT_EQ(ddb::N(-42), (json{{"N", "-42"}}));
}

TEST(DynamoDbAttributes, ReadsIntegers) {
  const json item = {{"a", {{"N", "12"}}},
                     {"big", {{"N", "9223372036854775807"}}},
                     {"neg", {{"N", "-3"}}},
                     {"text", {{"S", "17"}}},
                     {"none", {{"NULL", true}}}};
  EXPECT_EQ(ddb::get_int64(item, "a"), 12);
  EXPECT_EQ(ddb::get_int64(item, "big"), INT64_MAX);
  EXPECT_EQ(ddb::get_int64(item, "neg"), -3);
  EXPECT_EQ(ddb::get_int64(item, "text"), 17);
  EXPECT_EQ(ddb::get_int64(item, "none"), std::nullopt);
  EXPECT_EQ(ddb::get_int64(item, "missing"), std::nullopt);
}

TEST(DynamoDbAttributes, MalformedNumbersThrowNamingTheAttribute) {
  for (const char* bad : {"1.5", "abc", "", "99999999999999999999", "12 ", "1e3"}) {
    const json item = {{"FilesExported", {{"N", bad}}}};
    try {
      ddb::get_int64(item, "FilesExported");
      FAIL() << "accepted \"" << bad << "\"";
    } catch (const AwsError& error) {
      EXPECT_EQ(error.code(), "MalformedResponse");
      EXPECT_NE(error.message().find("FilesExported"), std::string::npos) << error.message();
    }
  }
  EXPECT_THROW(ddb::get_int64({{"x", {{"BOOL", true}}}}, "x"), AwsError);
  EXPECT_THROW(ddb::get_int64({{"x", {{"N", 5}}}}, "x"), AwsError);
}

TEST(DynamoDbAttributes, ReadsStrings) {
  const json item = {{"s", {{"S", "v"}}}, {"n", {{"N", "1"}}}};
  EXPECT_EQ(ddb::get_string(item, "s"), "v");
  EXPECT_EQ(ddb::get_string(item, "missing"), std::nullopt);
  EXPECT_THROW(ddb::get_string(item, "n"), AwsError);
}

}  // namespace
