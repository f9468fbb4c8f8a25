#include "metrics/detail/label_values.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "log/log.hpp"
#include "metrics/run_metrics.hpp"

namespace ssc::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const core::RunLabels kRun{"corr-1", "2020-01-01", "incremental"};

TEST(LabelValues, SizeAndUtf8) {
  EXPECT_FALSE(label_value_problem(""));
  EXPECT_FALSE(label_value_problem("db.a.b"));
  EXPECT_FALSE(label_value_problem("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(label_value_problem(std::string(kMaxLabelValueBytes, 'c')));
  const auto long_value = label_value_problem(std::string(kMaxLabelValueBytes + 1, 'c'));
  ASSERT_TRUE(long_value);
  EXPECT_THAT(*long_value, HasSubstr("2049 bytes long"));
  for (const char* bad :
       {"\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}) {
    const auto problem = label_value_problem(bad);
    ASSERT_TRUE(problem) << bad;
    EXPECT_THAT(*problem, HasSubstr("not valid UTF-8"));
  }
}

TEST(RunMetrics, CountsFailedAndRejectedDeliveriesWithTheRunLabels) {
  RunMetrics metrics;
  metrics.message_failed(kRun);
  metrics.message_failed(kRun);
  metrics.message_rejected(kRun);
  const auto text = metrics.exposition("corr-1");
  ASSERT_TRUE(text);
  const std::string run_labels =
      R"({correlation_id="corr-1",export_date="2020-01-01",snapshot_type="incremental"})";
  EXPECT_THAT(*text, HasSubstr("snapshot_sender_status_checker_messages_failed_total" + run_labels +
                               " 2\n"));
  EXPECT_THAT(*text, HasSubstr("snapshot_sender_status_checker_messages_rejected_total" +
                               run_labels + " 1\n"));
}

TEST(RunMetrics, ASeriesWithALabelNoGatewayTakesIsNotRecordedButWarnedOf) {
  RunMetrics metrics;
  const std::string huge(1024 * 1024, 'c');
  log::configure({log::Level::Warning, "test", "metrics_tests"});
  ::testing::internal::CaptureStderr();
  metrics.processing_time({huge, "2020-01-01", "full"}, 0.1);
  metrics.message_failed({huge, "2020-01-01", "full"});
  metrics.file_received(kRun, "bad\xff");
  const std::string logged = ::testing::internal::GetCapturedStderr();
  log::configure({});

  EXPECT_FALSE(metrics.exposition(huge).has_value()) << "nothing recorded for the huge run";
  const auto text = metrics.exposition("corr-1");
  EXPECT_TRUE(!text || text->find("bad") == std::string::npos);
  EXPECT_THAT(logged, HasSubstr("Metric not recorded: its label correlation_id is 1048576 bytes"));
  EXPECT_THAT(logged, HasSubstr("snapshot_sender_status_checker_messages_failed_total"));
  EXPECT_THAT(logged, HasSubstr("its label collection_name is not valid UTF-8"));
  EXPECT_THAT(logged, Not(HasSubstr(std::string(100, 'c'))));
  EXPECT_LT(logged.size(), 4096u);
}

}  // namespace
}  // namespace ssc::metrics
