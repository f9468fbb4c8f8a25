#include "runtime/missing_files_report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ssc::runtime {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

MissingFilesReport two_of_four_missing() {
  MissingFilesReport report;
  report.correlation_id = "c1";
  report.collection_name = "db.a.b";
  report.collection_status = "Sent";
  report.files_exported = 4;
  report.files_received = 2;
  report.names = 4;
  report.skipped_lines = 1;
  report.missing = {"b.gz", "d e.gz"};
  report.requests = 1;
  report.receipts_expiry_days = 7;
  return report;
}

TEST(MissingFilesText, NamesTheMissingFilesWithTheCountsAndWhatItCannotKnow) {
  const std::string text = missing_files_text(two_of_four_missing());
  EXPECT_THAT(text, HasSubstr("Collection db.a.b of run c1: 2 of 4 files have no receipt\n"));
  EXPECT_THAT(text, HasSubstr("Row: Sent, 4 exported, 2 received\n"));
  EXPECT_THAT(text, HasSubstr("Missing (2):\n  b.gz\n  d e.gz\n"));
  EXPECT_THAT(text, HasSubstr("FILE_RECEIPTS_EXPIRY_DAYS (7) days"));
  EXPECT_THAT(text, HasSubstr("no file_name"));
  EXPECT_THAT(text, Not(HasSubstr("WARNING")));
}

TEST(MissingFilesText, WarnsThatTheNamesFormMayDifferWhenNoNameHasAReceipt) {
  MissingFilesReport report = two_of_four_missing();
  report.names = 2;
  report.prefix = "x/";
  EXPECT_THAT(missing_files_text(report),
              HasSubstr("WARNING: no name has a receipt: the names may not take the form of the "
                        "messages' file_name"));
  EXPECT_EQ(missing_files_json(report)["warning"], *missing_files_warning(report));
}

TEST(MissingFilesJson, HoldsTheCountsAndEveryMissingName) {
  const auto json = missing_files_json(two_of_four_missing());
  EXPECT_EQ(json["names"], 4);
  EXPECT_EQ(json["with_receipt"], 2);
  EXPECT_EQ(json["missing_count"], 2);
  EXPECT_EQ(json["missing"], nlohmann::ordered_json({"b.gz", "d e.gz"}));
  EXPECT_EQ(json["files_exported"], 4);
  EXPECT_TRUE(json["warning"].is_null());
  EXPECT_EQ(json["cannot_know"].size(), 2u);
}

TEST(MissingFilesText, SaysWhenEveryFileHasItsReceipt) {
  MissingFilesReport report = two_of_four_missing();
  report.missing.clear();
  EXPECT_THAT(missing_files_text(report),
              HasSubstr(": every one of the 4 files has its receipt\n"));
}

}  // namespace
}  // namespace ssc::runtime
