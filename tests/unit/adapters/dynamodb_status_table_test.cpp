#include "adapters/dynamodb_status_table.hpp"

#include <gtest/gtest.h>

#include "scripted_transport.hpp"

using nlohmann::json;
using ssc::adapters::DynamoStatusTable;
using ssc::aws::AwsError;
using ssc::aws::DynamoDbClient;
using ssc::core::CollectionKey;
using ssc::core::CollectionNotFound;
using ssc::test::FixedCredentials;
using ssc::test::ScriptedTransport;

namespace {

const CollectionKey kKey{"corr-1", "db.a.b"};
const json kKeyJson = {{"CorrelationId", {{"S", "corr-1"}}}, {"CollectionName", {{"S", "db.a.b"}}}};

json condition_failed(const std::optional<json>& item = std::nullopt) {
  json body = {{"__type", "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException"},
               {"message", "The conditional request failed"}};
  if (item) body["Item"] = *item;
  return body;
}

json row_item(const std::string& status, int received, const std::vector<std::string>& tokens) {
  json item = kKeyJson;
  item["CollectionStatus"] = {{"S", status}};
  item["FilesExported"] = {{"N", "3"}};
  item["FilesReceived"] = {{"N", std::to_string(received)}};
  if (!tokens.empty()) item["ReceivedFileTokens"] = {{"SS", tokens}};
  return item;
}

class StatusTableTest : public ::testing::Test {
 protected:
  FixedCredentials credentials;
  ScriptedTransport transport;
  DynamoDbClient client{ssc::test::test_endpoint("dynamodb"), credentials, transport,
                        ssc::test::fast_policy()};
  DynamoStatusTable table{client, "ExportStatus"};

