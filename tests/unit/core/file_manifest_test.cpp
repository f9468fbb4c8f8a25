#include "core/file_manifest.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace ssc::core {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

TEST(ManifestFileName, APlainLineIsTheName) {
  EXPECT_THAT(manifest_file_name("db.a.b-001.json.gz"),
              Optional(std::string_view("db.a.b-001.json.gz")));
  EXPECT_THAT(manifest_file_name("with space.gz\r"), Optional(std::string_view("with space.gz")));
}

TEST(ManifestFileName, AnS3LsLineIsWhatFollowsTheSizeColumnSpacesIncluded) {
  EXPECT_THAT(manifest_file_name("2026-12-01 10:15:03      12345 db.a.b-001.json.gz"),
              Optional(std::string_view("db.a.b-001.json.gz")));
  EXPECT_THAT(manifest_file_name("2026-12-01 10:15:03 7 a  name with  spaces "),
              Optional(std::string_view("a  name with  spaces ")));
  EXPECT_THAT(manifest_file_name("2026-12-01 10:15:03          0 1999-01-01 00:00:00 7 x"),
              Optional(std::string_view("1999-01-01 00:00:00 7 x")));
}

TEST(ManifestFileName, BlankAndPreLinesNameNoFile) {
  EXPECT_EQ(manifest_file_name(""), std::nullopt);
  EXPECT_EQ(manifest_file_name("  \t\r"), std::nullopt);
  EXPECT_EQ(manifest_file_name("                           PRE db.a/"), std::nullopt);
}

TEST(ReadFileManifest, PutsThePrefixBeforeEachNameAndDropsRepeats) {
  std::istringstream in(
      "                           PRE sub/\n"
      "2026-12-01 10:15:03        100 a.gz\n"
      "\n"
      "2026-12-01 10:15:04        200 b c.gz\n"
      "a.gz\n");
  const FileManifest manifest = read_file_manifest(in, "exports/");
  EXPECT_THAT(manifest.names, ElementsAre("exports/a.gz", "exports/b c.gz"));
  EXPECT_EQ(manifest.skipped_lines, 3u);
}

}  // namespace
}  // namespace ssc::core
