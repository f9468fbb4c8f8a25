#include "core/run_status.hpp"

#include <gtest/gtest.h>

namespace ssc::core {
namespace {

constexpr std::int64_t kNow = 1'000'000;

CollectionRow collection(std::string status, std::optional<std::int64_t> exported,
                         std::optional<std::int64_t> received,
                         std::optional<PendingMark> pending = std::nullopt) {
  CollectionRow c;
  c.collection_name = "db.a." + status;
  c.status = std::move(status);
  c.files_exported = exported;
  c.files_sent = exported;
  c.files_received = received;
  c.pending = std::move(pending);
  return c;
}

const PendingMark kLive{kNow + 5'000, "AAAAAAAA.1.xyzab0"};
const PendingMark kExpired{kNow - 5'000, "AAAAAAAA.1.xyzab0"};

std::string words(std::int64_t ms) { return "T" + std::to_string(ms); }

struct VerdictCase {
  CollectionRow row;
  CollectionVerdict expected;
};

// SPEC section 10's table, row by row.
TEST(CollectionVerdict, EveryRowOfTheSpecTable) {
  const std::vector<VerdictCase> cases = {
      {collection("Exported", 3, 2), CollectionVerdict::WaitingForFiles},
      {collection("Sent", 3, std::nullopt), CollectionVerdict::WaitingForFiles},
      {collection("Sent", 3, 0), CollectionVerdict::WaitingForFiles},
      {collection("Exported", std::nullopt, 4), CollectionVerdict::WaitingForFiles},
      {collection("Received", 3, 3, kLive), CollectionVerdict::EffectsUnfinished},
      {collection("Received", 3, 3, kExpired), CollectionVerdict::EffectsUnfinished},
      {collection("Success", 3, 3, kLive), CollectionVerdict::EffectsUnfinished},
      {collection("Success", 3, 3, kExpired), CollectionVerdict::EffectsUnfinished},
      {collection("Received", 3, 3), CollectionVerdict::WaitingForSuccessFile},
      {collection("Success", 3, 3), CollectionVerdict::Successful},
      {collection("Exporting", std::nullopt, std::nullopt), CollectionVerdict::NotEligible},
      {collection("Export_Failed", 3, 1), CollectionVerdict::NotEligible},
      {collection("Table_Unavailable", 3, 1), CollectionVerdict::NotEligible},
      {collection("Blocked_Topic", 3, 1), CollectionVerdict::NotEligible},
      {collection("", 3, 1), CollectionVerdict::NotEligible},
      // A mark left on a status this system does not move is not this system's effects.
      {collection("Export_Failed", 3, 1, kExpired), CollectionVerdict::NotEligible},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(collection_verdict(c.row), c.expected)
        << c.row.status << " pending=" << c.row.pending.has_value();
  }
}

TEST(CollectionVerdict, AllFilesCountedButNotYetMovedIsStillWaitingForFiles) {
  // The transition is made by the collection's next message; SPEC lists no other verdict.
  EXPECT_EQ(collection_verdict(collection("Sent", 3, 3)), CollectionVerdict::WaitingForFiles);
  EXPECT_NE(collection_detail(collection("Sent", 3, 3), kNow, words).find("not moved to Received"),
            std::string::npos);
}

TEST(VerdictNames, AreTheSpecsWords) {
  EXPECT_EQ(verdict_name(CollectionVerdict::WaitingForFiles), "waiting_for_files");
  EXPECT_EQ(verdict_name(CollectionVerdict::EffectsUnfinished), "effects_unfinished");
  EXPECT_EQ(verdict_name(CollectionVerdict::WaitingForSuccessFile), "waiting_for_success_file");
  EXPECT_EQ(verdict_name(CollectionVerdict::Successful), "successful");
  EXPECT_EQ(verdict_name(CollectionVerdict::NotEligible), "not_eligible");
  EXPECT_EQ(verdict_name(RunVerdict::Complete), "complete");
  EXPECT_EQ(verdict_name(RunVerdict::InProgress), "in_progress");
  EXPECT_EQ(verdict_name(RunVerdict::Stuck), "stuck");
}

TEST(VerdictNames, NameEveryCollectionVerdictBack) {
  for (const auto verdict : kCollectionVerdicts) {
    EXPECT_EQ(collection_verdict_named(verdict_name(verdict)), verdict);
  }
  EXPECT_EQ(collection_verdict_named("stuck"), std::nullopt);
  EXPECT_EQ(collection_verdict_named(""), std::nullopt);
}

TEST(UnfinishedStage, IsTheStageOfTheRowsStatus) {
  EXPECT_EQ(unfinished_stage(collection("Received", 1, 1, kLive)), Stage::Received);
  EXPECT_EQ(unfinished_stage(collection("Success", 1, 1, kLive)), Stage::Successful);
  EXPECT_EQ(unfinished_stage(collection("Received", 1, 1)), std::nullopt);
  EXPECT_EQ(unfinished_stage(collection("Sent", 1, 0, kLive)), std::nullopt);
}

TEST(EffectsAbandoned, OnlyPastTheOwnersTime) {
  EXPECT_TRUE(effects_abandoned(collection("Received", 1, 1, kExpired), kNow));
  EXPECT_FALSE(effects_abandoned(collection("Received", 1, 1, kLive), kNow));
  // The deadline itself is still the owner's.
  EXPECT_FALSE(effects_abandoned(collection("Received", 1, 1, PendingMark{kNow, "o"}), kNow));
  EXPECT_FALSE(effects_abandoned(collection("Received", 1, 1), kNow));
}

RunState run_of(std::vector<CollectionRow> collections, std::optional<std::string> product) {
  RunState run;
  run.correlation_id = "c1";
  run.collections = std::move(collections);
  if (product) run.product = ProductRow{*product, std::nullopt};
  return run;
}

TEST(RunVerdict, CompleteWhenEverythingSuccessfulAndProductCompleted) {
  EXPECT_EQ(
      run_verdict(run_of({collection("Success", 1, 1), collection("Success", 2, 2)}, "COMPLETED"),
                  kNow),
      RunVerdict::Complete);
}

TEST(RunVerdict, StuckWhenEverythingSuccessfulButProductNotCompleted) {
  const auto all_success = std::vector{collection("Success", 1, 1), collection("Success", 2, 2)};
  EXPECT_EQ(run_verdict(run_of(all_success, "RECEIVED"), kNow), RunVerdict::Stuck);
  EXPECT_EQ(run_verdict(run_of(all_success, std::nullopt), kNow), RunVerdict::Stuck);
  EXPECT_EQ(run_verdict(run_of(all_success, ""), kNow), RunVerdict::Stuck);
}

TEST(RunVerdict, StuckWhenACollectionIsNotEligible) {
  EXPECT_EQ(run_verdict(run_of({collection("Success", 1, 1), collection("Export_Failed", 2, 0)},
                               std::nullopt),
                        kNow),
            RunVerdict::Stuck);
}

TEST(RunVerdict, StuckWhenEffectsAreUnfinishedPastTheirTime) {
  EXPECT_EQ(run_verdict(run_of({collection("Sent", 3, 1), collection("Received", 2, 2, kExpired)},
                               std::nullopt),
                        kNow),
            RunVerdict::Stuck);
  EXPECT_EQ(run_verdict(run_of({collection("Success", 3, 3, kExpired)}, "COMPLETED"), kNow),
            RunVerdict::Stuck);
}

TEST(RunVerdict, InProgressOtherwise) {
  EXPECT_EQ(run_verdict(run_of({collection("Sent", 3, 1), collection("Received", 2, 2, kLive)},
                               std::nullopt),
                        kNow),
            RunVerdict::InProgress);
  EXPECT_EQ(
      run_verdict(run_of({collection("Received", 2, 2), collection("Success", 1, 1)}, "RECEIVED"),
                  kNow),
      RunVerdict::InProgress);
  // The last collection's success effects still under way: not complete, not stuck yet.
  EXPECT_EQ(run_verdict(run_of({collection("Success", 1, 1, kLive)}, "COMPLETED"), kNow),
            RunVerdict::InProgress);
  EXPECT_EQ(
      run_verdict(run_of({collection("Exported", std::nullopt, std::nullopt)}, std::nullopt), kNow),
      RunVerdict::InProgress);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CollectionDetail, SaysWhichEffectsWhoseUntilWhenAndWhetherPassed) {
  const std::string expired =
      collection_detail(collection("Received", 3, 3, kExpired), kNow, words);
  EXPECT_TRUE(contains(expired, "Received side effects")) << expired;
  EXPECT_TRUE(contains(expired, "delivery 1 of message AAAAAAAA")) << expired;
  EXPECT_TRUE(contains(expired, "T" + std::to_string(kExpired.until_ms))) << expired;
  EXPECT_TRUE(contains(expired, "that time has passed")) << expired;

  const std::string live = collection_detail(collection("Success", 3, 3, kLive), kNow, words);
  EXPECT_TRUE(contains(live, "success side effects")) << live;
  EXPECT_TRUE(contains(live, "has not passed")) << live;
  EXPECT_TRUE(contains(live, "T" + std::to_string(kLive.until_ms))) << live;
}

TEST(CollectionDetail, SaysWhoDidTheEffects) {
  auto done = collection("Success", 3, 3);
  done.effects_done_by.received = {"BBBBBBBB.2.nonce1", false};
  done.effects_done_by.successful = {"CCCCCCCC.1.nonce2", true};
  const std::string detail = collection_detail(done, kNow, words);
  EXPECT_TRUE(contains(detail, "Received side effects done by delivery 2 of message BBBBBBBB"))
      << detail;
  EXPECT_TRUE(contains(detail, "success side effects done by delivery 1 of message CCCCCCCC"))
      << detail;
  EXPECT_TRUE(contains(detail, "also sent the run's notification")) << detail;
}

TEST(CollectionDetail, CountsAndAbsentNumbers) {
  EXPECT_TRUE(contains(collection_detail(collection("Sent", 5, 2), kNow, words),
                       "2 of 5 exported files received"));
  EXPECT_TRUE(contains(collection_detail(collection("Sent", 5, std::nullopt), kNow, words),
                       "0 of 5 exported files received"));
  EXPECT_TRUE(contains(collection_detail(collection("Exported", std::nullopt, 1), kNow, words),
                       "FilesExported is not set"));
  EXPECT_TRUE(contains(collection_detail(collection("Export_Failed", 5, 1), kNow, words),
                       "status Export_Failed"));
}

TEST(ProductDetail, StatusAndPendingNotification) {
  EXPECT_TRUE(contains(product_detail(std::nullopt, kNow, words), "no product status item"));
  EXPECT_TRUE(contains(product_detail(ProductRow{"RECEIVED", kExpired}, kNow, words),
                       "notification is pending"));
  EXPECT_TRUE(contains(product_detail(ProductRow{"COMPLETED", std::nullopt}, kNow, words),
                       "Status COMPLETED"));
}

TEST(OwnerInWords, NamesDeliveryAndMessage) {
  EXPECT_EQ(owner_in_words("AbCdEf_-.3.k2J9aQ0"),
            "delivery 3 of message AbCdEf_- (owner AbCdEf_-.3.k2J9aQ0)");
  EXPECT_EQ(owner_in_words("tokentoken.0"), "an owner without SQS message (tokentoken.0)");
  EXPECT_EQ(owner_in_words("operator-tokentoken.0"),
            "the operator's finish-effects (owner operator-tokentoken.0)");
}

}  // namespace
}  // namespace ssc::core
