#include "runtime/status_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace ssc::runtime {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::int64_t kNow = 1'800'000'000'000;

std::string words(std::int64_t ms) { return "T" + std::to_string(ms); }

core::RunState run_with_two() {
  core::RunState run;
  run.correlation_id = "c1";
  core::CollectionRow sent;
  sent.collection_name = "db.a.short";
  sent.status = "Sent";
  sent.files_exported = 10;
  sent.files_sent = 9;
  sent.files_received = 2;
  core::CollectionRow failed;
  failed.collection_name = "db.a.much_longer_name";
  failed.status = "Received";
  failed.files_exported = 3;
  failed.files_received = 3;
  failed.pending = core::PendingMark{kNow - 1, "AAAAAAAA.1.nonce0"};
  run.collections = {sent, failed};
  run.product = core::ProductRow{"RECEIVED", std::nullopt};
  return run;
}

TEST(StatusJson, HasTheSpecsFieldsAndNullForAbsentNumbers) {
  const auto json = status_json(run_with_two(), kNow, words);
  EXPECT_EQ(json["correlation_id"], "c1");
  EXPECT_EQ(json["product_status"], "RECEIVED");
  EXPECT_EQ(json["verdict"], "stuck");
  ASSERT_EQ(json["collections"].size(), 2u);
  const auto& failed = json["collections"][1];
  EXPECT_EQ(failed["collection_name"], "db.a.much_longer_name");
  EXPECT_EQ(failed["status"], "Received");
  EXPECT_EQ(failed["files_exported"], 3);
  EXPECT_TRUE(failed["files_sent"].is_null());
  EXPECT_EQ(failed["files_received"], 3);
  EXPECT_EQ(failed["verdict"], "effects_unfinished");
  EXPECT_THAT(failed["detail"].get<std::string>(), HasSubstr("that time has passed"));
  EXPECT_EQ(failed["pending_effects"]["until_ms"], kNow - 1);
  EXPECT_EQ(failed["pending_effects"]["passed"], true);
  EXPECT_TRUE(json["collections"][0]["pending_effects"].is_null());
}

TEST(StatusJson, AMissingProductIsNull) {
  core::RunState run = run_with_two();
  run.product.reset();
  EXPECT_TRUE(status_json(run, kNow, words)["product_status"].is_null());
}

TEST(StatusText, ATableWithAlignedColumnsAndTheDetailUnderEachRow) {
  const std::string text = status_text(run_with_two(), kNow, words);
  EXPECT_THAT(text, HasSubstr("Run c1: stuck\n"));
  EXPECT_THAT(text, HasSubstr("Product: Status RECEIVED\n"));
  EXPECT_THAT(text, HasSubstr("COLLECTION             STATUS    EXPORTED  SENT  RECEIVED  VERDICT\n"
                              "db.a.short             Sent            10     9         2  "
                              "waiting_for_files\n"
                              "    2 of 10 exported files received (9 sent)\n"
                              "    next: snapshot-sender-status-checker missing-files "
                              "--correlation-id c1 --collection-name db.a.short --manifest FILE\n"
                              "db.a.much_longer_name  Received         3     -         3  "
                              "effects_unfinished\n"));
}

core::RunState run_of_three() {
  core::RunState run = run_with_two();
  core::CollectionRow done;
  done.collection_name = "db.a.done";
  done.status = "Success";
  done.files_exported = 4;
  done.files_received = 4;
  run.collections.push_back(done);
  return run;
}

std::vector<std::string> listed_names(const std::string& text) {
  std::vector<std::string> names;
  std::istringstream lines(text);
  std::string line;
  bool in_table = false;
  while (std::getline(lines, line)) {
    if (line.starts_with("COLLECTION")) {
      in_table = true;
    } else if (in_table && !line.starts_with(" ")) {
      names.push_back(line.substr(0, line.find(' ')));
    }
  }
  return names;
}

TEST(StatusText, OpensWithTheCountsByVerdict) {
  const std::string text = status_text(run_of_three(), kNow, words);
  EXPECT_THAT(text, HasSubstr("\nVerdicts: 1 waiting_for_files, 1 effects_unfinished, "
                              "1 successful\n"));
}

TEST(StatusText, ListsOnlyTheCollectionsNotSuccessfulByDefault) {
  const std::string text = status_text(run_of_three(), kNow, words);
  EXPECT_THAT(listed_names(text), ElementsAre("db.a.short", "db.a.much_longer_name"));
  EXPECT_THAT(text, HasSubstr("Listed: 2 collections, those not successful"));
}

TEST(StatusText, ListsEveryCollectionWhenAskedForAll) {
  EXPECT_THAT(listed_names(status_text(run_of_three(), kNow, words, {true, std::nullopt})),
              ElementsAre("db.a.short", "db.a.much_longer_name", "db.a.done"));
}

TEST(StatusText, ListsOnlyTheVerdictAskedFor) {
  const StatusListing successful{false, core::CollectionVerdict::Successful};
  EXPECT_THAT(listed_names(status_text(run_of_three(), kNow, words, successful)),
              ElementsAre("db.a.done"));
  const StatusListing none{false, core::CollectionVerdict::NotEligible};
  const std::string text = status_text(run_of_three(), kNow, words, none);
  EXPECT_THAT(listed_names(text), ElementsAre());
  EXPECT_THAT(text, HasSubstr("Listed: 0 collections, those not_eligible\n"));
}

TEST(StatusJson, KeepsEveryCollectionAndTheNextCommand) {
  const auto json = status_json(run_of_three(), kNow, words);
  ASSERT_EQ(json["collections"].size(), 3u);
  EXPECT_EQ(json["collections"][0]["next_command"],
            "snapshot-sender-status-checker missing-files --correlation-id c1 "
            "--collection-name db.a.short --manifest FILE");
  EXPECT_TRUE(json["collections"][2]["next_command"].is_null());
}

TEST(ShellWord, QuotesWhatAShellWouldSplitOrExpand) {
  EXPECT_EQ(shell_word("db.a-b_c"), "db.a-b_c");
  EXPECT_EQ(shell_word("a b"), "'a b'");
  EXPECT_EQ(shell_word("it's $x"), "'it'\\''s $x'");
  EXPECT_EQ(shell_word(""), "''");
}

TEST(LocalTimeInWords, UsesTheTimeZone) {
  const char* before = std::getenv("TZ");
  const std::optional<std::string> saved =
      before ? std::optional<std::string>(before) : std::nullopt;
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  EXPECT_EQ(local_time_in_words(0), "1970-01-01 00:00:00 UTC");
  ::setenv("TZ", "CET-1", 1);
  ::tzset();
  EXPECT_EQ(local_time_in_words(0), "1970-01-01 01:00:00 CET");
  if (saved) {
    ::setenv("TZ", saved->c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
}

}  // namespace
}  // namespace ssc::runtime