  std::string target(std::size_t i) const { return transport.header(i, "x-amz-target"); }
};

TEST_F(StatusTableTest, CountWithTokenIsOneConditionalAdd) {
  transport.reply_json(200, {{"Attributes", row_item("Sent", 2, {"tok", "other"})}});
  const auto result = table.count_file(kKey, std::string("tok"));
  EXPECT_TRUE(result.counted);
  EXPECT_EQ(result.row.status, "Sent");
  EXPECT_EQ(result.row.files_received, 2);
  EXPECT_EQ(result.row.files_exported, 3);
  EXPECT_FALSE(result.row.pending_effects_until_ms.has_value());

  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(target(0), "DynamoDB_20120810.UpdateItem");
  EXPECT_EQ(
      transport.body(0),
      (json{{"TableName", "ExportStatus"},
            {"Key", kKeyJson},
            {"UpdateExpression", "ADD FilesReceived :one, ReceivedFileTokens :tokens"},
            {"ConditionExpression",
             "attribute_exists(CorrelationId) AND NOT contains(ReceivedFileTokens, :token)"},
            {"ExpressionAttributeValues",
             {{":one", {{"N", "1"}}}, {":tokens", {{"SS", {"tok"}}}}, {":token", {{"S", "tok"}}}}},
            {"ReturnValues", "ALL_NEW"},
            {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}}));
}

TEST_F(StatusTableTest, CountWithoutTokenOnlyNeedsTheRow) {
  transport.reply_json(200, {{"Attributes", row_item("Exported", 1, {})}});
  EXPECT_TRUE(table.count_file(kKey, std::nullopt).counted);
  const json body = transport.body(0);
  EXPECT_EQ(body["UpdateExpression"], "ADD FilesReceived :one");
  EXPECT_EQ(body["ConditionExpression"], "attribute_exists(CorrelationId)");
  EXPECT_EQ(body["ExpressionAttributeValues"], (json{{":one", {{"N", "1"}}}}));
}

TEST_F(StatusTableTest, AnEmptyTokenCountsLikeNoToken) {
  transport.reply_json(200, {{"Attributes", row_item("Exported", 1, {})}});
  EXPECT_TRUE(table.count_file(kKey, std::string()).counted);
  EXPECT_EQ(transport.body(0)["UpdateExpression"], "ADD FilesReceived :one");
}

TEST_F(StatusTableTest, DuplicateWithOldItemIsNotCountedInOneRequest) {
  transport.reply_json(400, condition_failed(row_item("Sent", 5, {"tok"})));
  const auto result = table.count_file(kKey, std::string("tok"));
  EXPECT_FALSE(result.counted);
  EXPECT_EQ(result.row.files_received, 5);
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(StatusTableTest, RefusalWithoutOldItemAndNoRowIsCollectionNotFound) {
  transport.reply_json(400, condition_failed());
  transport.reply(200, "{}");
  try {
    table.count_file(kKey, std::string("tok"));
    FAIL() << "expected CollectionNotFound";
  } catch (const CollectionNotFound& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find("corr-1"), std::string::npos) << what;
    EXPECT_NE(what.find("db.a.b"), std::string::npos) << what;
  }
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(target(1), "DynamoDB_20120810.GetItem");
  EXPECT_EQ(transport.body(1)["ConsistentRead"], true);
  EXPECT_EQ(transport.body(1)["Key"], kKeyJson);
}

TEST_F(StatusTableTest, RefusalWithoutOldItemReadsTheRowToFindTheDuplicate) {
  transport.reply_json(400, condition_failed());
  transport.reply_json(200, {{"Item", row_item("Sent", 7, {"x", "tok"})}});
  const auto result = table.count_file(kKey, std::string("tok"));
  EXPECT_FALSE(result.counted);
  EXPECT_EQ(result.row.files_received, 7);
  EXPECT_EQ(transport.body(1)["ProjectionExpression"],
            "CollectionStatus, FilesExported, FilesReceived, PendingEffectsUntil, "
            "ReceivedFileTokens");
}

TEST_F(StatusTableTest, RowThatAppearedAfterTheRefusalIsCountedAgain) {
  transport.reply_json(400, condition_failed());
  transport.reply_json(200, {{"Item", row_item("Exporting", 0, {})}});
  transport.reply_json(200, {{"Attributes", row_item("Exporting", 1, {"tok"})}});
  const auto result = table.count_file(kKey, std::string("tok"));
  EXPECT_TRUE(result.counted);
  EXPECT_EQ(result.row.files_received, 1);
  ASSERT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(target(2), "DynamoDB_20120810.UpdateItem");
}

TEST_F(StatusTableTest, TokenlessRefusalWithRowPresentCountsAgain) {
  transport.reply_json(400, condition_failed());
  transport.reply_json(200, {{"Item", row_item("Exporting", 0, {})}});
  transport.reply_json(200, {{"Attributes", row_item("Exporting", 1, {})}});
  EXPECT_TRUE(table.count_file(kKey, std::nullopt).counted);
  EXPECT_EQ(transport.body(1)["ProjectionExpression"],
            "CollectionStatus, FilesExported, FilesReceived, PendingEffectsUntil");
}

TEST_F(StatusTableTest, GivesUpAfterRepeatedInconsistentRefusals) {
  for (int i = 0; i < 3; ++i) {
    transport.reply_json(400, condition_failed());
    transport.reply_json(200, {{"Item", row_item("Exporting", 0, {})}});
  }
  EXPECT_THROW(table.count_file(kKey, std::string("tok")), ssc::aws::ConditionalCheckFailed);
  EXPECT_EQ(transport.requests.size(), 6u);
}

TEST_F(StatusTableTest, OtherErrorsPassThrough) {
  transport.reply_json(400, {{"__type", "x#ResourceNotFoundException"}, {"message", "no table"}});
  try {
    table.count_file(kKey, std::string("tok"));
    FAIL();
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "ResourceNotFoundException");
  }
}

TEST_F(StatusTableTest, ReadProjectsOnlyTheRowAttributes) {
  json item = row_item("Received", 3, {});
  item.erase("ReceivedFileTokens");
  item["PendingEffectsUntil"] = {{"N", "1700000000000"}};
  transport.reply_json(200, {{"Item", item}});
  const auto row = table.read(kKey);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, "Received");
  EXPECT_EQ(row->pending_effects_until_ms, 1700000000000);
  EXPECT_EQ(transport.body(0),
            (json{{"TableName", "ExportStatus"},
                  {"Key", kKeyJson},
                  {"ConsistentRead", true},
                  {"ProjectionExpression",
                   "CollectionStatus, FilesExported, FilesReceived, PendingEffectsUntil"}}));
}

TEST_F(StatusTableTest, ReadOfAMissingRowIsNullopt) {
  transport.reply(200, "{}");
  EXPECT_FALSE(table.read(kKey).has_value());
}

TEST_F(StatusTableTest, AbsentAttributesReadAsDefaults) {
  transport.reply_json(200, {{"Item", kKeyJson}});
  const auto row = table.read(kKey);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, "");
  EXPECT_EQ(row->files_received, 0);
  EXPECT_FALSE(row->files_exported.has_value());
}

