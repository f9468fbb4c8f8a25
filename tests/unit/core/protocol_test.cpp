#include "core/protocol.hpp"

#include <gtest/gtest.h>

#include "core/payloads.hpp"
#include "core/rules.hpp"

namespace ssc::core {
namespace {

TEST(StageRules, TheReceivedStage) {
  const StageRules& stage = rules_of(Stage::Received);
  EXPECT_EQ(stage.stage, Stage::Received);
  EXPECT_EQ(stage.from, (std::vector<std::string>{"Exported", "Sent"}));
  EXPECT_STREQ(stage.to, "Received");
  EXPECT_STREQ(stage.product_status, "RECEIVED");
  // A run already COMPLETED is past RECEIVED: the product status never goes back.
  EXPECT_EQ(stage.product_reached, (std::vector<std::string>{"RECEIVED", "COMPLETED"}));
  EXPECT_STREQ(stage.notification, "All collections received by NiFi");
  EXPECT_TRUE(stage.asks_for_success_file);
  EXPECT_FALSE(stage.finishes_run);
  EXPECT_TRUE(stage.run_reached({"Received", "Success"}));
  EXPECT_FALSE(stage.run_reached({"Received", "Sent"}));
  Credits credits;
  credits.*stage.collection_credit = true;
  credits.*stage.run_credit = true;
  EXPECT_TRUE(credits.collection_received && credits.all_collections_received);
  EXPECT_FALSE(credits.collection_successful || credits.all_collections_successful);
  EffectsDoneBy done;
  (done.*stage.done_by).owner = "x";
  EXPECT_EQ(done.received.owner, Owner("x"));
}

TEST(StageRules, TheSuccessfulStage) {
  const StageRules& stage = rules_of(Stage::Successful);
  EXPECT_EQ(stage.stage, Stage::Successful);
  EXPECT_EQ(stage.from, (std::vector<std::string>{"Received", "Sent"}));
  EXPECT_STREQ(stage.to, "Success");
  EXPECT_STREQ(stage.product_status, "COMPLETED");
  EXPECT_EQ(stage.product_reached, (std::vector<std::string>{"COMPLETED"}));
  EXPECT_STREQ(stage.notification, "All collections successful");
  EXPECT_FALSE(stage.asks_for_success_file);
  EXPECT_TRUE(stage.finishes_run);
  EXPECT_TRUE(stage.run_reached({"Success", "Success"}));
  EXPECT_FALSE(stage.run_reached({"Success", "Received"}));
  Credits credits;
  credits.*stage.collection_credit = true;
  credits.*stage.run_credit = true;
  EXPECT_TRUE(credits.collection_successful && credits.all_collections_successful);
  EXPECT_FALSE(credits.collection_received || credits.all_collections_received);
  EffectsDoneBy done;
  (done.*stage.done_by).owner = "x";
  EXPECT_EQ(done.successful.owner, Owner("x"));
}

const Owner kFirst = "AbCdEfGh.1.first0";
const Owner kSecond = "AbCdEfGh.2.secnd0";

TEST(OwnerGone, PastItsDeadlineOrAnEarlierDeliveryOfMine) {
  EXPECT_FALSE(owner_gone(PendingMark{2000, "a"}, kSecond, 1000));
  EXPECT_FALSE(owner_gone(PendingMark{1000, "a"}, kSecond, 1000));
  EXPECT_TRUE(owner_gone(PendingMark{999, "a"}, kSecond, 1000));
  EXPECT_TRUE(owner_gone(PendingMark{999, ""}, kSecond, 1000));  // written before owners
  // An earlier delivery of the same message is over, whatever its deadline says.
  EXPECT_TRUE(owner_gone(PendingMark{2000, kFirst}, kSecond, 1000));
  EXPECT_FALSE(owner_gone(PendingMark{2000, kSecond}, kFirst, 1000));
}

TEST(ConfirmOwnWrite, MineOnlyAtTheTargetWithMyMarkWhateverItsTime) {
  const auto row = [](const std::string& status, std::optional<PendingMark> pending) {
    CollectionRow found;
    found.status = status;
    found.pending = std::move(pending);
    return std::optional<CollectionRow>(found);
  };
  EXPECT_EQ(confirm_own_write(row("Received", PendingMark{1000, kFirst}), "Received", kFirst),
            RefusedWrite::Mine);
  EXPECT_EQ(confirm_own_write(row("Received", PendingMark{5, kFirst}), "Received", kFirst),
            RefusedWrite::Mine);
  // Another invocation with the same deadline millisecond is not us.
  EXPECT_EQ(confirm_own_write(row("Received", PendingMark{1000, "other.0"}), "Received", kFirst),
            RefusedWrite::Another);
  // My mark, but the item moved on (or never got there).
  EXPECT_EQ(confirm_own_write(row("Success", PendingMark{1000, kFirst}), "Received", kFirst),
            RefusedWrite::Another);
  EXPECT_EQ(confirm_own_write(row("Received", std::nullopt), "Received", kFirst),
            RefusedWrite::Another);
  // An earlier delivery's mark is not this call's write.
  EXPECT_EQ(confirm_own_write(row("Received", PendingMark{1000, kFirst}), "Received", kSecond),
            RefusedWrite::Another);
  // A mark without owner is nobody's, not even a caller's without owner.
  EXPECT_EQ(confirm_own_write(row("Received", PendingMark{1000, ""}), "Received", Owner()),
            RefusedWrite::Another);
  EXPECT_EQ(confirm_own_write(std::optional<CollectionRow>(), "Received", kFirst),
            RefusedWrite::Gone);
  // The product item answers the same way.
  EXPECT_EQ(
      confirm_own_write(std::optional<ProductRow>(ProductRow{"COMPLETED", PendingMark{1, kFirst}}),
                        "COMPLETED", kFirst),
      RefusedWrite::Mine);
}

}  // namespace
}  // namespace ssc::core
