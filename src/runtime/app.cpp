#include "runtime/app.hpp"

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "core/handler.hpp"
#include "core/time_budget.hpp"
#include "log/log.hpp"
#include "runtime/wiring.hpp"

namespace ssc::runtime {

// Messages of a standard queue's batch processed at once: SQS hands Lambda up to 10 per
// batch by default, and each spends most of its time waiting on DynamoDB.
constexpr std::size_t kBatchConcurrency = 10;
// Idle connections kept between invocations: one per concurrent message, and a few for the
// metrics push and the credentials endpoint, so that the connections a batch opened are
// there for the next one.
constexpr std::size_t kMaxIdleConnections = kBatchConcurrency + 4;

namespace {

core::ReservePolicy reserve_policy(const Config& config) {
  core::ReservePolicy reserve;
  // A batch that finishes a run waits for the scrape: that time is kept after the
  // messages' work end, however long contention kept them busy.
  if (config.pushgateway_hostname) {
    reserve.scrape_wait = std::chrono::seconds(config.metrics_scrape_interval_seconds);
  }
  return reserve;
}

}  // namespace

// Members in dependency order: the handler refers to the wiring's parts.
struct Application::Parts {
  explicit Parts(const Config& config)
      : wiring(config, kMaxIdleConnections),
        handler(
            core::HandlerPorts{wiring.workflow_ports(), wiring.publisher(), wiring.owner_tokens()},
            config.metrics_scrape_interval_seconds, kBatchConcurrency),
        reserve(reserve_policy(config)) {}

  Wiring wiring;
  core::BatchHandler handler;
  core::ReservePolicy reserve;
};

Application::Application(const Config& config) : parts_(std::make_unique<Parts>(config)) {
  Wiring& wiring = parts_->wiring;
  log::debug("app", "ready",
             {{"dynamodb", wiring.dynamodb().aws().endpoint().url},
              {"sqs", wiring.sqs().aws().endpoint().url},
              {"sns", wiring.sns().aws().endpoint().url}});
}

Application::~Application() = default;

std::string Application::handle(const std::string& event_text, std::int64_t deadline_ms) {
  // Made first, so that parsing the event is inside the time it measures.
  const auto budget =
      core::TimeBudget::starting(deadline_ms, parts_->wiring.clock(), parts_->reserve);
  std::vector<core::EventRecord> records;
  try {
    records = core::read_event(event_text);
  } catch (const nlohmann::json::parse_error& error) {
    throw InvalidEvent(std::string("the event is not JSON: ") + error.what());
  }
  return parts_->handler.handle_records(records, budget)
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ssc::runtime
