#include "adapters/dynamodb_status_table.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "../aws/scripted_transport.hpp"

using nlohmann::json;
using ssc::adapters::DynamoStatusTable;
using ssc::aws::AwsError;
using ssc::aws::DynamoDbClient;
using ssc::core::CollectionKey;
using ssc::core::CollectionNotFound;
using ssc::core::PendingMark;
using ssc::core::Stage;
using ssc::test::FixedCredentials;
using ssc::test::in_a_minute;
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
  DynamoStatusTable table{client, ssc::adapters::StatusTables{"ExportStatus", "Receipts"}};

  std::string target(std::size_t i) const { return transport.header(i, "x-amz-target"); }

  // One file counted alone: a group of one.
  struct OneCount {
    bool counted;
    ssc::core::Owner counted_by;
    ssc::core::CollectionRow row;
  };
  OneCount count_one(const std::optional<std::string>& receipt_key, const ssc::core::Owner& owner,
                     ssc::aws::Deadline deadline = in_a_minute()) {
    const ssc::core::GroupCount result = table.count_files(kKey, {{receipt_key, owner}}, deadline);
    return {result.files.at(0).counted, result.files.at(0).counted_by, result.row};
  }
};

json cancelled(const std::string& receipt_reason, const std::string& row_reason,
               const std::optional<json>& old_receipt = std::nullopt) {
  json receipt = {{"Code", receipt_reason}};
  if (receipt_reason != "None") receipt["Message"] = "The conditional request failed";
  if (old_receipt) receipt["Item"] = *old_receipt;
  json row = {{"Code", row_reason}};
  if (row_reason != "None") row["Message"] = "The conditional request failed";
  return {{"__type", "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"},
          {"Message",
           "Transaction cancelled, please refer cancellation reasons for specific "
           "reasons [" +
               receipt_reason + ", " + row_reason + "]"},
          {"CancellationReasons", {receipt, row}}};
}

json receipt_item(const std::string& owner) {
  json item = {{"ReceiptKey", {{"S", "rk"}}}, {"ExpiresAt", {{"N", "1700000000"}}}};
  if (!owner.empty()) item["CountedBy"] = {{"S", owner}};
  return item;
}

