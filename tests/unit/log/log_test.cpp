#include "log/log.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace ssc::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override { configure(Settings{Level::Info, "test-env", "test-app"}); }
  void TearDown() override { configure(Settings{}); }
};

std::vector<nlohmann::json> parse_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST_F(LogTest, ParseLevelAcceptsEveryNameInAnyCase) {
  EXPECT_EQ(parse_level("debug"), Level::Debug);
  EXPECT_EQ(parse_level("INFO"), Level::Info);
  EXPECT_EQ(parse_level("Warning"), Level::Warning);
  EXPECT_EQ(parse_level("warn"), Level::Warning);
  EXPECT_EQ(parse_level("ERROR"), Level::Error);
  EXPECT_EQ(parse_level("critical"), Level::Critical);
  EXPECT_EQ(parse_level("verbose"), std::nullopt);
  EXPECT_EQ(parse_level(""), std::nullopt);
}

TEST_F(LogTest, LineHasEveryStandardField) {
  const auto line = nlohmann::json::parse(format_line(Level::Warning, "workflow", "hello"));
  EXPECT_EQ(line["log_level"], "WARNING");
  EXPECT_EQ(line["message"], "hello");
  EXPECT_EQ(line["environment"], "test-env");
  EXPECT_EQ(line["application"], "test-app");
  EXPECT_EQ(line["module"], "workflow");
  EXPECT_TRUE(line["process"].is_number_integer());
  EXPECT_TRUE(line["thread"].is_number_integer());
  EXPECT_TRUE(line["hostname"].is_string());
  EXPECT_FALSE(line["hostname"].get<std::string>().empty());
  const std::regex iso_utc_ms(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  EXPECT_TRUE(std::regex_match(line["timestamp"].get<std::string>(), iso_utc_ms))
      << line["timestamp"];
}

TEST_F(LogTest, FormatLineEndsWithOneNewlineAndHasNoOtherNewline) {
  const std::string text = format_line(Level::Info, "m", "two\nlines\r\n");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1);
}

TEST_F(LogTest, QuotesNewlinesAndNonAsciiSurviveRoundTrip) {
  const std::string tricky = "say \"hi\"\n\ttab \\ back caf\xC3\xA9 \xE2\x9C\x93";
  const auto line =
      nlohmann::json::parse(format_line(Level::Info, "m", tricky, {{"detail", tricky}}));
  EXPECT_EQ(line["message"], tricky);
  EXPECT_EQ(line["detail"], tricky);
}

TEST_F(LogTest, InvalidUtf8IsReplacedNotThrown) {
  const std::string broken = "bad \xFF\xFE bytes \xC3";
  std::string text;
  ASSERT_NO_THROW(text = format_line(Level::Info, "m", broken, {{"x", broken}}));
  const auto line = nlohmann::json::parse(text);
  EXPECT_NE(line["message"].get<std::string>().find("bad "), std::string::npos);
}

TEST_F(LogTest, ContextFieldsAppearWhileContextLivesAndNest) {
  {
    LogContext outer({{"correlation_id", "corr-1"}, {"collection_name", "db.a.b"}});
    {
      LogContext inner({{"file_name", "f.gz"}, {"collection_name", "db.c.d"}});
      const auto line = nlohmann::json::parse(format_line(Level::Info, "m", "x"));
      EXPECT_EQ(line["correlation_id"], "corr-1");
      EXPECT_EQ(line["collection_name"], "db.c.d");
      EXPECT_EQ(line["file_name"], "f.gz");
    }
    const auto line = nlohmann::json::parse(format_line(Level::Info, "m", "x"));
    EXPECT_EQ(line["collection_name"], "db.a.b");
    EXPECT_FALSE(line.contains("file_name"));
  }
  const auto line = nlohmann::json::parse(format_line(Level::Info, "m", "x"));
  EXPECT_FALSE(line.contains("correlation_id"));
}

