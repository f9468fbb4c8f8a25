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

// A call's owners: a single message, or a group whose last message carries the stage.
struct CallOwners {
  std::vector<Owner> group;
  [[nodiscard]] Owners owners() const { return {group.back(), group}; }
};

bool gone(const PendingMark& pending, const Owner& mine, std::int64_t now_ms) {
  const CallOwners call{{mine}};
  return owner_gone(pending, call.owners(), now_ms);
}

TEST(OwnerGone, PastItsDeadlineOrAnEarlierDeliveryOfMine) {
  EXPECT_FALSE(gone(PendingMark{2000, "a"}, kSecond, 1000));
  EXPECT_FALSE(gone(PendingMark{1000, "a"}, kSecond, 1000));
  EXPECT_TRUE(gone(PendingMark{999, "a"}, kSecond, 1000));
  EXPECT_TRUE(gone(PendingMark{999, ""}, kSecond, 1000));  // written before owners
  // An earlier delivery of the same message is over, whatever its deadline says.
  EXPECT_TRUE(gone(PendingMark{2000, kFirst}, kSecond, 1000));
  EXPECT_FALSE(gone(PendingMark{2000, kSecond}, kFirst, 1000));
}

TEST(OwnerGone, AnEarlierDeliveryOfAnyMessageOfTheGroup) {
  const CallOwners call{{kSecond, "ZyXwVuTs.1.other0"}};
  EXPECT_TRUE(owner_gone(PendingMark{2000, kFirst}, call.owners(), 1000));
  EXPECT_FALSE(owner_gone(PendingMark{2000, "QqQqQqQq.1.other0"}, call.owners(), 1000));
}

std::optional<CollectionRow> row(const std::string& status, std::optional<PendingMark> pending,
                                 std::int64_t received = 0, std::int64_t exported = 10) {
  CollectionRow found;
  found.status = status;
  found.pending = std::move(pending);
  found.files_received = received;
  found.files_exported = exported;
  return found;
}

Step step(const StageRules& stage, const std::optional<CollectionRow>& found, const Owner& mine,
          std::int64_t now_ms = 1000) {
  const CallOwners call{{mine}};
  return decide(stage, found, call.owners(), now_ms).step;
}

const StageRules& received() { return rules_of(Stage::Received); }
const StageRules& successful() { return rules_of(Stage::Successful); }

TEST(Decide, TransitionOnlyWhenTheCollectionIsReady) {
  EXPECT_EQ(step(received(), row("Exported", std::nullopt, 10, 10), kFirst), Step::Transition);
  EXPECT_EQ(step(received(), row("Sent", std::nullopt, 11, 10), kFirst), Step::Transition);
  EXPECT_EQ(step(received(), row("Exported", std::nullopt, 9, 10), kFirst), Step::NotReady);
  EXPECT_EQ(step(received(), row("Exporting", std::nullopt, 10, 10), kFirst), Step::NotReady);
  EXPECT_EQ(step(successful(), row("Received", std::nullopt), kFirst), Step::Transition);
  EXPECT_EQ(step(successful(), row("Sent", std::nullopt), kFirst), Step::Transition);
  EXPECT_EQ(step(successful(), row("Exported", std::nullopt), kFirst), Step::NotReady);
  EXPECT_EQ(step(received(), std::nullopt, kFirst), Step::Gone);
}

TEST(Decide, MyOwnMarkMeansMyWriteWasAppliedWhateverItsTime) {
  EXPECT_EQ(step(received(), row("Received", PendingMark{1000, kFirst}), kFirst),
            Step::PerformEffects);
  EXPECT_EQ(step(received(), row("Received", PendingMark{5, kFirst}), kFirst),
            Step::PerformEffects);
  // Another invocation with the same deadline millisecond is not us.
  EXPECT_EQ(step(received(), row("Received", PendingMark{1000, "other.0"}), kFirst), Step::Done);
  // A mark without owner is nobody's, not even a caller's without owner.
  EXPECT_EQ(step(received(), row("Received", PendingMark{1000, ""}), Owner()), Step::Done);
}