TEST_F(StatusTableTest, CountWithReceiptIsOneTransactionAndOneSmallRead) {
  transport.reply_json(200, json::object());
  transport.reply_json(200, {{"Item", row_item("Sent", 2, {})}});
  const auto before = std::chrono::system_clock::now();
  const auto result = count_one(std::string("rk"), "AbCdEfGh.1.tok0");
  EXPECT_TRUE(result.counted);
  EXPECT_EQ(result.row.status, "Sent");
  EXPECT_EQ(result.row.files_received, 2);
  EXPECT_EQ(result.row.files_exported, 3);

  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(target(0), "DynamoDB_20120810.TransactWriteItems");
  json body = transport.body(0);
  // ExpiresAt: 30 days after the count (the default), in epoch seconds.
  const auto expires =
      std::stoll(body["TransactItems"][0]["Put"]["Item"]["ExpiresAt"]["N"].get<std::string>());
  const auto expected = std::chrono::duration_cast<std::chrono::seconds>(
                            (before + std::chrono::hours(24 * 30)).time_since_epoch())
                            .count();
  EXPECT_GE(expires, expected);
  EXPECT_LE(expires, expected + 5);
  body["TransactItems"][0]["Put"]["Item"].erase("ExpiresAt");
  const std::string token = body["ClientRequestToken"];
  EXPECT_EQ(token.size(), 32u);
  body.erase("ClientRequestToken");
  EXPECT_EQ(
      body,
      (json{
          {"TransactItems",
           {{{"Put",
              {{"TableName", "Receipts"},
               {"Item", {{"ReceiptKey", {{"S", "rk"}}}, {"CountedBy", {{"S", "AbCdEfGh.1.tok0"}}}}},
               {"ConditionExpression", "attribute_not_exists(ReceiptKey)"},
               {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"}}}},
            {{"Update",
              {{"TableName", "ExportStatus"},
               {"Key", kKeyJson},
               {"UpdateExpression", "ADD FilesReceived :files"},
               {"ConditionExpression", "attribute_exists(CorrelationId)"},
               {"ExpressionAttributeValues", {{":files", {{"N", "1"}}}}}}}}}}}));
  EXPECT_EQ(target(1), "DynamoDB_20120810.GetItem");
  EXPECT_EQ(transport.body(1)["ConsistentRead"], true);
}

TEST_F(StatusTableTest, TheRequestTokenIsTheSameForTheSameCountAndOtherwiseDiffers) {
  for (int i = 0; i < 3; ++i) {
    transport.reply_json(200, json::object());
    transport.reply_json(200, {{"Item", row_item("Sent", 1, {})}});
  }
  count_one(std::string("rk"), "AbCdEfGh.1.tok0");
  count_one(std::string("rk"), "AbCdEfGh.2.tok0");
  count_one(std::string("rk2"), "AbCdEfGh.1.tok0");
  const auto token = [&](std::size_t i) {
    return transport.body(i)["ClientRequestToken"].get<std::string>();
  };
  EXPECT_NE(token(0), token(2));
  EXPECT_NE(token(0), token(4));
  EXPECT_NE(token(2), token(4));
}

TEST_F(StatusTableTest, ARetriedTransactionIsTheSameRequest) {
  transport.reply_json(500, {{"__type", "x#InternalServerError"}, {"message", "boom"}});
  transport.reply_json(200, json::object());
  transport.reply_json(200, {{"Item", row_item("Sent", 1, {})}});
  EXPECT_TRUE(count_one(std::string("rk"), "AbCdEfGh.1.tok0").counted);
  ASSERT_EQ(transport.requests.size(), 3u);
  // The same ClientRequestToken and the same ExpiresAt: DynamoDB applies it once.
  EXPECT_EQ(transport.body(0), transport.body(1));
}

TEST_F(StatusTableTest, ATransactionConflictIsRetried) {
  transport.reply_json(400, cancelled("TransactionConflict", "None"));
  transport.reply_json(400, cancelled("None", "TransactionConflict"));
  transport.reply_json(200, json::object());
  transport.reply_json(200, {{"Item", row_item("Sent", 1, {})}});
  EXPECT_TRUE(count_one(std::string("rk"), "AbCdEfGh.1.tok0").counted);
  ASSERT_EQ(transport.requests.size(), 4u);
  // The same transaction, each attempt under a token of its own.
  json first = transport.body(0);
  json third = transport.body(2);
  EXPECT_NE(first["ClientRequestToken"], third["ClientRequestToken"]);
  EXPECT_NE(first["ClientRequestToken"], transport.body(1)["ClientRequestToken"]);
  first.erase("ClientRequestToken");
  third.erase("ClientRequestToken");
  EXPECT_EQ(first, third);
}

TEST_F(StatusTableTest, ConflictsAreRetriedPastThePolicysAttemptsUntilTheDeadline) {
  // Contention is not failure: the policy allows 3 attempts, the conflicts go on longer.
  for (int i = 0; i < 7; ++i) transport.reply_json(400, cancelled("None", "TransactionConflict"));
  transport.reply_json(200, json::object());
  transport.reply_json(200, {{"Item", row_item("Sent", 1, {})}});
  const ssc::core::GroupCount result =
      table.count_files(kKey, {{std::string("rk"), "AbCdEfGh.1.tok0"}}, in_a_minute());
  EXPECT_TRUE(result.files.at(0).counted);
  EXPECT_EQ(result.transactions, 8);
  EXPECT_EQ(result.conflicts, 7);
}

TEST_F(StatusTableTest, ConflictsThatOutlastTheDeadlineFailTheCountNamingEveryAttempt) {
  for (int i = 0; i < 400; ++i) transport.reply_json(400, cancelled("None", "TransactionConflict"));
  // Backoff of a few milliseconds: the deadline, not the scripted answers, ends it.
  ssc::aws::RetryPolicy policy = ssc::test::fast_policy();
  policy.base_delay = std::chrono::milliseconds(2);
  policy.max_delay = std::chrono::milliseconds(4);
  DynamoDbClient slow{ssc::test::test_endpoint("dynamodb"), credentials, transport, policy};
  DynamoStatusTable slow_table{slow, ssc::adapters::StatusTables{"ExportStatus", "Receipts"}};
  try {
    slow_table.count_files(kKey, {{std::string("rk"), "AbCdEfGh.1.tok0"}},
                           std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
    FAIL();
  } catch (const ssc::aws::TransactionCanceled& error) {
    // The message fails and SQS brings it back: nothing was counted.
    EXPECT_TRUE(error.conflict());
    ASSERT_NE(error.failed_call(), nullptr);
    EXPECT_EQ(static_cast<std::size_t>(error.failed_call()->attempts), transport.requests.size());
    EXPECT_GT(error.failed_call()->attempts, 3);
    EXPECT_NE(std::string(error.what())
                  .find("after " + std::to_string(transport.requests.size()) + " attempts"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(StatusTableTest, AGroupIsOneTransactionOfItsReceiptsAndOneAddOfTheirNumber) {
  transport.reply_json(200, json::object());
  transport.reply_json(200, {{"Item", row_item("Sent", 3, {})}});
  // Two files, one of them delivered twice in the batch, and one without a name.
  const ssc::core::GroupCount result = table.count_files(kKey,
                                                         {{std::string("rk-a"), "AaAaAaAa.1.tok0"},
                                                          {std::string("rk-b"), "BbBbBbBb.1.tok1"},
                                                          {std::nullopt, "CcCcCcCc.1.tok2"},
                                                          {std::string("rk-a"), "DdDdDdDd.1.tok3"}},
                                                         in_a_minute());
  ASSERT_EQ(transport.requests.size(), 2u);
  const json body = transport.body(0);
  const json& actions = body["TransactItems"];
  ASSERT_EQ(actions.size(), 3u);  // one Put per key: DynamoDB refuses two actions on one item
  EXPECT_EQ(actions[0]["Put"]["Item"]["CountedBy"]["S"], "AaAaAaAa.1.tok0");
  EXPECT_EQ(actions[1]["Put"]["Item"]["CountedBy"]["S"], "BbBbBbBb.1.tok1");
  EXPECT_EQ(actions[0]["Put"]["Item"]["ExpiresAt"], actions[1]["Put"]["Item"]["ExpiresAt"]);
  EXPECT_EQ(actions[2]["Update"]["ExpressionAttributeValues"][":files"]["N"], "3");
  EXPECT_TRUE(result.files[0].counted && result.files[1].counted && result.files[2].counted);
  // The second delivery of rk-a is a duplicate of the first, settled after the commit.
  EXPECT_FALSE(result.files[3].counted);
  EXPECT_EQ(result.files[3].counted_by, ssc::core::Owner("AaAaAaAa.1.tok0"));
  EXPECT_EQ(result.row.files_received, 3);
  EXPECT_EQ(result.transactions, 1);
}

TEST_F(StatusTableTest, AReceiptThatExistsIsSettledAndTheRestCountedWithoutItUnderANewToken) {
  json refused = cancelled("ConditionalCheckFailed", "None", receipt_item("AbCdEfGh.1.first0"));
  // Three actions: the receipts of rk and rk-2, and the row.
  refused["CancellationReasons"] = {
      refused["CancellationReasons"][0], {{"Code", "None"}}, {{"Code", "None"}}};
  transport.reply_json(400, refused);
  transport.reply_json(200, json::object());
  transport.reply_json(200, {{"Item", row_item("Sent", 2, {})}});
  const ssc::core::GroupCount result = table.count_files(
      kKey, {{std::string("rk"), "AbCdEfGh.2.second0"}, {std::string("rk-2"), "XyXyXyXy.1.x0"}},
      in_a_minute());
  EXPECT_FALSE(result.files[0].counted);
  EXPECT_EQ(result.files[0].counted_by, ssc::core::Owner("AbCdEfGh.1.first0"));
  EXPECT_TRUE(result.files[1].counted);
  ASSERT_EQ(transport.requests.size(), 3u);
  const json second = transport.body(1);
  ASSERT_EQ(second["TransactItems"].size(), 2u);
  EXPECT_EQ(second["TransactItems"][0]["Put"]["Item"]["ReceiptKey"]["S"], "rk-2");
  EXPECT_EQ(second["TransactItems"][1]["Update"]["ExpressionAttributeValues"][":files"]["N"], "1");
  // Other actions, another token: a token is never sent again with other actions.
  EXPECT_NE(transport.body(0)["ClientRequestToken"], second["ClientRequestToken"]);
}

TEST_F(StatusTableTest, AGroupOfMoreThan99ReceiptsTakesOneTransactionPer99) {
  transport.reply_json(200, json::object());
  transport.reply_json(200, json::object());
  transport.reply_json(200, {{"Item", row_item("Sent", 150, {})}});
  std::vector<ssc::core::FileToCount> files;
  for (int i = 0; i < 150; ++i) {
    files.push_back({"rk-" + std::to_string(i), "AbCdEfGh.1.tok" + std::to_string(i)});
  }
  const ssc::core::GroupCount result = table.count_files(kKey, files, in_a_minute());
  ASSERT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(transport.body(0)["TransactItems"].size(), 100u);
  EXPECT_EQ(transport.body(1)["TransactItems"].size(), 52u);
  EXPECT_EQ(
      transport.body(1)["TransactItems"][51]["Update"]["ExpressionAttributeValues"][":files"]["N"],
      "51");
  EXPECT_EQ(result.transactions, 2);
}

TEST_F(StatusTableTest, CountWithoutReceiptIsOneConditionalAdd) {
  transport.reply_json(200, {{"Attributes", row_item("Exported", 1, {})}});
  EXPECT_TRUE(count_one(std::nullopt, "").counted);
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(target(0), "DynamoDB_20120810.UpdateItem");
  EXPECT_EQ(transport.body(0), (json{{"TableName", "ExportStatus"},
                                     {"Key", kKeyJson},
                                     {"UpdateExpression", "ADD FilesReceived :files"},
                                     {"ConditionExpression", "attribute_exists(CorrelationId)"},
                                     {"ExpressionAttributeValues", {{":files", {{"N", "1"}}}}},
                                     {"ReturnValues", "ALL_NEW"}}));
}

TEST_F(StatusTableTest, AnEmptyReceiptKeyCountsLikeNone) {
  transport.reply_json(200, {{"Attributes", row_item("Exported", 1, {})}});
  EXPECT_TRUE(count_one(std::string(""), "").counted);
  EXPECT_EQ(target(0), "DynamoDB_20120810.UpdateItem");
}

TEST_F(StatusTableTest, AFileCountedBeforeIsNotCountedAndNamesWhoCountedIt) {
  transport.reply_json(
      400, cancelled("ConditionalCheckFailed", "None", receipt_item("AbCdEfGh.1.first0")));
  transport.reply_json(200, {{"Item", row_item("Sent", 2, {})}});
  const auto result = count_one(std::string("rk"), "AbCdEfGh.2.second0");
  EXPECT_FALSE(result.counted);
  EXPECT_EQ(result.counted_by, ssc::core::Owner("AbCdEfGh.1.first0"));
  EXPECT_EQ(result.row.files_received, 2);
  EXPECT_EQ(transport.requests.size(), 2u);  // the transaction and the row's read
}

TEST_F(StatusTableTest, ARefusalWithoutTheOldReceiptReadsIt) {
  transport.reply_json(400, cancelled("ConditionalCheckFailed", "None"));
  transport.reply_json(200, {{"Item", receipt_item("AbCdEfGh.1.first0")}});
  transport.reply_json(200, {{"Item", row_item("Sent", 2, {})}});
  const auto result = count_one(std::string("rk"), "AbCdEfGh.2.second0");
  EXPECT_FALSE(result.counted);
  EXPECT_EQ(result.counted_by, ssc::core::Owner("AbCdEfGh.1.first0"));
  EXPECT_EQ(transport.body(1), (json{{"TableName", "Receipts"},
                                     {"Key", {{"ReceiptKey", {{"S", "rk"}}}}},
                                     {"ConsistentRead", true}}));
}

TEST_F(StatusTableTest, AReceiptWithoutOwnerNamesNobody) {
  transport.reply_json(400, cancelled("ConditionalCheckFailed", "None", receipt_item("")));
  transport.reply_json(200, {{"Item", row_item("Sent", 2, {})}});
  EXPECT_TRUE(count_one(std::string("rk"), "AbCdEfGh.2.x0").counted_by.empty());
}

TEST_F(StatusTableTest, AMissingRowIsCollectionNotFoundWhateverTheReceipt) {
  for (const char* receipt : {"None", "ConditionalCheckFailed"}) {
    transport.reply_json(400, cancelled(receipt, "ConditionalCheckFailed"));
    EXPECT_THROW(count_one(std::string("rk"), "AbCdEfGh.1.x0"), CollectionNotFound) << receipt;
  }
  transport.reply_json(400, condition_failed());
  EXPECT_THROW(count_one(std::nullopt, ""), CollectionNotFound);
  EXPECT_EQ(transport.requests.size(), 3u);  // nothing read, nothing written
}

TEST_F(StatusTableTest, ARowDeletedRightAfterItsCountIsCollectionNotFound) {
  transport.reply_json(200, json::object());
  transport.reply(200, "{}");
  EXPECT_THROW(count_one(std::string("rk"), "AbCdEfGh.1.x0"), CollectionNotFound);
}

TEST_F(StatusTableTest, OtherErrorsPassThrough) {
  transport.reply_json(400, {{"__type", "x#ResourceNotFoundException"}, {"message", "no table"}});
  try {
    count_one(std::string("rk"), "");
    FAIL();
  } catch (const AwsError& error) {
    EXPECT_EQ(error.code(), "ResourceNotFoundException");
  }
  // A cancellation for a reason no retry gets past (here a validation error) is thrown as it
  // came.
  transport.reply_json(400, cancelled("ValidationError", "None"));
  EXPECT_THROW(count_one(std::string("rk"), ""), ssc::aws::TransactionCanceled);
}

TEST_F(StatusTableTest, ReadProjectsOnlyTheRowAttributes) {
  json item = row_item("Received", 3, {});
  item.erase("ReceivedFileTokens");
  item["PendingEffectsUntil"] = {{"N", "1700000000000"}};
  item["PendingEffectsOwner"] = {{"S", "tok.3"}};
  item["ReceivedEffectsBy"] = {{"S", "tok.1"}};
  item["FilesSent"] = {{"N", "2"}};
  transport.reply_json(200, {{"Item", item}});
  const auto row = table.read(kKey, in_a_minute());
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->collection_name, "db.a.b");  // the item's, as the status command reads it
  EXPECT_EQ(row->status, "Received");
  EXPECT_EQ(row->files_exported, 3);
  EXPECT_EQ(row->files_sent, 2);
  EXPECT_EQ(row->pending, (PendingMark{1700000000000, "tok.3"}));
  EXPECT_EQ(row->effects_done_by.received, (ssc::core::StageDoneBy{"tok.1", false}));
  EXPECT_EQ(row->effects_done_by.successful, ssc::core::StageDoneBy{});
  EXPECT_EQ(transport.body(0),
            (json{{"TableName", "ExportStatus"},
                  {"Key", kKeyJson},
                  {"ConsistentRead", true},
                  {"ProjectionExpression",
                   "CollectionName, CollectionStatus, FilesExported, FilesSent, FilesReceived, "
                   "PendingEffectsUntil, PendingEffectsOwner, ReceivedEffectsBy, "
                   "SuccessEffectsBy"}}));
}

TEST_F(StatusTableTest, AMarkFromBeforeOwnersReadsWithAnEmptyOwner) {
  json item = row_item("Received", 3, {});
  item["PendingEffectsUntil"] = {{"N", "17"}};
  transport.reply_json(200, {{"Item", item}});
  EXPECT_EQ(table.read(kKey, in_a_minute())->pending, (PendingMark{17, ""}));
}

TEST_F(StatusTableTest, ReadOfAMissingRowIsNullopt) {
  transport.reply(200, "{}");
  EXPECT_FALSE(table.read(kKey, in_a_minute()).has_value());
}

TEST_F(StatusTableTest, AbsentAttributesReadAsDefaults) {
  transport.reply_json(200, {{"Item", kKeyJson}});
  const auto row = table.read(kKey, in_a_minute());
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->status, "");
  EXPECT_FALSE(row->files_received.has_value());  // absent stays absent, and counts as 0
  EXPECT_EQ(row->files_received_or_zero(), 0);
  EXPECT_FALSE(row->files_exported.has_value());
  EXPECT_FALSE(row->files_sent.has_value());
  EXPECT_FALSE(row->pending.has_value());
}

TEST_F(StatusTableTest, MalformedNumberIsAClearError) {
  json item = kKeyJson;
  item["FilesExported"] = {{"N", "3.5"}};
  transport.reply_json(200, {{"Item", item}});
  try {
    table.read(kKey, in_a_minute());
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
  EXPECT_TRUE(table.transition(kKey, {"Exported", "Sent"}, "Received", "",
                               PendingMark{1234, "tok.0"}, in_a_minute()));
  EXPECT_EQ(transport.body(0), (json{{"TableName", "ExportStatus"},
                                     {"Key", kKeyJson},
                                     {"UpdateExpression",
                                      "SET CollectionStatus = :to, PendingEffectsUntil = :until, "
                                      "PendingEffectsOwner = :owner"},
                                     {"ConditionExpression", "CollectionStatus IN (:f0, :f1)"},
                                     {"ExpressionAttributeValues",
                                      {{":to", {{"S", "Received"}}},
                                       {":until", {{"N", "1234"}}},
                                       {":owner", {{"S", "tok.0"}}},
                                       {":f0", {{"S", "Exported"}}},
                                       {":f1", {{"S", "Sent"}}}}},
                                     {"ReturnValues", "NONE"}}));
}

TEST_F(StatusTableTest, ATransitionIsNotMadeOverTheEarlierStagesPendingEffects) {
  transport.reply(200, "{}");
  EXPECT_TRUE(table.transition(kKey, {"Received", "Sent"}, "Success", "Received",
                               PendingMark{1234, "tok.0"}, in_a_minute()));
  const json body = transport.body(0);
  EXPECT_EQ(body["ConditionExpression"],
            "CollectionStatus IN (:f0, :f1) AND NOT (CollectionStatus = :pending_at AND "
            "attribute_exists(PendingEffectsUntil))");
  EXPECT_EQ(body["ExpressionAttributeValues"][":pending_at"], (json{{"S", "Received"}}));
}

TEST_F(StatusTableTest, RefusedTransitionIsFalse) {
  transport.reply_json(400, condition_failed());
  EXPECT_FALSE(table.transition(kKey, {"Received"}, "Success", "Received", PendingMark{1, "tok.0"},
                                in_a_minute()));
}

TEST_F(StatusTableTest, TransitionWhoseAnswerWasLostIsRefusedOnTheRepeat) {
  // The write reached the table and the connection was reset; the retry meets the
  // condition the first write made false. The adapter can only say "refused": the core
  // reads the row and finds its own mark.
  transport.reset_connection();
  transport.reply_json(400, condition_failed());
  EXPECT_FALSE(
      table.transition(kKey, {"Sent"}, "Received", "", PendingMark{1, "tok.0"}, in_a_minute()));
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(transport.requests[0].body, transport.requests[1].body);
}

TEST_F(StatusTableTest, TransitionFromNothingWritesNothing) {
  EXPECT_FALSE(
      table.transition(kKey, {}, "Success", "Received", PendingMark{1, "tok.0"}, in_a_minute()));
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(StatusTableTest, AMarkWithoutOwnerIsNeverWritten) {
  EXPECT_THROW(table.transition(kKey, {"Sent"}, "Received", "", PendingMark{1, ""}, in_a_minute()),
               std::invalid_argument);
  EXPECT_THROW(table.take_over(kKey, PendingMark{1, "a"}, PendingMark{2, ""}, in_a_minute()),
               std::invalid_argument);
  EXPECT_THROW(table.remove_mark(kKey, "", Stage::Received, false, in_a_minute()),
               std::invalid_argument);
  EXPECT_TRUE(transport.requests.empty());
}

TEST_F(StatusTableTest, TakeOverIsConditionalOnTheOwnerSeen) {
  transport.reply(200, "{}");
  transport.reply_json(400, condition_failed());
  EXPECT_TRUE(
      table.take_over(kKey, PendingMark{100, "dead.1"}, PendingMark{200, "tok.0"}, in_a_minute()));
  EXPECT_FALSE(
      table.take_over(kKey, PendingMark{100, "dead.1"}, PendingMark{300, "tok.5"}, in_a_minute()));
  EXPECT_EQ(transport.body(0)["UpdateExpression"],
            "SET PendingEffectsUntil = :until, PendingEffectsOwner = :owner");
  EXPECT_EQ(transport.body(0)["ConditionExpression"], "PendingEffectsOwner = :seen_owner");
  EXPECT_EQ(transport.body(0)["ExpressionAttributeValues"],
            (json{{":until", {{"N", "200"}}},
                  {":owner", {{"S", "tok.0"}}},
                  {":seen_owner", {{"S", "dead.1"}}}}));
}

TEST_F(StatusTableTest, TakeOverOfAMarkWithoutOwnerIsConditionalOnItsTime) {
  transport.reply(200, "{}");
  EXPECT_TRUE(
      table.take_over(kKey, PendingMark{100, ""}, PendingMark{200, "tok.0"}, in_a_minute()));
  EXPECT_EQ(transport.body(0)["ConditionExpression"],
            "attribute_not_exists(PendingEffectsOwner) AND PendingEffectsUntil = :seen_until");
  EXPECT_EQ(transport.body(0)["ExpressionAttributeValues"],
            (json{{":until", {{"N", "200"}}},
                  {":owner", {{"S", "tok.0"}}},
                  {":seen_until", {{"N", "100"}}}}));
}

TEST_F(StatusTableTest, TakeOverWhoseAnswerWasLostIsRefusedOnTheRepeat) {
  transport.reset_connection();
  transport.reply_json(400, condition_failed());
  EXPECT_FALSE(
      table.take_over(kKey, PendingMark{100, "dead.1"}, PendingMark{200, "tok.0"}, in_a_minute()));
  EXPECT_EQ(transport.requests.size(), 2u);
}

TEST_F(StatusTableTest, FinishEffectsRemovesTheMarkAndRecordsWhoFinishedOnlyForItsOwner) {
  transport.reply(200, "{}");
  transport.reply_json(400, condition_failed());
  transport.reply(200, "{}");
  table.remove_mark(kKey, "tok.0", Stage::Received, false, in_a_minute());
  EXPECT_NO_THROW(table.remove_mark(kKey, "tok.0", Stage::Received, false, in_a_minute()));
  table.remove_mark(kKey, "tok.1", Stage::Successful, true, in_a_minute());
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
  const auto row = table.read(kKey, in_a_minute());
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->effects_done_by.received, (ssc::core::StageDoneBy{"tok.1", true}));
  EXPECT_EQ(row->effects_done_by.successful, (ssc::core::StageDoneBy{"tok.2", false}));
}

TEST_F(StatusTableTest, FinishEffectsPassesOtherErrorsOn) {
  transport.reply_json(400, {{"__type", "x#ValidationException"}, {"message", "bad"}});
  EXPECT_THROW(table.remove_mark(kKey, "tok.0", Stage::Received, false, in_a_minute()), AwsError);
}

TEST_F(StatusTableTest, RunStatusesReadsEveryPageConsistently) {
  const json last = {{"CorrelationId", {{"S", "corr-1"}}}, {"CollectionName", {{"S", "b"}}}};
  transport.reply_json(
      200,
      {{"Items",
        {{{"CollectionStatus", {{"S", "Received"}}}}, {{"CollectionStatus", {{"S", "Success"}}}}}},
       {"LastEvaluatedKey", last}});
  transport.reply_json(200, {{"Items", json::array({json::object()})}});
  EXPECT_EQ(table.run_statuses("corr-1", in_a_minute()),
            (std::vector<std::string>{"Received", "Success", ""}));
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
