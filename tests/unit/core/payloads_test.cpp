#include "core/payloads.hpp"

#include <gtest/gtest.h>

#include "core/python_format.hpp"
#include "digest/digest.hpp"

namespace ssc::core {
namespace {

Message sample_message() {
  Message message;
  message.correlation_id = "corr-1";
  message.collection_name = "db.database.collection";
  message.snapshot_type = "incremental";
  message.export_date = "2020-01-01";
  return message;
}

// Expected strings below are what Python's json.dumps / str.title / hashlib+base64 give.

TEST(ExportStateBody, ByteExactWithDefaults) {
  EXPECT_EQ(export_state_body(sample_message()),
            R"({"shutdown_flag": "true", "correlation_id": "corr-1", )"
            R"("topic_name": "db.database.collection", "snapshot_type": "incremental", )"
            R"("reprocess_files": "true", "export_date": "2020-01-01", )"
            R"("send_success_indicator": "true"})");
}

TEST(ExportStateBody, PassesFlagsThroughAndEscapesLikePython) {
  Message message = sample_message();
  message.shutdown_flag = false;
  message.reprocess_files = nlohmann::json{{"a", nullptr}, {"b", {1, "x"}}};
  message.correlation_id = "c\xC3\xA9\"\n";
  message.collection_name = "db.a.b";
  message.snapshot_type = "full";
  EXPECT_EQ(export_state_body(message),
            R"({"shutdown_flag": false, "correlation_id": "c\u00e9\"\n", "topic_name": "db.a.b", )"
            R"("snapshot_type": "full", "reprocess_files": {"a": null, "b": [1, "x"]}, )"
            R"("export_date": "2020-01-01", "send_success_indicator": "true"})");
}

TEST(ExportStateGroupId, DotsBecomeUnderscores) {
  EXPECT_EQ(export_state_group_id("db.database.collection"), "db_database_collection");
  EXPECT_EQ(export_state_group_id("no_dots"), "no_dots");
  EXPECT_EQ(export_state_group_id("..a."), "__a_");
}

TEST(ExportStateDeduplicationId, DeterministicDistinctAndShort) {
  const std::string id = export_state_deduplication_id("corr-1", "db.database.collection");
  EXPECT_EQ(id, "zv5u59QYgQ05FqFx6ycj5T1tmR07lhcnqEcdkrssSCs");
  EXPECT_EQ(id, export_state_deduplication_id("corr-1", "db.database.collection"));
  EXPECT_NE(id, export_state_deduplication_id("corr-2", "db.database.collection"));
  EXPECT_NE(id, export_state_deduplication_id("corr-1", "db.database.other"));
  EXPECT_LE(id.size(), 128u);
}

TEST(ExportStateResendDeduplicationId, OnePerIntervalAndNeverTheLambdasOwn) {
  constexpr std::int64_t kStart = 1'000 * kDeduplicationIntervalMs;
  const std::string id = export_state_resend_deduplication_id("corr-1", "db.a.b", kStart);
  EXPECT_EQ(id, export_state_resend_deduplication_id("corr-1", "db.a.b",
                                                     kStart + kDeduplicationIntervalMs - 1));
  EXPECT_NE(id, export_state_resend_deduplication_id("corr-1", "db.a.b",
                                                     kStart + kDeduplicationIntervalMs));
  EXPECT_NE(id, export_state_resend_deduplication_id("corr-1", "db.a.c", kStart));
  EXPECT_NE(id, export_state_deduplication_id("corr-1", "db.a.b"));
  EXPECT_EQ(kDeduplicationIntervalMs, 300'000);
  EXPECT_LE(id.size(), 128u);
}

TEST(MonitoringMessage, ByteExact) {
  Message message = sample_message();
  message.snapshot_type = "full_snapshot";
  EXPECT_EQ(monitoring_message(message, kAllCollectionsSuccessful),
            R"({"severity": "Critical", "notification_type": "Information", )"
            R"("slack_username": "Snapshot Sender", )"
            R"("title_text": "Full_Snapshot - All collections successful", )"
            R"("custom_elements": [{"key": "Export date", "value": "2020-01-01"}, )"
            R"({"key": "Correlation Id", "value": "corr-1"}]})");
}

TEST(MonitoringMessage, ReceivedTitle) {
  const auto payload =
      nlohmann::json::parse(monitoring_message(sample_message(), kAllCollectionsReceived));
  EXPECT_EQ(payload["title_text"], "Incremental - All collections received by NiFi");
}

TEST(PythonTitle, MatchesPythonOnAscii) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"incremental", "Incremental"},
      {"full_snapshot", "Full_Snapshot"},
      {"FULL", "Full"},
      {"fulls", "Fulls"},
      {"1st run", "1St Run"},
      {"a1b2", "A1B2"},
      {"hello world", "Hello World"},
      {"x's", "X'S"},
      {"", ""},
      {"__a__b", "__A__B"},
      {"fULL-sNAP", "Full-Snap"}};
  for (const auto& [input, expected] : cases) EXPECT_EQ(python_title(input), expected) << input;
}