TEST(Decide, AGoneOwnersEffectsAreTakenOverALiveOnesLeftToIt) {
  const Decision taken = decide(received(), row("Received", PendingMark{999, "other.0"}),
                                CallOwners{{kFirst}}.owners(), 1000);
  EXPECT_EQ(taken.step, Step::TakeOver);
  EXPECT_EQ(taken.seen, (PendingMark{999, "other.0"}));
  EXPECT_EQ(taken.effects_of, &received());
  // An earlier delivery of my message is over: taken over at once.
  EXPECT_EQ(step(successful(), row("Success", PendingMark{2000, kFirst}), kSecond), Step::TakeOver);
  EXPECT_EQ(step(successful(), row("Success", PendingMark{2000, "other.0"}), kSecond), Step::Done);
}

TEST(Decide, TheReceivedEffectsComeBeforeTheSuccessfulTransition) {
  // Received with its effects pending: a _success file waits for a live owner...
  const Decision waiting = decide(successful(), row("Received", PendingMark{2000, "other.0"}),
                                  CallOwners{{kFirst}}.owners(), 1000);
  EXPECT_EQ(waiting.step, Step::Wait);
  EXPECT_EQ(waiting.effects_of, &received());
  // ... and takes the effects of a gone one over, the received stage's.
  const Decision taken = decide(successful(), row("Received", PendingMark{999, "other.0"}),
                                CallOwners{{kFirst}}.owners(), 1000);
  EXPECT_EQ(taken.step, Step::TakeOver);
  EXPECT_EQ(taken.effects_of, &received());
  // The stage table says so, and the transition's condition is built from it.
  EXPECT_STREQ(successful().not_while_pending_at, "Received");
  EXPECT_STREQ(received().not_while_pending_at, "");
}

TEST(Decide, AReachedStageIsDoneOrCreditedToAnEarlierDelivery) {
  EXPECT_EQ(step(received(), row("Received", std::nullopt), kSecond), Step::Done);
  EXPECT_EQ(step(received(), row("Success", std::nullopt), kSecond), Step::Done);
  std::optional<CollectionRow> done = row("Received", std::nullopt);
  done->effects_done_by.received = {kFirst, true};
  EXPECT_EQ(step(received(), done, kSecond), Step::CreditEarlierDelivery);
  EXPECT_EQ(step(received(), done, "ZyXwVuTs.2.other0"), Step::Done);
  const Credits credits = earlier_delivery_credits(received(), *done, kSecond);
  EXPECT_TRUE(credits.collection_received && credits.all_collections_received);
  EXPECT_FALSE(earlier_delivery_credits(received(), *done, kFirst).collection_received);
}

TEST(DecideRun, TheTransitionUntilTheRunIsThereThenTheMarkDecides) {
  const CallOwners call{{kSecond}};
  const StageRules& stage = successful();
  EXPECT_EQ(decide_run(stage, std::nullopt, call.owners(), 1000).step, Step::Transition);
  EXPECT_EQ(decide_run(stage, ProductRow{"RECEIVED", std::nullopt}, call.owners(), 1000).step,
            Step::Transition);
  EXPECT_EQ(
      decide_run(stage, ProductRow{"COMPLETED", PendingMark{1, kSecond}}, call.owners(), 1000).step,
      Step::PerformEffects);
  EXPECT_EQ(
      decide_run(stage, ProductRow{"COMPLETED", PendingMark{2000, kFirst}}, call.owners(), 1000)
          .step,
      Step::TakeOver);
  EXPECT_EQ(
      decide_run(stage, ProductRow{"COMPLETED", PendingMark{2000, "other.0"}}, call.owners(), 1000)
          .step,
      Step::Done);
  EXPECT_EQ(decide_run(stage, ProductRow{"COMPLETED", std::nullopt}, call.owners(), 1000).step,
            Step::Done);
}

}  // namespace
}  // namespace ssc::core
