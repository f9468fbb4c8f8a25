#include "core/receipt.hpp"

#include <gtest/gtest.h>

namespace ssc::core {
namespace {

EventRecord sqs_record(const std::string& message_id, long receive_count) {
  return {message_id, receive_count, "arn:aws:sqs:eu-west-2:1:q", nlohmann::json::object()};
}

TEST(ReceiptOwner, NamesTheMessageTheDeliveryAndTheInvocation) {
  const std::string owner = receipt_owner(sqs_record("m-1", 2), "AbCdEfGhIjKlMnOpQrStUv", 7);
  // 8 characters of the message, the receive count, 6 of the token and the index.
  ASSERT_EQ(owner.size(), 8u + 1 + 1 + 1 + 6 + 1) << owner;
  EXPECT_EQ(owner.substr(8), ".2.AbCdEf7");
  // The message part is the same in every delivery, and differs between messages.
  EXPECT_EQ(receipt_owner(sqs_record("m-1", 5), "zzzzzzzz", 0).substr(0, 9), owner.substr(0, 9));
  EXPECT_NE(receipt_owner(sqs_record("m-2", 2), "AbCdEfGh", 7).substr(0, 8), owner.substr(0, 8));
}

TEST(ReceiptOwner, WithoutMessageIdTheWholeTokenAndTheIndex) {
  const EventRecord bare{std::nullopt, 0, "", nlohmann::json::object()};
  EXPECT_EQ(receipt_owner(bare, "AbCdEfGhIjKlMnOpQrStUv", 0), "AbCdEfGhIjKlMnOpQrStUv.0");
  EXPECT_EQ(same_message_prefix("AbCdEfGhIjKlMnOpQrStUv.0"), "");
}

TEST(ReceiptOwner, AnUnknownReceiveCountIsZero) {
  EXPECT_EQ(receipt_owner(sqs_record("m-1", 0), "tok123", 1).substr(8), ".0.tok1231");
}

TEST(EarlierDelivery, SameMessageLowerReceiveCount) {
  const std::string first = receipt_owner(sqs_record("m-1", 1), "first-token", 3);
  const std::string second = receipt_owner(sqs_record("m-1", 2), "second-token", 0);
  const std::string third = receipt_owner(sqs_record("m-1", 3), "third-token", 9);
  EXPECT_TRUE(earlier_delivery_of_same_message(first, second));
  EXPECT_TRUE(earlier_delivery_of_same_message(first, third));
  EXPECT_TRUE(earlier_delivery_of_same_message(second, third));
  EXPECT_FALSE(earlier_delivery_of_same_message(second, first));
  EXPECT_FALSE(earlier_delivery_of_same_message(first, first));
  EXPECT_EQ(same_message_prefix(first), same_message_prefix(third));
}

TEST(EarlierDelivery, TheSameDeliveryTwiceIsNotEarlier) {
  // The same record delivered twice (a replay, or SQS's rare duplicate): one of the two may
  // have succeeded and pushed, so neither counts what the other did.
  const std::string one = receipt_owner(sqs_record("m-1", 1), "first-token", 0);
  const std::string other = receipt_owner(sqs_record("m-1", 1), "other-token", 0);
  EXPECT_NE(one, other);
  EXPECT_FALSE(earlier_delivery_of_same_message(one, other));
  EXPECT_FALSE(earlier_delivery_of_same_message(other, one));
}

TEST(EarlierDelivery, NeedsBothCountsAndTheSameMessage) {
  EXPECT_FALSE(earlier_delivery_of_same_message(receipt_owner(sqs_record("m-1", 0), "a", 0),
                                                receipt_owner(sqs_record("m-1", 2), "b", 0)));
  EXPECT_FALSE(earlier_delivery_of_same_message(receipt_owner(sqs_record("m-1", 1), "a", 0),
                                                receipt_owner(sqs_record("m-1", 0), "b", 0)));
  EXPECT_FALSE(earlier_delivery_of_same_message(receipt_owner(sqs_record("m-1", 1), "a", 0),
                                                receipt_owner(sqs_record("m-2", 2), "b", 0)));
  // Owners of other shapes (without message, or not ours at all) are nobody's earlier self.
  EXPECT_FALSE(earlier_delivery_of_same_message("AbCdEfGhIjKlMnOpQrStUv.0", "AbCdEfGh.2.x0"));
  EXPECT_FALSE(earlier_delivery_of_same_message("", ""));
  EXPECT_FALSE(earlier_delivery_of_same_message("AbCdEfGh.1x.a0", "AbCdEfGh.2.b0"));
  EXPECT_FALSE(earlier_delivery_of_same_message("AbCdEfGh..a0", "AbCdEfGh.2.b0"));
}

}  // namespace
}  // namespace ssc::core
