// SPEC section 9: an error names the operation, the table, queue or topic, the service's
// error code and how many attempts were made. The clients name them from the request.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aws/detail/json_protocol.hpp"
#include "aws/dynamodb.hpp"
#include "aws/sns.hpp"
#include "aws/sqs.hpp"
#include "scripted_transport.hpp"

using nlohmann::json;
using namespace ssc::aws;
using ssc::aws::detail::resource_of;
using ssc::test::FixedCredentials;
using ssc::test::in_a_minute;
using ssc::test::ScriptedTransport;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace {

constexpr const char* kQueue = "http://127.0.0.1:9/123456789012/missing.fifo";
constexpr const char* kTopic = "arn:aws:sns:eu-west-2:123456789012:missing";

class FailedCallTest : public ::testing::Test {
 protected:
  FixedCredentials credentials;
  ScriptedTransport transport;
  DynamoDbClient dynamodb{ssc::test::test_endpoint("dynamodb"), credentials, transport,
                          ssc::test::fast_policy()};
  SqsClient sqs{ssc::test::test_endpoint("sqs"), credentials, transport, ssc::test::fast_policy()};
  SnsClient sns{ssc::test::test_endpoint("sns"), credentials, transport, ssc::test::fast_policy()};
};

TEST(ResourceOf, NamesTheTableQueueOrTheTablesOfATransaction) {
  EXPECT_EQ(resource_of({{"TableName", "T"}, {"Key", json::object()}}), "table T");
  EXPECT_EQ(resource_of({{"QueueUrl", kQueue}}), std::string("queue ") + kQueue);
  const json one_table = {
      {"TransactItems", {{{"Put", {{"TableName", "R"}}}}, {{"Update", {{"TableName", "R"}}}}}}};
  EXPECT_EQ(resource_of(one_table), "table R");
  const json two_tables = {
      {"TransactItems",
       {{{"Put", {{"TableName", "receipts"}}}}, {{"Update", {{"TableName", "status"}}}}}}};
  EXPECT_EQ(resource_of(two_tables), "tables receipts, status");
  EXPECT_EQ(resource_of(json::object()), "");
  EXPECT_EQ(resource_of({{"TransactItems", "not a list"}}), "");
}

TEST_F(FailedCallTest, AMissingTableIsNamedWithTheOperationAndAttempts) {
  transport.reply_json(400,
                       {{"__type", "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"},
                        {"message", "Requested resource not found"}});
  try {
    dynamodb.update_item({{"TableName", "no_such_table"}}, in_a_minute());
    FAIL() << "expected AwsError";
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "ResourceNotFoundException");
    EXPECT_THAT(error.what(), StartsWith("UpdateItem on table no_such_table failed after 1 "
                                         "attempt: ResourceNotFoundException: Requested resource "
                                         "not found"));
  }
}

TEST_F(FailedCallTest, ThrottlingGivenUpOnSaysHowManyAttempts) {
  for (int i = 0; i < 3; ++i) {
    transport.reply_json(400, {{"__type", "x#ProvisionedThroughputExceededException"}});
  }
  try {
    dynamodb.get_item({{"TableName", "T"}}, in_a_minute());
    FAIL() << "expected AwsError";
  } catch (const AwsError& error) {
    ASSERT_NE(error.failed_call(), nullptr);
    EXPECT_EQ(error.failed_call()->operation, "GetItem");
    EXPECT_EQ(error.failed_call()->resource, "table T");
    EXPECT_EQ(error.failed_call()->attempts, 3);
    EXPECT_THAT(error.what(), HasSubstr("failed after 3 attempts"));
  }
}

TEST_F(FailedCallTest, ACancelledTransactionKeepsItsTypeAndNamesBothTables) {
  transport.reply_json(
      400, {{"__type", "x#TransactionCanceledException"},
            {"Message", "Transaction cancelled [ValidationError, None]"},
            {"CancellationReasons", {{{"Code", "ValidationError"}}, {{"Code", "None"}}}}});
  const json request = {
      {"TransactItems",
       {{{"Put", {{"TableName", "receipts"}}}}, {{"Update", {{"TableName", "status"}}}}}}};
  try {
    dynamodb.transact_write_items(
        request, [](int) { return std::string("t"); }, in_a_minute());
    FAIL() << "expected TransactionCanceled";
  } catch (const TransactionCanceled& error) {
    EXPECT_EQ(error.reasons().size(), 2u);
    EXPECT_THAT(error.what(), StartsWith("TransactWriteItems on tables receipts, status failed "
                                         "after 1 attempt: TransactionCanceledException"));
  }
}

TEST_F(FailedCallTest, AMissingQueueIsNamedByItsUrl) {
  transport.reply_json(400, {{"__type", "com.amazonaws.sqs#QueueDoesNotExist"}, {"message", "no"}},
                       {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}});
  try {
    sqs.send_message({kQueue, "x", "g", "d", std::nullopt}, in_a_minute());
    FAIL() << "expected AwsError";
  } catch (const AwsError& error) {
    EXPECT_THAT(error.what(), StartsWith(std::string("SendMessage on queue ") + kQueue +
                                         " failed after 1 attempt: "
                                         "AWS.SimpleQueueService.NonExistentQueue"));
  }
}

TEST_F(FailedCallTest, AMissingTopicIsNamedByItsArn) {
  transport.reply(404,
                  "<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code>"
                  "<Message>Topic does not exist</Message></Error><RequestId>r-9</RequestId>"
                  "</ErrorResponse>");
  try {
    sns.publish({kTopic, "m", "", "", ""}, in_a_minute());
    FAIL() << "expected AwsError";
  } catch (const AwsError& error) {
    EXPECT_THAT(error.what(),
                StartsWith(std::string("Publish on topic ") + kTopic +
                           " failed after 1 attempt: NotFound: Topic does not exist"));
  }
}

TEST(FailedCall, AnErrorBuiltOutsideAClientKeepsItsPlainText) {
  const AwsError error("MalformedResponse", "bad", "", 200, false);
  EXPECT_EQ(error.failed_call(), nullptr);
  EXPECT_STREQ(error.what(), "MalformedResponse: bad (HTTP 200)");
}

}  // namespace
