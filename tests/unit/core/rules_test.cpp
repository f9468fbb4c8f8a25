#include "core/rules.hpp"

#include <gtest/gtest.h>

namespace ssc::core {
namespace {

CollectionRow row(std::string status, std::optional<std::int64_t> exported, std::int64_t received) {
  CollectionRow r;
  r.status = std::move(status);
  r.files_exported = exported;
  r.files_received = received;
  return r;
}

TEST(StatusSpellings, AreExactlyTheSharedTableOnes) {
  EXPECT_STREQ(collection_status::kExporting, "Exporting");
  EXPECT_STREQ(collection_status::kExported, "Exported");
  EXPECT_STREQ(collection_status::kSent, "Sent");
  EXPECT_STREQ(collection_status::kReceived, "Received");
  EXPECT_STREQ(collection_status::kSuccess, "Success");
  EXPECT_STREQ(collection_status::kExportFailed, "Export_Failed");
  EXPECT_STREQ(collection_status::kTableUnavailable, "Table_Unavailable");
  EXPECT_STREQ(collection_status::kBlockedTopic, "Blocked_Topic");
  EXPECT_STREQ(product_status::kDataProduct, "SNAPSHOT_SENDER");
  EXPECT_STREQ(product_status::kReceived, "RECEIVED");
  EXPECT_STREQ(product_status::kCompleted, "COMPLETED");
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