TEST_F(LogTest, ContextIsPerThread) {
  LogContext context(Fields{{"correlation_id", "main-thread"}});
  std::string other;
  std::thread([&] { other = format_line(Level::Info, "m", "x"); }).join();
  EXPECT_FALSE(nlohmann::json::parse(other).contains("correlation_id"));
}

TEST_F(LogTest, ExtrasCannotOverrideStandardFields) {
  const auto line = nlohmann::json::parse(
      format_line(Level::Info, "m", "real", {{"message", "fake"}, {"log_level", "DEBUG"}}));
  EXPECT_EQ(line["message"], "real");
  EXPECT_EQ(line["log_level"], "INFO");
}

TEST_F(LogTest, ExtrasCannotClaimNothingWasCut) {
  const auto line =
      nlohmann::json::parse(format_line(Level::Info, "m", "x", {{"cut_fields", "none"}}));
  EXPECT_FALSE(line.contains("cut_fields"));
}

TEST_F(LogTest, TheMessageContextWinsOverAnExtraOfTheSameName) {
  LogContext context(Fields{{"file_name", "from-context"}});
  const auto text = format_line(Level::Info, "m", "x", {{"file_name", "from-extra"}});
  EXPECT_EQ(nlohmann::json::parse(text)["file_name"], "from-context");
  EXPECT_EQ(text.find("from-extra"), std::string::npos) << "a name twice in one object";
}

// The date and time of day are formatted once a second per thread: a line written in a later
// second must not carry the earlier one.
TEST_F(LogTest, TheTimestampFollowsTheClockFromSecondToSecond) {
  const auto utc_now = [] {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::array<char, 32> text{};
    return std::string(text.data(),
                       std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &utc));
  };
  const auto line_second = [] {
    const auto line = nlohmann::json::parse(format_line(Level::Info, "m", "x"));
    return line["timestamp"].get<std::string>().substr(0, 19);
  };
  // Until the clock has moved on twice (about two seconds).
  std::string last_second = utc_now();
  for (int changes = 0; changes < 2;) {
    const std::string before = utc_now();
    const std::string stamped = line_second();
    const std::string after = utc_now();
    EXPECT_LE(before, stamped);
    EXPECT_LE(stamped, after);
    if (after != last_second) {
      ++changes;
      last_second = after;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

TEST_F(LogTest, WriteGoesToStderrAndFiltersByLevel) {
  ::testing::internal::CaptureStderr();
  debug("m", "hidden");
  info("m", "shown info");
  error("m", "shown error", {{"k", "v"}});
  critical("m", "shown critical");
  const auto lines = parse_lines(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["message"], "shown info");
  EXPECT_EQ(lines[1]["log_level"], "ERROR");
  EXPECT_EQ(lines[1]["k"], "v");
  EXPECT_EQ(lines[2]["log_level"], "CRITICAL");
}

TEST_F(LogTest, DebugShownWhenConfigured) {
  configure(Settings{Level::Debug, "e", "a"});
  EXPECT_TRUE(enabled(Level::Debug));
  ::testing::internal::CaptureStderr();
  debug("m", "visible");
  const auto lines = parse_lines(::testing::internal::GetCapturedStderr());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["log_level"], "DEBUG");
}

TEST_F(LogTest, ErrorLevelHidesWarnings) {
  configure(Settings{Level::Error, "e", "a"});
  EXPECT_FALSE(enabled(Level::Warning));
  EXPECT_TRUE(enabled(Level::Critical));
}

TEST_F(LogTest, ConcurrentWritersNeverInterleaveLines) {
  constexpr int kThreads = 4;
  constexpr int kLinesEach = 200;
  ::testing::internal::CaptureStderr();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      const std::string payload(300, static_cast<char>('a' + t));
      for (int i = 0; i < kLinesEach; ++i) info("m", payload, {{"i", std::to_string(i)}});
    });
  }
  for (auto& thread : threads) thread.join();
  const auto lines = parse_lines(::testing::internal::GetCapturedStderr());
  EXPECT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kLinesEach));
}

}  // namespace
}  // namespace ssc::log
