#include "adapters/dynamodb_receipt_reader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../aws/scripted_transport.hpp"

using nlohmann::json;
using ssc::adapters::DynamoReceiptReader;
using ssc::adapters::ReceiptState;
using ssc::aws::DynamoDbClient;
using ssc::test::FixedCredentials;
using ssc::test::in_a_minute;
using ssc::test::ScriptedTransport;
using ::testing::ElementsAre;

namespace {

json key(const std::string& k) { return {{"ReceiptKey", {{"S", k}}}}; }

json answer(const std::vector<std::string>& found, const std::vector<std::string>& unprocessed) {
  json items = json::array();
  for (const auto& k : found) items.push_back(key(k));
  json left = json::array();
  for (const auto& k : unprocessed) left.push_back(key(k));
  json body = {{"Responses", {{"Receipts", items}}}, {"UnprocessedKeys", json::object()}};
  if (!unprocessed.empty()) body["UnprocessedKeys"]["Receipts"] = {{"Keys", left}};
  return body;
}

class ReceiptReaderTest : public ::testing::Test {
 protected:
  FixedCredentials credentials;
  ScriptedTransport transport;
  DynamoDbClient client{ssc::test::test_endpoint("dynamodb"), credentials, transport,
                        ssc::test::fast_policy()};
  // One request at a time: the scripted transport answers in order.
  DynamoReceiptReader reader{client, "Receipts", 1, ssc::test::fast_policy()};
};

TEST_F(ReceiptReaderTest, AsksStronglyConsistentlyInRequestsOfAHundredKeys) {
  std::vector<std::string> keys;
  for (int i = 0; i < 150; ++i) keys.push_back("k" + std::to_string(i));
  transport.reply_json(200, answer({"k0", "k99"}, {}));
  transport.reply_json(200, answer({"k100"}, {}));

  const auto lookup = reader.look_up(keys, in_a_minute());

  EXPECT_EQ(lookup.requests, 2u);
  const json first = transport.body(0)["RequestItems"]["Receipts"];
  EXPECT_EQ(first["Keys"].size(), 100u);
  EXPECT_EQ(first["ConsistentRead"], true);
  EXPECT_EQ(transport.body(1)["RequestItems"]["Receipts"]["Keys"].size(), 50u);
  EXPECT_EQ(transport.header(0, "X-Amz-Target"), "DynamoDB_20120810.BatchGetItem");
  EXPECT_EQ(lookup.states[0], ReceiptState::Found);
  EXPECT_EQ(lookup.states[1], ReceiptState::Missing);
  EXPECT_EQ(lookup.states[99], ReceiptState::Found);
  EXPECT_EQ(lookup.states[100], ReceiptState::Found);
  EXPECT_EQ(lookup.states[149], ReceiptState::Missing);
  EXPECT_EQ(lookup.unread, 0u);
}

TEST_F(ReceiptReaderTest, AsksForUnprocessedKeysAgain) {
  transport.reply_json(200, answer({"a"}, {"b", "c"}));
  transport.reply_json(200, answer({"c"}, {}));

  const auto lookup = reader.look_up({"a", "b", "c"}, in_a_minute());

  EXPECT_EQ(lookup.requests, 2u);
  EXPECT_EQ(transport.body(1)["RequestItems"]["Receipts"]["Keys"],
            json::array({key("b"), key("c")}));
  EXPECT_THAT(lookup.states,
              ElementsAre(ReceiptState::Found, ReceiptState::Missing, ReceiptState::Found));
}

TEST_F(ReceiptReaderTest, KeysStillUnprocessedAtTheDeadlineAreUnread) {
  DynamoReceiptReader slow{client,
                           "Receipts",
                           1,
                           {5, std::chrono::milliseconds(500), std::chrono::milliseconds(500),
                            std::chrono::milliseconds(500)}};
  transport.reply_json(200, answer({"a"}, {"b"}));
  // The backoff's jitter may be short: the repeat leaves the key unprocessed again.
  for (int i = 0; i < 30; ++i) transport.reply_json(200, answer({}, {"b"}));

  const auto lookup =
      slow.look_up({"a", "b"}, std::chrono::steady_clock::now() + std::chrono::milliseconds(200));

  EXPECT_THAT(lookup.states, ElementsAre(ReceiptState::Found, ReceiptState::Unread));
  EXPECT_EQ(lookup.unread, 1u);
}

TEST_F(ReceiptReaderTest, ADynamoDbErrorIsThrown) {
  transport.reply_json(400,
                       {{"__type", "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"},
                        {"message", "Requested resource not found"}});
  EXPECT_THROW(reader.look_up({"a"}, in_a_minute()), ssc::aws::AwsError);
}

}  // namespace
