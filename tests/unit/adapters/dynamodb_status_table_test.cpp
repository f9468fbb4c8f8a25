#include "adapters/dynamodb_status_table.hpp"

#include <gtest/gtest.h>

#include "scripted_transport.hpp"

using nlohmann::json;
using ssc::adapters::DynamoStatusTable;
using ssc::aws::AwsError;
using ssc::aws::DynamoDbClient;
using ssc::core::CollectionKey;
using ssc::core::CollectionNotFound;
using ssc::core::PendingMark;
using ssc::core::Stage;
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
  const auto result = table.count_file(kKey, std::string("tok"), "");
  EXPECT_TRUE(result.counted);
  EXPECT_EQ(result.row.status, "Sent");
  EXPECT_EQ(result.row.files_received, 2);
  EXPECT_EQ(result.row.files_exported, 3);
  EXPECT_FALSE(result.row.pending.has_value());

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
  EXPECT_TRUE(table.count_file(kKey, std::nullopt, "").counted);
  const json body = transport.body(0);
  EXPECT_EQ(body["UpdateExpression"], "ADD FilesReceived :one");
  EXPECT_EQ(body["ConditionExpression"], "attribute_exists(CorrelationId)");
  EXPECT_EQ(body["ExpressionAttributeValues"], (json{{":one", {{"N", "1"}}}}));
}

TEST_F(StatusTableTest, AnEmptyTokenCountsLikeNoToken) {
  transport.reply_json(200, {{"Attributes", row_item("Exported", 1, {})}});
  EXPECT_TRUE(table.count_file(kKey, std::string(), "").counted);
  EXPECT_EQ(transport.body(0)["UpdateExpression"], "ADD FilesReceived :one");
}

