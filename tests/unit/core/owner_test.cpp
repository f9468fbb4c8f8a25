#include "core/owner.hpp"

#include <gtest/gtest.h>

namespace ssc::core {
namespace {

EventRecord sqs_record(const std::string& message_id, long receive_count) {
  return {message_id, receive_count, "arn:aws:sqs:eu-west-2:1:q", nlohmann::json::object()};
}

std::string owner_of(const EventRecord& record, std::string_view token, std::size_t index) {
  return Owner::of_delivery(record, token, index).text();
}

bool earlier_delivery_of_same_message(const std::string& other, const std::string& mine) {
  return Owner(other).is_earlier_delivery_of(Owner(mine));
}

TEST(OwnerOfDelivery, NamesTheMessageTheDeliveryAndTheInvocation) {
  const std::string owner = owner_of(sqs_record("m-1", 2), "AbCdEfGhIjKlMnOpQrStUv", 7);
  // 8 characters of the message, the receive count, 6 of the token and the index.
  ASSERT_EQ(owner.size(), 8u + 1 + 1 + 1 + 6 + 1) << owner;
  EXPECT_EQ(owner.substr(8), ".2.AbCdEf7");
  // The message part is the same in every delivery, and differs between messages.
  EXPECT_EQ(owner_of(sqs_record("m-1", 5), "zzzzzzzz", 0).substr(0, 9), owner.substr(0, 9));
  EXPECT_NE(owner_of(sqs_record("m-2", 2), "AbCdEfGh", 7).substr(0, 8), owner.substr(0, 8));
}

TEST(OwnerOfDelivery, WithoutMessageIdTheWholeTokenAndTheIndex) {
  const EventRecord bare{std::nullopt, 0, "", nlohmann::json::object()};
  EXPECT_EQ(owner_of(bare, "AbCdEfGhIjKlMnOpQrStUv", 0), "AbCdEfGhIjKlMnOpQrStUv.0");
  // No message part: nobody's earlier delivery, not even of an owner of the same token.
  EXPECT_FALSE(
      earlier_delivery_of_same_message("AbCdEfGhIjKlMnOpQrStUv.0", "AbCdEfGhIjKlMnOpQrStUv.1"));
}

TEST(OwnerOfDelivery, AnUnknownReceiveCountIsZero) {
  EXPECT_EQ(owner_of(sqs_record("m-1", 0), "tok123", 1).substr(8), ".0.tok1231");
}

TEST(EarlierDelivery, SameMessageLowerReceiveCount) {
  const std::string first = owner_of(sqs_record("m-1", 1), "first-token", 3);
  const std::string second = owner_of(sqs_record("m-1", 2), "second-token", 0);
  const std::string third = owner_of(sqs_record("m-1", 3), "third-token", 9);
  EXPECT_TRUE(earlier_delivery_of_same_message(first, second));
  EXPECT_TRUE(earlier_delivery_of_same_message(first, third));
  EXPECT_TRUE(earlier_delivery_of_same_message(second, third));
  EXPECT_FALSE(earlier_delivery_of_same_message(second, first));
  EXPECT_FALSE(earlier_delivery_of_same_message(first, first));
}

TEST(EarlierDelivery, TheSameDeliveryTwiceIsNotEarlier) {
  // The same record delivered twice (a replay, or SQS's rare duplicate): one of the two may
  // have succeeded and pushed, so neither counts what the other did.
  const std::string one = owner_of(sqs_record("m-1", 1), "first-token", 0);
  const std::string other = owner_of(sqs_record("m-1", 1), "other-token", 0);
  EXPECT_NE(one, other);
  EXPECT_FALSE(earlier_delivery_of_same_message(one, other));
  EXPECT_FALSE(earlier_delivery_of_same_message(other, one));
}

TEST(EarlierDelivery, NeedsBothCountsAndTheSameMessage) {
  EXPECT_FALSE(earlier_delivery_of_same_message(owner_of(sqs_record("m-1", 0), "a", 0),
                                                owner_of(sqs_record("m-1", 2), "b", 0)));
  EXPECT_FALSE(earlier_delivery_of_same_message(owner_of(sqs_record("m-1", 1), "a", 0),
                                                owner_of(sqs_record("m-1", 0), "b", 0)));
  EXPECT_FALSE(earlier_delivery_of_same_message(owner_of(sqs_record("m-1", 1), "a", 0),
                                                owner_of(sqs_record("m-2", 2), "b", 0)));
  // Owners of other shapes (without message, or not ours at all) are nobody's earlier self.
  EXPECT_FALSE(earlier_delivery_of_same_message("AbCdEfGhIjKlMnOpQrStUv.0", "AbCdEfGh.2.x0"));
  EXPECT_FALSE(earlier_delivery_of_same_message("", ""));
  EXPECT_FALSE(earlier_delivery_of_same_message("AbCdEfGh.1x.a0", "AbCdEfGh.2.b0"));
  EXPECT_FALSE(earlier_delivery_of_same_message("AbCdEfGh..a0", "AbCdEfGh.2.b0"));
}

TEST(Whose, MineEarlierDeliveryOrAnother) {
  const Owner first = Owner::of_delivery(sqs_record("m-1", 1), "first-token", 3);
  const Owner second = Owner::of_delivery(sqs_record("m-1", 2), "second-token", 0);
  EXPECT_EQ(whose(second, second), Whose::Mine);
  EXPECT_EQ(whose(first, second), Whose::EarlierDeliveryOfMine);
  EXPECT_EQ(whose(second, first), Whose::Another);
  EXPECT_EQ(whose(Owner::of_delivery(sqs_record("m-2", 1), "x", 0), second), Whose::Another);
  // Nobody's write (a mark from before owners existed) is never mine, not even to nobody.
  EXPECT_EQ(whose(Owner(), Owner()), Whose::Another);
  EXPECT_EQ(whose(Owner(), second), Whose::Another);
}

}  // namespace
}  // namespace ssc::core
