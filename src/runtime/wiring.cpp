#include "runtime/wiring.hpp"

#include <chrono>

#include "metrics/grouping_key.hpp"

namespace ssc::runtime {
namespace {

template <typename Part, typename... Args>
Part& built(std::unique_ptr<Part>& part, Args&&... args) {
  if (!part) part = std::make_unique<Part>(std::forward<Args>(args)...);
  return *part;
}

}  // namespace

std::optional<metrics::PushGatewaySettings> pushgateway_settings(const Config& config) {
  if (!config.pushgateway_hostname) return std::nullopt;
  metrics::PushGatewaySettings settings;
  settings.host = *config.pushgateway_hostname;
  settings.port = config.pushgateway_port;
  settings.instance = metrics::process_instance_id();
  return settings;
}

Wiring::Wiring(const Config& config, std::size_t max_idle_connections)
    : config_(config),
      max_idle_connections_(max_idle_connections),
      aws_(config_, max_idle_connections) {}

Wiring::~Wiring() = default;

adapters::DynamoStatusTable& Wiring::status_table() {
  return built(status_table_, aws_.dynamodb,
               adapters::StatusTables{config_.export_status_table, config_.file_receipts_table,
                                      std::chrono::hours(24) * config_.file_receipts_expiry_days});
}

adapters::DynamoProductTable& Wiring::product_table() {
  return built(product_table_, aws_.dynamodb, config_.product_status_table);
}

adapters::SqsExportStateQueue& Wiring::export_state_queue() {
  return built(export_state_queue_, aws_.sqs, config_.export_state_sqs_queue_url);
}

adapters::SnsMonitoring& Wiring::monitoring() {
  return built(monitoring_, aws_.sns, config_.monitoring_sns_topic_arn);
}

metrics::RunMetrics& Wiring::metrics() { return built(metrics_); }

metrics::PushGatewayPublisher& Wiring::publisher() {
  return built(publisher_, metrics(), aws_.http, pushgateway_settings(config_));
}

adapters::RandomOwnerTokens& Wiring::owner_tokens() { return built(owner_tokens_); }

adapters::DynamoRunReader& Wiring::run_reader() {
  return built(run_reader_, aws_.dynamodb, config_.export_status_table,
               config_.product_status_table);
}

adapters::DynamoReceiptReader& Wiring::receipt_reader() {
  return built(receipt_reader_, aws_.dynamodb, config_.file_receipts_table, max_idle_connections_);
}

core::WorkflowPorts Wiring::workflow_ports() {
  return {status_table(), product_table(), export_state_queue(), monitoring(), metrics(), clock_};
}

}  // namespace ssc::runtime
