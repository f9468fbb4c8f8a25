#include "metrics/run_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>
#include <prometheus/summary.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace ssc::metrics {

namespace {

prometheus::Labels labels_of(const core::RunLabels& run) {
  return {{"correlation_id", run.correlation_id},
          {"export_date", run.export_date},
          {"snapshot_type", run.snapshot_type}};
}

prometheus::Family<prometheus::Counter>& counter(prometheus::Registry& registry,
                                                 const std::string& name, const std::string& help) {
  // prometheus-cpp 1.0.1 exposes a counter under exactly the name it was given (no
  // "_total" appended), so the names above carry the suffix themselves.
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry);
}

}  // namespace

struct RunMetrics::Run {
  prometheus::Registry registry;
  prometheus::Family<prometheus::Summary>& processing_time =
      prometheus::BuildSummary()
          .Name(kProcessingTime)
          .Help("The time for snapshot sender process checker to process a message")
          .Register(registry);
  prometheus::Family<prometheus::Counter>& collections_received =
      counter(registry, kCollectionsReceived, "The number of received collections");
  prometheus::Family<prometheus::Counter>& collections_successful =
      counter(registry, kCollectionsSuccessful, "The number of successful collections");
  prometheus::Family<prometheus::Counter>& all_collections_received = counter(
      registry, kAllCollectionsReceived, "The number of runs where all collections were received");
  prometheus::Family<prometheus::Counter>& all_collections_successful =
      counter(registry, kAllCollectionsSuccessful,
              "The number of runs where all collections were successful");
  prometheus::Family<prometheus::Counter>& files_received =
      counter(registry, kFilesReceived, "The number of files received by NiFi");
};

RunMetrics::RunMetrics() = default;
RunMetrics::~RunMetrics() = default;

RunMetrics::Run& RunMetrics::run_for(const std::string& correlation_id) {
  auto& slot = runs_[correlation_id];
  if (!slot) slot = std::make_unique<Run>();
  return *slot;
}

void RunMetrics::processing_time(const core::RunLabels& run, double seconds) {
  std::lock_guard lock(mutex_);
  // No quantiles: the dashboards read only _sum and _count.
  run_for(run.correlation_id)
      .processing_time.Add(labels_of(run), prometheus::Summary::Quantiles{})
      .Observe(seconds);
}

void RunMetrics::file_received(const core::RunLabels& run, const std::string& collection_name) {
  std::lock_guard lock(mutex_);
  auto labels = labels_of(run);
  labels.emplace("collection_name", collection_name);
  run_for(run.correlation_id).files_received.Add(labels).Increment();
}

void RunMetrics::collection_received(const core::RunLabels& run) {
  std::lock_guard lock(mutex_);
  run_for(run.correlation_id).collections_received.Add(labels_of(run)).Increment();
}

void RunMetrics::collection_successful(const core::RunLabels& run) {
  std::lock_guard lock(mutex_);
  run_for(run.correlation_id).collections_successful.Add(labels_of(run)).Increment();
}

void RunMetrics::all_collections_received(const core::RunLabels& run) {
  std::lock_guard lock(mutex_);
  run_for(run.correlation_id).all_collections_received.Add(labels_of(run)).Increment();
}

void RunMetrics::all_collections_successful(const core::RunLabels& run) {
  std::lock_guard lock(mutex_);
  run_for(run.correlation_id).all_collections_successful.Add(labels_of(run)).Increment();
}

std::optional<std::string> RunMetrics::exposition(const std::string& correlation_id) const {
  std::lock_guard lock(mutex_);
  const auto found = runs_.find(correlation_id);
  if (found == runs_.end()) return std::nullopt;
  std::ostringstream out;
  prometheus::TextSerializer{}.Serialize(out, found->second->registry.Collect());
  return out.str();
}

void RunMetrics::forget(const std::string& correlation_id) {
  std::lock_guard lock(mutex_);
  runs_.erase(correlation_id);
}

}  // namespace ssc::metrics
