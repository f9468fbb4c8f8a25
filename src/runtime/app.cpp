#include "runtime/app.hpp"

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "adapters/dynamodb_product_table.hpp"
#include "adapters/dynamodb_status_table.hpp"
#include "adapters/random_owner_tokens.hpp"
#include "adapters/sns_monitoring.hpp"
#include "adapters/sqs_export_state_queue.hpp"
#include "core/handler.hpp"
#include "core/time_budget.hpp"
#include "log/log.hpp"
#include "metrics/pushgateway_publisher.hpp"
#include "metrics/run_metrics.hpp"
#include "runtime/aws_clients.hpp"
#include "runtime/system_clock.hpp"

namespace ssc::runtime {

std::optional<metrics::PushGatewaySettings> pushgateway_settings(const Config& config) {
  if (!config.pushgateway_hostname) return std::nullopt;
  metrics::PushGatewaySettings settings;
  settings.host = *config.pushgateway_hostname;
  settings.port = config.pushgateway_port;
  settings.instance = metrics::process_instance_id();
  return settings;
}

// Messages of a standard queue's batch processed at once: SQS hands Lambda up to 10 per
// batch by default, and each spends most of its time waiting on DynamoDB.
constexpr std::size_t kBatchConcurrency = 10;
// Idle connections kept between invocations: one per concurrent message, and a few for the
// metrics push and the credentials endpoint, so that the connections a batch opened are
// there for the next one.
constexpr std::size_t kMaxIdleConnections = kBatchConcurrency + 4;

// Members in dependency order: each refers only to those above it, and they are destroyed
// in reverse.
struct Application::Parts {
  explicit Parts(const Config& config)
      : aws(config, kMaxIdleConnections),
        status(aws.dynamodb,
               adapters::StatusTables{config.export_status_table, config.file_receipts_table,
                                      std::chrono::hours(24) * config.file_receipts_expiry_days}),
        product(aws.dynamodb, config.product_status_table),
        queue(aws.sqs, config.export_state_sqs_queue_url),
        monitoring(aws.sns, config.monitoring_sns_topic_arn),
        publisher(metrics, aws.http, pushgateway_settings(config)),
        handler(core::HandlerPorts{core::WorkflowPorts{status, product, queue, monitoring, metrics,
                                                       clock},
                                   publisher, owner_tokens},
                config.metrics_scrape_interval_seconds, kBatchConcurrency) {
    // A batch that finishes a run waits for the scrape: that time is kept after the
    // messages' work end, however long contention kept them busy.
    if (config.pushgateway_hostname) {
      reserve.scrape_wait = std::chrono::seconds(config.metrics_scrape_interval_seconds);
    }
  }

  AwsClients aws;
  adapters::DynamoStatusTable status;
  adapters::DynamoProductTable product;
  adapters::SqsExportStateQueue queue;
  adapters::SnsMonitoring monitoring;
  metrics::RunMetrics metrics;
  metrics::PushGatewayPublisher publisher;
  SystemClock clock;
  adapters::RandomOwnerTokens owner_tokens;
  core::BatchHandler handler;
  core::ReservePolicy reserve;
};

Application::Application(const Config& config) : parts_(std::make_unique<Parts>(config)) {
  log::debug("app", "ready",
             {{"dynamodb", parts_->aws.dynamodb.aws().endpoint().url},
              {"sqs", parts_->aws.sqs.aws().endpoint().url},
              {"sns", parts_->aws.sns.aws().endpoint().url}});
}

Application::~Application() = default;

std::string Application::handle(const std::string& event_text, std::int64_t deadline_ms) {
  // Made first, so that parsing the event is inside the time it measures.
  const auto budget = core::TimeBudget::starting(deadline_ms, parts_->clock, parts_->reserve);
  nlohmann::json event;
  try {
    event = nlohmann::json::parse(event_text);
  } catch (const nlohmann::json::parse_error& error) {
    throw InvalidEvent(std::string("the event is not JSON: ") + error.what());
  }
  return parts_->handler.handle(event, budget)
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ssc::runtime