TEST(PythonTitle, NonAsciiBytesAreNonLettersAndKept) {
  // Python would treat 'é' as a cased letter ("Cafés"); snapshot types are ASCII, and
  // treating every non-ASCII byte as a non-letter keeps multi-byte sequences intact.
  EXPECT_EQ(python_title("caf\xC3\xA9s"), "Caf\xC3\xA9S");
  EXPECT_EQ(python_title("\xC3\xA9t\xC3\xA9"), "\xC3\xA9T\xC3\xA9");
}

TEST(PythonJsonDumps, SeparatorsOrderAndEscapes) {
  nlohmann::ordered_json value;
  value["z"] = 1;
  value["a"] = nlohmann::ordered_json::array({true, nullptr, "t\tab"});
  value["m"] = nlohmann::ordered_json::object();
  value["e"] = nlohmann::ordered_json::array();
  value["u"] = "\xE2\x9C\x93 \x01";
  EXPECT_EQ(python_json_dumps(value),
            R"({"z": 1, "a": [true, null, "t\tab"], "m": {}, "e": [], "u": "\u2713 \u0001"})");
}

Message file_message(const std::string& correlation_id, const std::string& collection,
                     const std::string& file_name) {
  Message message;
  message.correlation_id = correlation_id;
  message.collection_name = collection;
  message.file_name = file_name;
  return message;
}

TEST(FileReceiptKey, Sha256OfTheRunTheCollectionAndTheFileIn24Characters) {
  EXPECT_EQ(file_receipt_key(file_message("corr-1", "db.database.collection",
                                          "folder/db.database.collection-001.gz.enc")),
            "I3ckdjI7NeppVHm78Sqzel6-");
  // The parts are length-prefixed: moving characters from one part to the next is another
  // file.
  EXPECT_EQ(file_receipt_key(file_message("corr-1", "db.a", "b.f")), "Pw8vBGBXlqGJYajy6k707QwT");
  EXPECT_EQ(file_receipt_key(file_message("corr-1", "db.a.b", "f")), "93rH54SalZ0QQ_d408h1hCXZ");
  // The same file name in another run or collection is another file.
  EXPECT_NE(file_receipt_key(file_message("corr-2", "db.a.b", "f")),
            file_receipt_key(file_message("corr-1", "db.a.b", "f")));
  EXPECT_EQ(file_receipt_key(file_message(std::string(100'000, 'c'), "n", "f")).size(), 24u);
}

TEST(Base64Url, Rfc4648VectorsWithoutPadding) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xFF\xFE\xFD", "__79"}};
  for (const auto& [input, expected] : cases)
    EXPECT_EQ(digest::base64url(input), expected) << input;
}

}  // namespace
}  // namespace ssc::core
