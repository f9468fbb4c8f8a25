#include "core/rules.hpp"

#include <gtest/gtest.h>

#include "core/protocol.hpp"

namespace ssc::core {
namespace {

CollectionRow row(std::string status, std::optional<std::int64_t> exported, std::int64_t received) {
  CollectionRow r;
  r.status = std::move(status);
  r.files_exported = exported;
  r.files_received = received;
  return r;
}

// One delivery deciding alone, with no mark to weigh: only the statuses decide.
const Owner kOwner = "AbCdEfGh.1.first0";
const std::vector<Owner> kGroup{kOwner};

Step collection_step(Stage stage, const std::string& status) {
  return decide(rules_of(stage), row(status, 1, 1), Owners{kOwner, kGroup}, 0).step;
}

Step run_step(Stage stage, const std::string& product_status) {
  return decide_run(rules_of(stage), ProductRow{product_status, std::nullopt},
                    Owners{kOwner, kGroup}, 0)
      .step;
}

// The tables hold the statuses as the other systems write them: each decision must take
// those very strings for what they say (a misspelt constant would never match a row).
TEST(StatusSpellings, TheDecisionsReadTheCollectionStatusesAsWritten) {
  EXPECT_EQ(collection_step(Stage::Received, "Exported"), Step::Transition);
  EXPECT_EQ(collection_step(Stage::Received, "Sent"), Step::Transition);
  EXPECT_EQ(collection_step(Stage::Received, "Received"), Step::Done);
  EXPECT_EQ(collection_step(Stage::Received, "Success"), Step::Done);
  EXPECT_EQ(collection_step(Stage::Successful, "Received"), Step::Transition);
  EXPECT_EQ(collection_step(Stage::Successful, "Sent"), Step::Transition);
  EXPECT_EQ(collection_step(Stage::Successful, "Success"), Step::Done);
  EXPECT_EQ(collection_step(Stage::Successful, "Exported"), Step::NotReady);
}

// The product item as other systems read it: a run at COMPLETED is never moved back to
// RECEIVED, and one at RECEIVED still moves to COMPLETED.
TEST(StatusSpellings, TheDecisionsReadTheProductStatusesAsWritten) {
  EXPECT_EQ(run_step(Stage::Received, "RECEIVED"), Step::Done);
  EXPECT_EQ(run_step(Stage::Received, "COMPLETED"), Step::Done);
  EXPECT_EQ(run_step(Stage::Successful, "RECEIVED"), Step::Transition);
  EXPECT_EQ(run_step(Stage::Successful, "COMPLETED"), Step::Done);
}

struct ReceivedCase {
  const char* status;
  std::optional<std::int64_t> exported;
  std::int64_t received;
  bool expected;
};

TEST(CollectionReceived, Table) {
  const std::vector<ReceivedCase> cases = {
      {"Exported", 3, 3, true},
      {"Sent", 3, 3, true},
      {"Exported", 3, 4, true},
      {"Sent", 3, 5, true},
      {"Exported", 3, 2, false},
      {"Sent", 3, 0, false},
      {"Exported", std::nullopt, 5, false},
      {"Sent", 0, 0, true},
      {"Exporting", 3, 3, false},
      {"Received", 3, 3, false},
      {"Success", 3, 3, false},
      {"Export_Failed", 3, 3, false},
      {"Table_Unavailable", 3, 3, false},
      {"Blocked_Topic", 3, 3, false},
      {"", 3, 3, false},
      {"exported", 3, 3, false},
      {"SENT", 3, 3, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(collection_received(row(c.status, c.exported, c.received)), c.expected)
        << c.status << " exported=" << c.exported.value_or(-1) << " received=" << c.received;
  }
}

// A row without FilesReceived (no file counted yet) counts as 0 received: a collection
// that exported no file is received, one that exported any is not.
TEST(CollectionReceived, AbsentFilesReceivedCountsAsZero) {
  CollectionRow found = row("Exported", 0, 0);
  found.files_received.reset();
  EXPECT_TRUE(collection_received(found));
  found.files_exported = 1;
  EXPECT_FALSE(collection_received(found));
}

TEST(CollectionSuccessful, Table) {
  EXPECT_TRUE(collection_successful("Received"));
  EXPECT_TRUE(collection_successful("Sent"));
  for (const char* status : {"Exporting", "Exported", "Success", "Export_Failed",
                             "Table_Unavailable", "Blocked_Topic", "", "received"}) {
    EXPECT_FALSE(collection_successful(status)) << status;
  }
}

TEST(TransitionSources, MatchTheRules) {
  EXPECT_EQ(statuses_before_received(), (std::vector<std::string>{"Exported", "Sent"}));
  EXPECT_EQ(statuses_before_success(), (std::vector<std::string>{"Received", "Sent"}));
}

TEST(RunAllReceived, Table) {
  using V = std::vector<std::string>;
  EXPECT_TRUE(run_all_received(V{"Received"}));
  EXPECT_TRUE(run_all_received(V{"Received", "Success", "Received"}));
  EXPECT_TRUE(run_all_received(V{"Success", "Success"}));
  EXPECT_FALSE(run_all_received(V{}));
  EXPECT_FALSE(run_all_received(V{"Received", "Sent"}));
  EXPECT_FALSE(run_all_received(V{"Received", "Exported"}));
  EXPECT_FALSE(run_all_received(V{"Received", "Export_Failed"}));
  EXPECT_FALSE(run_all_received(V{"Received", ""}));
}

TEST(RunAllSuccessful, Table) {
  using V = std::vector<std::string>;
  EXPECT_TRUE(run_all_successful(V{"Success"}));
  EXPECT_TRUE(run_all_successful(V{"Success", "Success"}));
  EXPECT_FALSE(run_all_successful(V{}));
  EXPECT_FALSE(run_all_successful(V{"Success", "Received"}));
  EXPECT_FALSE(run_all_successful(V{"Success", "Blocked_Topic"}));
}

}  // namespace
}  // namespace ssc::core
