#include "metrics/run_metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>
#include <prometheus/summary.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <sstream>

#include "log/log.hpp"
#include "metrics/detail/label_values.hpp"

namespace ssc::metrics {

namespace {

constexpr std::string_view kModule = "metrics";

prometheus::Labels labels_of(const core::RunLabels& run) {
  return {{"correlation_id", run.correlation_id},
          {"export_date", run.export_date},
          {"snapshot_type", run.snapshot_type}};
}

// False, after a WARNING, when a label value is one no push may carry.
bool pushable(const char* series, const prometheus::Labels& labels) {
  for (const auto& [name, value] : labels) {
    if (const auto problem = label_value_problem(value)) {
      log::warning(kModule, "Metric not recorded: its label " + name + " is " + *problem,
                   {{"series", series}, {"label", name}});
      return false;
    }
  }
  return true;
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
  // Family::Add builds a metric before it looks for the one the labels have: a Summary (its
  // time windows) costs 4% of a message's instructions, so each one is kept once added.
  std::map<prometheus::Labels, prometheus::Summary*> processing_time_by_labels;
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
  prometheus::Family<prometheus::Counter>& messages_failed = counter(
      registry, kMessagesFailed, "The number of message deliveries that failed (they come back)");
  prometheus::Family<prometheus::Counter>& messages_rejected =
      counter(registry, kMessagesRejected, "The number of message deliveries rejected as invalid");
};

RunMetrics::RunMetrics() = default;
RunMetrics::~RunMetrics() = default;

RunMetrics::Run& RunMetrics::run_for(const std::string& correlation_id) {
  auto& slot = runs_[correlation_id];
  if (!slot) slot = std::make_unique<Run>();
  return *slot;
}

template <typename FamilyOf>
void RunMetrics::increment(const char* series, FamilyOf family_of, const core::RunLabels& run) {
  const auto labels = labels_of(run);
  if (!pushable(series, labels)) return;
  std::lock_guard lock(mutex_);
  family_of(run_for(run.correlation_id)).Add(labels).Increment();
}

void RunMetrics::processing_time(const core::RunLabels& run, double seconds) {
  const auto labels = labels_of(run);
  if (!pushable(kProcessingTime, labels)) return;
  std::lock_guard lock(mutex_);
  Run& metrics = run_for(run.correlation_id);
  prometheus::Summary*& summary = metrics.processing_time_by_labels[labels];
  // No quantiles: the dashboards read only _sum and _count.
  if (summary == nullptr) {
    summary = &metrics.processing_time.Add(labels, prometheus::Summary::Quantiles{});
  }
  summary->Observe(seconds);
}

void RunMetrics::file_received(const core::RunLabels& run, const std::string& collection_name) {
  auto labels = labels_of(run);
  labels.emplace("collection_name", collection_name);
  if (!pushable(kFilesReceived, labels)) return;
  std::lock_guard lock(mutex_);
  run_for(run.correlation_id).files_received.Add(labels).Increment();
}

void RunMetrics::collection_received(const core::RunLabels& run) {
  increment(
      kCollectionsReceived, [](Run & r) -> auto& { return r.collections_received; }, run);
}

void RunMetrics::collection_successful(const core::RunLabels& run) {
  increment(
      kCollectionsSuccessful, [](Run & r) -> auto& { return r.collections_successful; }, run);
}

void RunMetrics::all_collections_received(const core::RunLabels& run) {
  increment(
      kAllCollectionsReceived, [](Run & r) -> auto& { return r.all_collections_received; }, run);
}

void RunMetrics::all_collections_successful(const core::RunLabels& run) {
  increment(
      kAllCollectionsSuccessful, [](Run & r) -> auto& { return r.all_collections_successful; },
      run);
}

void RunMetrics::message_failed(const core::RunLabels& run) {
  increment(
      kMessagesFailed, [](Run & r) -> auto& { return r.messages_failed; }, run);
}

void RunMetrics::message_rejected(const core::RunLabels& run) {
  increment(
      kMessagesRejected, [](Run & r) -> auto& { return r.messages_rejected; }, run);
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
