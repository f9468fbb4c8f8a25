// The composition root: the one place that builds, from the configuration, the HTTP
// transport, the credentials chain (with the configured profile), one client per AWS
// service, and what stands behind the core's ports (the tables, the queue, the topic, the metrics
// and their publisher, the clock, the owner tokens). The Lambda builds one per process
// (runtime/app.hpp); each operator command builds one for its own run.
//
// Each part is built when first asked for, so that a command builds (and logs) only what it
// calls, and reads only the settings those parts take: load_config's RequiredSettings
// refuses a command only for those (SPEC section 10).
//
// Threads: the parts are built on one thread, before they are shared; once built, each takes
// concurrent calls as its own header says.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include "adapters/dynamodb_product_table.hpp"
#include "adapters/dynamodb_receipt_reader.hpp"
#include "adapters/dynamodb_run_reader.hpp"
#include "adapters/dynamodb_status_table.hpp"
#include "adapters/random_owner_tokens.hpp"
#include "adapters/sns_monitoring.hpp"
#include "adapters/sqs_export_state_queue.hpp"
#include "aws/beast_transport.hpp"
#include "aws/credentials.hpp"
#include "aws/dynamodb.hpp"
#include "aws/sns.hpp"
#include "aws/sqs.hpp"
#include "core/workflow.hpp"
#include "metrics/pushgateway_publisher.hpp"
#include "metrics/run_metrics.hpp"
#include "runtime/config.hpp"
#include "runtime/system_clock.hpp"

namespace ssc::runtime {

class Wiring {
 public:
  // `max_idle_connections`: connections kept open between requests (one per request made at
  // once). Throws aws::ConfigurationError for a bad endpoint or profile.
  Wiring(const Config& config, std::size_t max_idle_connections);
  Wiring(const Wiring&) = delete;
  Wiring& operator=(const Wiring&) = delete;
  ~Wiring();

  [[nodiscard]] const Config& config() const { return config_; }
  aws::DynamoDbClient& dynamodb() { return dynamodb_; }
  aws::SqsClient& sqs() { return sqs_; }
  aws::SnsClient& sns() { return sns_; }
  SystemClock& clock() { return clock_; }

  adapters::DynamoStatusTable& status_table();    // export status and file receipts tables
  adapters::DynamoProductTable& product_table();  // product status table
  adapters::SqsExportStateQueue& export_state_queue();
  adapters::SnsMonitoring& monitoring();
  metrics::RunMetrics& metrics();
  metrics::PushGatewayPublisher& publisher();  // logs once when no push gateway is set
  adapters::RandomOwnerTokens& owner_tokens();
  adapters::DynamoRunReader& run_reader();  // the operator's whole-run read
  // As many BatchGetItem requests at once as connections are kept.
  adapters::DynamoReceiptReader& receipt_reader();

  // The workflow's ports: every part it calls.
  core::WorkflowPorts workflow_ports();

 private:
  // In dependency order: each refers only to those above it.
  Config config_;
  std::size_t max_idle_connections_;
  aws::BeastTransport http_;
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  aws::DynamoDbClient dynamodb_;
  aws::SqsClient sqs_;
  aws::SnsClient sns_;
  SystemClock clock_;
  std::unique_ptr<adapters::DynamoStatusTable> status_table_;
  std::unique_ptr<adapters::DynamoProductTable> product_table_;
  std::unique_ptr<adapters::SqsExportStateQueue> export_state_queue_;
  std::unique_ptr<adapters::SnsMonitoring> monitoring_;
  std::unique_ptr<metrics::RunMetrics> metrics_;
  std::unique_ptr<metrics::PushGatewayPublisher> publisher_;
  std::unique_ptr<adapters::RandomOwnerTokens> owner_tokens_;
  std::unique_ptr<adapters::DynamoRunReader> run_reader_;
  std::unique_ptr<adapters::DynamoReceiptReader> receipt_reader_;
};

// Where the metrics go (SPEC section 7); nullopt when no push gateway host is set.
std::optional<metrics::PushGatewaySettings> pushgateway_settings(const Config& config);

}  // namespace ssc::runtime
