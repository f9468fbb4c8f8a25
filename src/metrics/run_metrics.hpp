// The six series of SPEC section 7, and two of this implementation's own (failed and
// rejected message deliveries), kept in one prometheus-cpp Registry per run (correlation
// id), so that a push carries exactly one run's series and a finished run's series can be
// dropped without touching the others. A series whose label values a push gateway would
// not take (metrics/detail/label_values.hpp) is not recorded: one WARNING names the series and the
// label instead.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/ports.hpp"

namespace ssc::metrics {

inline constexpr const char* kProcessingTime =
    "snapshot_sender_status_checker_message_processing_time";
inline constexpr const char* kCollectionsReceived =
    "snapshot_sender_status_checker_collections_received_total";
inline constexpr const char* kCollectionsSuccessful =
    "snapshot_sender_status_checker_collections_successful_total";
inline constexpr const char* kAllCollectionsReceived =
    "snapshot_sender_status_checker_all_collections_received_total";
// Misspelt on purpose: the existing dashboards query this name.
inline constexpr const char* kAllCollectionsSuccessful =
    "snapshot_sender_status_checker_all_collections_succesful_total";
inline constexpr const char* kFilesReceived = "snapshot_sender_status_checker_files_received_total";
// Not in SPEC section 7 (whose six series stay as the dashboards know them): deliveries
// that failed, and deliveries rejected as invalid, per run (core::Metrics).
inline constexpr const char* kMessagesFailed =
    "snapshot_sender_status_checker_messages_failed_total";
inline constexpr const char* kMessagesRejected =
    "snapshot_sender_status_checker_messages_rejected_total";

// Every member may be called from many threads at once (the batch's workers record, the
// handler's thread serializes and forgets): one mutex guards the map of runs and is held
// for each whole update or serialization, so that a push never carries half an update and
// forget() cannot free a run that another thread is recording into.
class RunMetrics final : public core::Metrics {
 public:
  RunMetrics();
  ~RunMetrics() override;
  RunMetrics(const RunMetrics&) = delete;
  RunMetrics& operator=(const RunMetrics&) = delete;

  void processing_time(const core::RunLabels& run, double seconds) override;
  void file_received(const core::RunLabels& run, const std::string& collection_name) override;
  void collection_received(const core::RunLabels& run) override;
  void collection_successful(const core::RunLabels& run) override;
  void all_collections_received(const core::RunLabels& run) override;
  void all_collections_successful(const core::RunLabels& run) override;
  void message_failed(const core::RunLabels& run) override;
  void message_rejected(const core::RunLabels& run) override;

  // The run's series in the Prometheus text format (cumulative since this process first
  // recorded the run); nullopt when this process has recorded nothing for it.
  [[nodiscard]] std::optional<std::string> exposition(const std::string& correlation_id) const;

  // Drops the run's series (after the push gateway forgot them).
  void forget(const std::string& correlation_id);

 private:
  struct Run;
  Run& run_for(const std::string& correlation_id);
  // Adds one to the counter `family_of(run)` picks, unless a label is one no push may carry.
  template <typename FamilyOf>
  void increment(const char* series, FamilyOf family_of, const core::RunLabels& run);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Run>> runs_;
};

}  // namespace ssc::metrics
