#include "adapters/dynamodb_product_table.hpp"

#include <gtest/gtest.h>

#include "../aws/scripted_transport.hpp"

using nlohmann::json;
using ssc::adapters::DynamoProductTable;
using ssc::aws::DynamoDbClient;
using ssc::core::PendingMark;
using ssc::test::FixedCredentials;
using ssc::test::in_a_minute;
using ssc::test::ScriptedTransport;

namespace {

const json kKeyJson = {{"Correlation_Id", {{"S", "corr-1"}}},
                       {"DataProduct", {{"S", "SNAPSHOT_SENDER"}}}};

json condition_failed() {
  return {{"__type", "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"},
          {"message", "The conditional request failed"}};
}

class ProductTableTest : public ::testing::Test {
 protected:
  FixedCredentials credentials;
  ScriptedTransport transport;
  DynamoDbClient client{ssc::test::test_endpoint("dynamodb"), credentials, transport,
                        ssc::test::fast_policy()};
  DynamoProductTable table{client, "Products"};
};

TEST_F(ProductTableTest, AdvanceSetsStatusUnlessDone) {
  transport.reply(200, "{}");
  EXPECT_TRUE(table.transition("corr-1", "RECEIVED", {"RECEIVED", "COMPLETED"},
                               PendingMark{99, "tok.2"}, in_a_minute()));
  EXPECT_EQ(transport.body(0),
            (json{{"TableName", "Products"},
                  {"Key", kKeyJson},
                  {"UpdateExpression",
                   "SET #s = :status, PendingEffectsUntil = :until, PendingEffectsOwner = :owner"},
                  {"ConditionExpression", "attribute_not_exists(#s) OR NOT (#s IN (:d0, :d1))"},
                  {"ExpressionAttributeNames", {{"#s", "Status"}}},
                  {"ExpressionAttributeValues",
                   {{":status", {{"S", "RECEIVED"}}},
                    {":until", {{"N", "99"}}},
                    {":owner", {{"S", "tok.2"}}},
                    {":d0", {{"S", "RECEIVED"}}},
                    {":d1", {{"S", "COMPLETED"}}}}},
                  {"ReturnValues", "NONE"}}));
}

TEST_F(ProductTableTest, AdvanceRefusedIsFalse) {
  transport.reply_json(400, condition_failed());
  EXPECT_FALSE(table.transition("corr-1", "COMPLETED", {"COMPLETED"}, PendingMark{1, "tok.0"},
                                in_a_minute()));
}

TEST_F(ProductTableTest, AdvanceWhoseAnswerWasLostIsRefusedOnTheRepeat) {
  transport.reset_connection();
  transport.reply_json(400, condition_failed());
  EXPECT_FALSE(table.transition("corr-1", "COMPLETED", {"COMPLETED"}, PendingMark{1, "tok.0"},
                                in_a_minute()));
  EXPECT_EQ(transport.requests.size(), 2u);
}

TEST_F(ProductTableTest, AdvanceWithNoDoneStatusesIsUnconditional) {
  transport.reply(200, "{}");
  EXPECT_TRUE(table.transition("corr-1", "RECEIVED", {}, PendingMark{1, "tok.0"}, in_a_minute()));
  EXPECT_FALSE(transport.body(0).contains("ConditionExpression"));
}

TEST_F(ProductTableTest, ReadUsesTheReservedWordPlaceholder) {
  transport.reply_json(200, {{"Item",
                              {{"Status", {{"S", "RECEIVED"}}},
                               {"PendingEffectsUntil", {{"N", "5"}}},
                               {"PendingEffectsOwner", {{"S", "tok.1"}}}}}});
  const auto row = table.read("corr-1", in_a_minute());
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, "RECEIVED");
  EXPECT_EQ(row->pending, (PendingMark{5, "tok.1"}));
  EXPECT_EQ(transport.body(0),
            (json{{"TableName", "Products"},
                  {"Key", kKeyJson},
                  {"ConsistentRead", true},
                  {"ProjectionExpression", "#s, PendingEffectsUntil, PendingEffectsOwner"},
                  {"ExpressionAttributeNames", {{"#s", "Status"}}}}));
}

TEST_F(ProductTableTest, ReadOfAMissingItemIsNullopt) {
  transport.reply(200, "{}");
  EXPECT_FALSE(table.read("corr-1", in_a_minute()).has_value());
}

TEST_F(ProductTableTest, TakeOverAndRemoveMarkUseTheProductKey) {
  transport.reply(200, "{}");
  transport.reply_json(400, condition_failed());
  EXPECT_TRUE(
      table.take_over("corr-1", PendingMark{1, "dead.0"}, PendingMark{2, "tok.0"}, in_a_minute()));
  table.remove_mark("corr-1", "tok.0", in_a_minute());
  EXPECT_EQ(transport.body(0)["Key"], kKeyJson);
  EXPECT_EQ(transport.body(0)["ConditionExpression"], "PendingEffectsOwner = :seen_owner");
  EXPECT_EQ(transport.body(1)["Key"], kKeyJson);
  EXPECT_EQ(transport.body(1)["UpdateExpression"],
            "REMOVE PendingEffectsUntil, PendingEffectsOwner");
  EXPECT_EQ(transport.body(1)["ConditionExpression"], "PendingEffectsOwner = :owner");
}

}  // namespace
