// Drives the metrics (RunMetrics + PushGatewayPublisher) from the integration tests: one
// JSON command per line on stdin, one JSON answer per line on stdout ({"result": ...} or
// {"error": {"type", "message"}}). The gateway comes from PUSHGATEWAY_HOSTNAME and
// PUSHGATEWAY_PORT, as the product reads them; one process is one pushing instance.
//
//   {"op": "file_received", "run": {"correlation_id": .., "export_date": .., "snapshot_type":
//    ..}, "collection_name": ..}
//   {"op": "collection_received" | "collection_successful" | "all_collections_received" |
//    "all_collections_successful", "run": {...}}
//   {"op": "processing_time", "run": {...}, "seconds": 0.5}
//   {"op": "push" | "delete_run", "correlation_id": ..}
//   {"op": "instance"}
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "aws/beast_transport.hpp"
#include "metrics/pushgateway_publisher.hpp"
#include "metrics/run_metrics.hpp"

namespace {

using nlohmann::json;
using namespace ssc;

// The push gateway's answers in these tests come at once.
aws::Deadline in_a_minute() { return std::chrono::steady_clock::now() + std::chrono::minutes(1); }

core::RunLabels run_of(const json& command) {
  const auto& run = command.at("run");
  return {run.at("correlation_id").get<std::string>(), run.at("export_date").get<std::string>(),
          run.at("snapshot_type").get<std::string>()};
}

json execute(const json& command, metrics::RunMetrics& series,
             metrics::PushGatewayPublisher& publisher, const std::string& instance) {
  const auto op = command.at("op").get<std::string>();
  if (op == "file_received") {
    series.file_received(run_of(command), command.at("collection_name").get<std::string>());
  } else if (op == "collection_received") {
    series.collection_received(run_of(command));
  } else if (op == "collection_successful") {
    series.collection_successful(run_of(command));
  } else if (op == "all_collections_received") {
    series.all_collections_received(run_of(command));
  } else if (op == "all_collections_successful") {
    series.all_collections_successful(run_of(command));
  } else if (op == "processing_time") {
    series.processing_time(run_of(command), command.at("seconds").get<double>());
  } else if (op == "push") {
    publisher.push(command.at("correlation_id").get<std::string>(), in_a_minute());
  } else if (op == "delete_run") {
    publisher.delete_run(command.at("correlation_id").get<std::string>(), in_a_minute());
  } else if (op == "instance") {
    return instance;
  } else {
    throw std::invalid_argument("unknown op " + op);
  }
  return nullptr;
}

}  // namespace

int main() {
  const char* host = std::getenv("PUSHGATEWAY_HOSTNAME");
  const char* port = std::getenv("PUSHGATEWAY_PORT");
  aws::BeastTransport http;
  metrics::RunMetrics series;
  std::optional<metrics::PushGatewaySettings> settings;
  const std::string instance = metrics::process_instance_id();
  if (host != nullptr && *host != '\0') {
    settings = metrics::PushGatewaySettings{};
    settings->host = host;
    if (port != nullptr && *port != '\0') settings->port = std::stoi(port);
    settings->instance = instance;
  }
  metrics::PushGatewayPublisher publisher(series, http, settings);

  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json answer;
    try {
      answer = {{"result", execute(json::parse(line), series, publisher, instance)}};
    } catch (const std::exception& error) {
      answer = {{"error",
                 {{"type", dynamic_cast<const metrics::PushGatewayError*>(&error) != nullptr
                               ? "PushGatewayError"
                               : "other"},
                  {"message", error.what()}}}};
    }
    std::cout << answer.dump() << std::endl;
  }
  return 0;
}
