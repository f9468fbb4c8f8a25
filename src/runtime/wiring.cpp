#include "runtime/wiring.hpp"

#include <chrono>
#include <string>

#include "aws/endpoints.hpp"
#include "aws/env.hpp"
#include "metrics/pushgateway_publisher.hpp"

namespace ssc::runtime {
namespace {

// The process environment, with the configured profile standing in for AWS_PROFILE when
// one was named (a flag may have named it).
aws::EnvLookup credentials_env(const Config& config) {
  return [env = aws::process_env(), profile = config.aws_profile,
          named = config.aws_profile_named](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_PROFILE") return named ? std::optional<std::string>(profile) : std::nullopt;
    return env(name);
  };
}

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
      http_(max_idle_connections),
      credentials_(aws::make_default_credentials_chain(http_, credentials_env(config_))),
      dynamodb_(aws::resolve_endpoint("dynamodb", config_.aws_region, aws::process_env()),
                *credentials_, http_),
      sqs_(aws::resolve_endpoint("sqs", config_.aws_region, aws::process_env()), *credentials_,
           http_),
      sns_(aws::resolve_endpoint("sns", config_.aws_region, aws::process_env()), *credentials_,
           http_) {}

Wiring::~Wiring() = default;

adapters::DynamoStatusTable& Wiring::status_table() {
  return built(status_table_, dynamodb_,
               adapters::StatusTables{config_.export_status_table, config_.file_receipts_table,
                                      std::chrono::hours(24) * config_.file_receipts_expiry_days});
}

adapters::DynamoProductTable& Wiring::product_table() {
  return built(product_table_, dynamodb_, config_.product_status_table);
}

adapters::SqsExportStateQueue& Wiring::export_state_queue() {
  return built(export_state_queue_, sqs_, config_.export_state_sqs_queue_url);
}

adapters::SnsMonitoring& Wiring::monitoring() {
  return built(monitoring_, sns_, config_.monitoring_sns_topic_arn);
}

metrics::RunMetrics& Wiring::metrics() { return built(metrics_); }

metrics::PushGatewayPublisher& Wiring::publisher() {
  return built(publisher_, metrics(), http_, pushgateway_settings(config_));
}

adapters::RandomOwnerTokens& Wiring::owner_tokens() { return built(owner_tokens_); }

adapters::DynamoRunReader& Wiring::run_reader() {
  return built(run_reader_, dynamodb_, config_.export_status_table, config_.product_status_table);
}

adapters::DynamoReceiptReader& Wiring::receipt_reader() {
  return built(receipt_reader_, dynamodb_, config_.file_receipts_table, max_idle_connections_);
}

core::WorkflowPorts Wiring::workflow_ports() {
  return {status_table(), product_table(), export_state_queue(), monitoring(), metrics(), clock_};
}

}  // namespace ssc::runtime
