#include "metrics/run_metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ssc::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const core::RunLabels kRun{"corr-1", "2020-01-01", "incremental"};

TEST(RunMetrics, ExposesTheSpecSeriesNamesAndLabels) {
  RunMetrics metrics;
  metrics.processing_time(kRun, 0.25);
  metrics.processing_time(kRun, 0.5);
  metrics.file_received(kRun, "db.a.b");
  metrics.file_received(kRun, "db.a.b");
  metrics.collection_received(kRun);
  metrics.collection_successful(kRun);
  metrics.all_collections_received(kRun);
  metrics.all_collections_successful(kRun);

  const auto text = metrics.exposition("corr-1");
  ASSERT_TRUE(text.has_value());
  const std::string run_labels =
      R"({correlation_id="corr-1",export_date="2020-01-01",snapshot_type="incremental"})";
  EXPECT_THAT(*text, HasSubstr("# TYPE snapshot_sender_status_checker_message_processing_time "
                               "summary"));
  EXPECT_THAT(*text, HasSubstr("snapshot_sender_status_checker_message_processing_time_count" +
                               run_labels + " 2\n"));
  EXPECT_THAT(*text, HasSubstr("snapshot_sender_status_checker_message_processing_time_sum" +
                               run_labels + " 0.75\n"));
  EXPECT_THAT(*text, Not(HasSubstr("quantile")));
  EXPECT_THAT(
      *text,
      HasSubstr(
          R"(snapshot_sender_status_checker_files_received_total{collection_name="db.a.b",correlation_id="corr-1",export_date="2020-01-01",snapshot_type="incremental"} 2)"));
  EXPECT_THAT(*text, HasSubstr("snapshot_sender_status_checker_collections_received_total" +
                               run_labels + " 1\n"));
  EXPECT_THAT(*text, HasSubstr("snapshot_sender_status_checker_collections_successful_total" +
                               run_labels + " 1\n"));
  EXPECT_THAT(*text, HasSubstr("snapshot_sender_status_checker_all_collections_received_total" +
                               run_labels + " 1\n"));
  EXPECT_THAT(*text, HasSubstr("snapshot_sender_status_checker_all_collections_succesful_total" +
                               run_labels + " 1\n"));
  EXPECT_THAT(*text, HasSubstr("# TYPE snapshot_sender_status_checker_files_received_total "
                               "counter"));
  EXPECT_THAT(*text, Not(HasSubstr("_total_total")));
}

TEST(RunMetrics, KeepsRunsApartAndForgetsOne) {
  RunMetrics metrics;
  metrics.collection_received(kRun);
  metrics.collection_received({"corr-2", "2020-01-02", "full"});

  EXPECT_THAT(*metrics.exposition("corr-1"), Not(HasSubstr("corr-2")));
  EXPECT_THAT(*metrics.exposition("corr-2"), Not(HasSubstr("corr-1")));
  EXPECT_FALSE(metrics.exposition("corr-3").has_value());

  metrics.forget("corr-1");
  EXPECT_FALSE(metrics.exposition("corr-1").has_value());
  EXPECT_TRUE(metrics.exposition("corr-2").has_value());
}

TEST(RunMetrics, EscapesLabelValuesInTheTextFormat) {
  RunMetrics metrics;
  metrics.file_received(kRun, "quote\" back\\slash\nnewline");
  EXPECT_THAT(*metrics.exposition("corr-1"),
              HasSubstr(R"(collection_name="quote\" back\\slash\nnewline")"));
}

}  // namespace
}  // namespace ssc::metrics