TEST_F(StatusTableTest, MalformedNumberIsAClearError) {
  json item = kKeyJson;
  item["FilesExported"] = {{"N", "3.5"}};
  transport.reply_json(200, {{"Item", item}});
  try {
    table.read(kKey);
    FAIL();
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "MalformedResponse");
    const std::string message = error.message();
    EXPECT_NE(message.find("FilesExported"), std::string::npos) << message;
    EXPECT_NE(message.find("3.5"), std::string::npos) << message;
    EXPECT_NE(message.find("ExportStatus"), std::string::npos) << message;
    EXPECT_NE(message.find("corr-1"), std::string::npos) << message;
  }
}

TEST_F(StatusTableTest, TransitionIsOneConditionalSet) {
  transport.reply(200, "{}");
  EXPECT_TRUE(table.transition(kKey, {"Exported", "Sent"}, "Received", 1234));
  EXPECT_EQ(transport.body(0),
            (json{{"TableName", "ExportStatus"},
                  {"Key", kKeyJson},
                  {"UpdateExpression", "SET CollectionStatus = :to, PendingEffectsUntil = :until"},
                  {"ConditionExpression", "CollectionStatus IN (:f0, :f1)"},
                  {"ExpressionAttributeValues",
                   {{":to", {{"S", "Received"}}},
                    {":until", {{"N", "1234"}}},
                    {":f0", {{"S", "Exported"}}},
                    {":f1", {{"S", "Sent"}}}}},
                  {"ReturnValues", "NONE"}}));
}

TEST_F(StatusTableTest, RefusedTransitionIsFalse) {
  transport.reply_json(400, condition_failed());
  EXPECT_FALSE(table.transition(kKey, {"Received"}, "Success", 1));
}

TEST_F(StatusTableTest, TransitionFromNothingWritesNothing) {
  EXPECT_FALSE(table.transition(kKey, {}, "Success", 1));
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(StatusTableTest, ClaimPendingIsConditionalOnTheSeenValue) {
  transport.reply(200, "{}");
  transport.reply_json(400, condition_failed());
  EXPECT_TRUE(table.claim_pending(kKey, 100, 200));
  EXPECT_FALSE(table.claim_pending(kKey, 100, 300));
  EXPECT_EQ(transport.body(0)["UpdateExpression"], "SET PendingEffectsUntil = :new");
  EXPECT_EQ(transport.body(0)["ConditionExpression"], "PendingEffectsUntil = :seen");
  EXPECT_EQ(transport.body(0)["ExpressionAttributeValues"],
            (json{{":new", {{"N", "200"}}}, {":seen", {{"N", "100"}}}}));
}

TEST_F(StatusTableTest, ClearPendingIgnoresAMarkerThatIsNotOurs) {
  transport.reply(200, "{}");
  transport.reply_json(400, condition_failed());
  table.clear_pending(kKey, 100);
  EXPECT_NO_THROW(table.clear_pending(kKey, 100));
  EXPECT_EQ(transport.body(0)["UpdateExpression"], "REMOVE PendingEffectsUntil");
  EXPECT_EQ(transport.body(0)["ConditionExpression"], "PendingEffectsUntil = :own");
  EXPECT_EQ(transport.body(0)["ExpressionAttributeValues"], (json{{":own", {{"N", "100"}}}}));
}

TEST_F(StatusTableTest, ClearPendingPassesOtherErrorsOn) {
  transport.reply_json(400, {{"__type", "x#ValidationException"}, {"message", "bad"}});
  EXPECT_THROW(table.clear_pending(kKey, 100), AwsError);
}

TEST_F(StatusTableTest, RunStatusesReadsEveryPageConsistently) {
  const json last = {{"CorrelationId", {{"S", "corr-1"}}}, {"CollectionName", {{"S", "b"}}}};
  transport.reply_json(
      200,
      {{"Items",
        {{{"CollectionStatus", {{"S", "Received"}}}}, {{"CollectionStatus", {{"S", "Success"}}}}}},
       {"LastEvaluatedKey", last}});
  transport.reply_json(200, {{"Items", json::array({json::object()})}});
  EXPECT_EQ(table.run_statuses("corr-1"), (std::vector<std::string>{"Received", "Success", ""}));
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(target(0), "DynamoDB_20120810.Query");
  const json first = transport.body(0);
  EXPECT_EQ(first["KeyConditionExpression"], "CorrelationId = :c");
  EXPECT_EQ(first["ConsistentRead"], true);
  EXPECT_EQ(first["ProjectionExpression"], "CollectionStatus");
  EXPECT_EQ(first["ExpressionAttributeValues"], (json{{":c", {{"S", "corr-1"}}}}));
  EXPECT_EQ(transport.body(1)["ExclusiveStartKey"], last);
}

}  // namespace