TEST_F(StatusTableTest, DuplicateWithOldItemIsNotCountedInOneRequest) {
  transport.reply_json(400, condition_failed(row_item("Sent", 5, {"tok"})));
  const auto result = table.count_file(kKey, std::string("tok"), "");
  EXPECT_FALSE(result.counted);
  EXPECT_EQ(result.row.files_received, 5);
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(StatusTableTest, RefusalWithoutOldItemAndNoRowIsCollectionNotFound) {
  transport.reply_json(400, condition_failed());
  transport.reply(200, "{}");
  try {
    table.count_file(kKey, std::string("tok"), "");
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
  const auto result = table.count_file(kKey, std::string("tok"), "");
  EXPECT_FALSE(result.counted);
  EXPECT_EQ(result.row.files_received, 7);
  EXPECT_EQ(transport.body(1)["ProjectionExpression"],
            "CollectionStatus, FilesExported, FilesReceived, PendingEffectsUntil, "
            "PendingEffectsOwner, ReceivedEffectsBy, SuccessEffectsBy, ReceivedFileTokens");
}

TEST_F(StatusTableTest, CountWithOwnerRecordsItBesideTheToken) {
  transport.reply_json(200, {{"Attributes", row_item("Sent", 2, {"tok", "~inv.4"})}});
  const auto result = table.count_file(kKey, std::string("tok"), "inv.4");
  EXPECT_TRUE(result.counted);
  EXPECT_TRUE(result.same_message_owners.empty());
  const json body = transport.body(0);
  EXPECT_EQ(body["UpdateExpression"], "ADD FilesReceived :one, ReceivedFileTokens :tokens");
  EXPECT_EQ(body["ConditionExpression"],
            "attribute_exists(CorrelationId) AND NOT contains(ReceivedFileTokens, :token)");
  EXPECT_EQ(body["ExpressionAttributeValues"], (json{{":one", {{"N", "1"}}},
                                                     {":tokens", {{"SS", {"tok", "~inv.4"}}}},
                                                     {":token", {{"S", "tok"}}}}));
}

TEST_F(StatusTableTest, CountWithoutTokenRecordsNoOwner) {
  transport.reply_json(200, {{"Attributes", row_item("Exported", 1, {})}});
  EXPECT_TRUE(table.count_file(kKey, std::nullopt, "inv.4").counted);
  EXPECT_EQ(transport.body(0)["UpdateExpression"], "ADD FilesReceived :one");
  EXPECT_EQ(transport.body(0)["ExpressionAttributeValues"], (json{{":one", {{"N", "1"}}}}));
}

// Owners of one message share "<message>." (core/receipt.hpp); others are not reported.
TEST_F(StatusTableTest, RefusalWithOldItemReportsTheOwnersOfTheSameMessage) {
  transport.reply_json(
      400, condition_failed(row_item("Sent", 5,
                                     {"tok", "~AbCdEfGh.1.aaaaaa0", "~AbCdEfGh.2.bbbbbb3",
                                      "~ZzZzZzZz.1.aaaaaa1", "other", "~inv.4"})));
  const auto result = table.count_file(kKey, std::string("tok"), "AbCdEfGh.3.cccccc0");
  EXPECT_FALSE(result.counted);
  EXPECT_EQ(result.same_message_owners,
            (std::vector<std::string>{"AbCdEfGh.1.aaaaaa0", "AbCdEfGh.2.bbbbbb3"}));
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST_F(StatusTableTest, RefusalWithoutOldItemReadsTheOwnersBesideTheTokens) {
  transport.reply_json(400, condition_failed());
  transport.reply_json(200, {{"Item", row_item("Sent", 5, {"tok", "~inv.4", "~inv.40"})}});
  const auto result = table.count_file(kKey, std::string("tok"), "inv.4");
  EXPECT_FALSE(result.counted);
  // An owner without message has no relatives: only itself, exactly.
  EXPECT_EQ(result.same_message_owners, std::vector<std::string>{"inv.4"});
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(target(1), "DynamoDB_20120810.GetItem");
}

TEST_F(StatusTableTest, RefusalOfACountWithoutOwnerReportsNone) {
  transport.reply_json(400, condition_failed(row_item("Sent", 5, {"tok", "~inv.4"})));
  EXPECT_TRUE(table.count_file(kKey, std::string("tok"), "").same_message_owners.empty());
}

TEST_F(StatusTableTest, RowThatAppearedAfterTheRefusalIsCountedAgain) {
  transport.reply_json(400, condition_failed());
  transport.reply_json(200, {{"Item", row_item("Exporting", 0, {})}});
  transport.reply_json(200, {{"Attributes", row_item("Exporting", 1, {"tok"})}});
  const auto result = table.count_file(kKey, std::string("tok"), "");
  EXPECT_TRUE(result.counted);
  EXPECT_EQ(result.row.files_received, 1);
  ASSERT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(target(2), "DynamoDB_20120810.UpdateItem");
}

TEST_F(StatusTableTest, TokenlessRefusalWithRowPresentCountsAgain) {
  transport.reply_json(400, condition_failed());
  transport.reply_json(200, {{"Item", row_item("Exporting", 0, {})}});
  transport.reply_json(200, {{"Attributes", row_item("Exporting", 1, {})}});
  EXPECT_TRUE(table.count_file(kKey, std::nullopt, "").counted);
  EXPECT_EQ(transport.body(1)["ProjectionExpression"],
            "CollectionStatus, FilesExported, FilesReceived, PendingEffectsUntil, "
            "PendingEffectsOwner, ReceivedEffectsBy, SuccessEffectsBy");
}

TEST_F(StatusTableTest, GivesUpAfterRepeatedInconsistentRefusals) {
  for (int i = 0; i < 3; ++i) {
    transport.reply_json(400, condition_failed());
    transport.reply_json(200, {{"Item", row_item("Exporting", 0, {})}});
  }
  EXPECT_THROW(table.count_file(kKey, std::string("tok"), ""), ssc::aws::ConditionalCheckFailed);
  EXPECT_EQ(transport.requests.size(), 6u);
}

TEST_F(StatusTableTest, OtherErrorsPassThrough) {
  transport.reply_json(400, {{"__type", "x#ResourceNotFoundException"}, {"message", "no table"}});
  try {
    table.count_file(kKey, std::string("tok"), "");
    FAIL();
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "ResourceNotFoundException");
  }
}

TEST_F(StatusTableTest, ReadProjectsOnlyTheRowAttributes) {
  json item = row_item("Received", 3, {});
  item.erase("ReceivedFileTokens");
  item["PendingEffectsUntil"] = {{"N", "1700000000000"}};
  item["PendingEffectsOwner"] = {{"S", "tok.3"}};
  item["ReceivedEffectsBy"] = {{"S", "tok.1"}};
  transport.reply_json(200, {{"Item", item}});
  const auto row = table.read(kKey);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, "Received");
  EXPECT_EQ(row->pending, (PendingMark{1700000000000, "tok.3"}));
  EXPECT_EQ(row->effects_done_by.received, (ssc::core::StageDoneBy{"tok.1", false}));
  EXPECT_EQ(row->effects_done_by.completed, ssc::core::StageDoneBy{});
  EXPECT_EQ(transport.body(0),
            (json{{"TableName", "ExportStatus"},
                  {"Key", kKeyJson},
                  {"ConsistentRead", true},
                  {"ProjectionExpression",
                   "CollectionStatus, FilesExported, FilesReceived, PendingEffectsUntil, "
                   "PendingEffectsOwner, ReceivedEffectsBy, SuccessEffectsBy"}}));
}

TEST_F(StatusTableTest, AMarkFromBeforeOwnersReadsWithAnEmptyOwner) {
  json item = row_item("Received", 3, {});
  item["PendingEffectsUntil"] = {{"N", "17"}};
  transport.reply_json(200, {{"Item", item}});
  EXPECT_EQ(table.read(kKey)->pending, (PendingMark{17, ""}));
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
  EXPECT_FALSE(row->pending.has_value());
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

TEST_F(StatusTableTest, TransitionIsOneConditionalSetOfStatusAndMark) {
  transport.reply(200, "{}");
  EXPECT_TRUE(table.transition(kKey, {"Exported", "Sent"}, "Received", PendingMark{1234, "tok.0"}));
  EXPECT_EQ(transport.body(0),
            (json{{"TableName", "ExportStatus"},
                  {"Key", kKeyJson},
                  {"UpdateExpression",
                   "SET CollectionStatus = :to, PendingEffectsUntil = :until, "
                   "PendingEffectsOwner = :owner"},
                  {"ConditionExpression",
                   "CollectionStatus IN (:f0, :f1) AND NOT (CollectionStatus = :pending_stage "
                   "AND attribute_exists(PendingEffectsUntil))"},
                  {"ExpressionAttributeValues",
                   {{":to", {{"S", "Received"}}},
                    {":until", {{"N", "1234"}}},
                    {":owner", {{"S", "tok.0"}}},
                    {":f0", {{"S", "Exported"}}},
                    {":f1", {{"S", "Sent"}}},
                    {":pending_stage", {{"S", "Received"}}}}},
                  {"ReturnValues", "NONE"}}));
}

TEST_F(StatusTableTest, RefusedTransitionIsFalse) {
  transport.reply_json(400, condition_failed());
  EXPECT_FALSE(table.transition(kKey, {"Received"}, "Success", PendingMark{1, "tok.0"}));
}

TEST_F(StatusTableTest, TransitionWhoseAnswerWasLostIsRefusedOnTheRepeat) {
  // The write reached the table and the connection was reset; the retry meets the
  // condition the first write made false. The adapter can only say "refused": the core
  // reads the row and finds its own mark.
  transport.reset_connection();
  transport.reply_json(400, condition_failed());
  EXPECT_FALSE(table.transition(kKey, {"Sent"}, "Received", PendingMark{1, "tok.0"}));
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(transport.requests[0].body, transport.requests[1].body);
}

TEST_F(StatusTableTest, TransitionFromNothingWritesNothing) {
  EXPECT_FALSE(table.transition(kKey, {}, "Success", PendingMark{1, "tok.0"}));
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(StatusTableTest, AMarkWithoutOwnerIsNeverWritten) {
  EXPECT_THROW(table.transition(kKey, {"Sent"}, "Received", PendingMark{1, ""}),
               std::invalid_argument);
  EXPECT_THROW(table.claim_pending(kKey, PendingMark{1, "a"}, PendingMark{2, ""}),
               std::invalid_argument);
  EXPECT_THROW(table.finish_effects(kKey, "", Stage::Received, false), std::invalid_argument);
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(StatusTableTest, ClaimPendingIsConditionalOnTheOwnerSeen) {
  transport.reply(200, "{}");
  transport.reply_json(400, condition_failed());
  EXPECT_TRUE(table.claim_pending(kKey, PendingMark{100, "dead.1"}, PendingMark{200, "tok.0"}));
  EXPECT_FALSE(table.claim_pending(kKey, PendingMark{100, "dead.1"}, PendingMark{300, "tok.5"}));
  EXPECT_EQ(transport.body(0)["UpdateExpression"],
            "SET PendingEffectsUntil = :until, PendingEffectsOwner = :owner");
  EXPECT_EQ(transport.body(0)["ConditionExpression"], "PendingEffectsOwner = :seen_owner");
  EXPECT_EQ(transport.body(0)["ExpressionAttributeValues"],
            (json{{":until", {{"N", "200"}}},
                  {":owner", {{"S", "tok.0"}}},
                  {":seen_owner", {{"S", "dead.1"}}}}));
}

TEST_F(StatusTableTest, ClaimOfAMarkWithoutOwnerIsConditionalOnItsTime) {
  transport.reply(200, "{}");
  EXPECT_TRUE(table.claim_pending(kKey, PendingMark{100, ""}, PendingMark{200, "tok.0"}));
  EXPECT_EQ(transport.body(0)["ConditionExpression"],
            "attribute_not_exists(PendingEffectsOwner) AND PendingEffectsUntil = :seen_until");
  EXPECT_EQ(transport.body(0)["ExpressionAttributeValues"],
            (json{{":until", {{"N", "200"}}},
                  {":owner", {{"S", "tok.0"}}},
                  {":seen_until", {{"N", "100"}}}}));
}

TEST_F(StatusTableTest, ClaimWhoseAnswerWasLostIsRefusedOnTheRepeat) {
  transport.reset_connection();
  transport.reply_json(400, condition_failed());
  EXPECT_FALSE(table.claim_pending(kKey, PendingMark{100, "dead.1"}, PendingMark{200, "tok.0"}));
  EXPECT_EQ(transport.requests.size(), 2u);
}

TEST_F(StatusTableTest, FinishEffectsRemovesTheMarkAndRecordsWhoFinishedOnlyForItsOwner) {
  transport.reply(200, "{}");
  transport.reply_json(400, condition_failed());
  transport.reply(200, "{}");
  table.finish_effects(kKey, "tok.0", Stage::Received, false);
  EXPECT_NO_THROW(table.finish_effects(kKey, "tok.0", Stage::Received, false));
  table.finish_effects(kKey, "tok.1", Stage::Completed, true);
  EXPECT_EQ(transport.body(0)["UpdateExpression"],
            "REMOVE PendingEffectsUntil, PendingEffectsOwner SET ReceivedEffectsBy = :record");
  EXPECT_EQ(transport.body(0)["ConditionExpression"], "PendingEffectsOwner = :owner");
  EXPECT_EQ(transport.body(0)["ExpressionAttributeValues"],
            (json{{":owner", {{"S", "tok.0"}}}, {":record", {{"S", "tok.0"}}}}));
  // With the run's notification sent by the same call.
  EXPECT_EQ(transport.body(2)["UpdateExpression"],
            "REMOVE PendingEffectsUntil, PendingEffectsOwner SET SuccessEffectsBy = :record");
  EXPECT_EQ(transport.body(2)["ExpressionAttributeValues"][":record"], (json{{"S", "tok.1 run"}}));
}

TEST_F(StatusTableTest, RowsTellWhoFinishedEachStage) {
  json item = row_item("Success", 3, {});
  item["ReceivedEffectsBy"] = {{"S", "tok.1 run"}};
  item["SuccessEffectsBy"] = {{"S", "tok.2"}};
  transport.reply_json(200, {{"Item", item}});
  const auto row = table.read(kKey);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->effects_done_by.received, (ssc::core::StageDoneBy{"tok.1", true}));
  EXPECT_EQ(row->effects_done_by.completed, (ssc::core::StageDoneBy{"tok.2", false}));
}

TEST_F(StatusTableTest, FinishEffectsPassesOtherErrorsOn) {
  transport.reply_json(400, {{"__type", "x#ValidationException"}, {"message", "bad"}});
  EXPECT_THROW(table.finish_effects(kKey, "tok.0", Stage::Received, false), AwsError);
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
