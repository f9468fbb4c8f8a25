// Pushes a run's series to the Prometheus push gateway and deletes them when the run is
// finished (SPEC section 7).
//
// Why not prometheus::Gateway (prometheus-cpp push): in 1.0.1 it writes grouping label
// values into the URL path as they are, so a correlation id holding '/' (or '%', a space)
// names another group or is refused; it has its own curl handle, outside the deadline and
// the connection reuse of our transport; and it cannot list groups, which delete_run needs.
// So the registry is serialized with prometheus::TextSerializer and sent through the
// project's HttpTransport, with every grouping value in the gateway's "@base64" encoding.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "aws/deadline.hpp"
#include "aws/http.hpp"
#include "core/ports.hpp"
#include "metrics/run_metrics.hpp"

namespace ssc::metrics {

inline constexpr const char* kJob = "snapshot_sender_status_checker";
inline constexpr const char* kComponent = "snapshot_sender_status_checker";

// The gateway refused a request or could not be reached.
class PushGatewayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PushGatewaySettings {
  std::string host;  // host name, or a URL with scheme (http://host)
  int port = 9091;
  std::string instance;  // the grouping label that keeps processes apart
  aws::HttpTimeouts timeouts{};
};

// hostname-pid-random: unique per process, so that concurrent containers push into
// separate groups and never overwrite each other's counts.
std::string process_instance_id();

// May be called from several threads at once: the settings and base URL are fixed at
// construction, and RunMetrics and the transport take concurrent calls themselves. The
// order of a concurrent push and delete_run of one run is not defined; the handler makes
// both from its own thread, one after the other.
class PushGatewayPublisher final : public core::MetricsPublisher {
 public:
  // Without settings nothing is pushed or deleted at the gateway (one INFO line says so).
  PushGatewayPublisher(RunMetrics& metrics, aws::HttpTransport& http,
                       std::optional<PushGatewaySettings> settings);

  // Push-add (POST) of this process's cumulative series for the run into its own group:
  // job, component, correlation_id, instance. Summing over the run's groups gives the
  // total of all processes. Ends by `deadline`. Throws PushGatewayError.
  void push(const std::string& correlation_id, core::Deadline deadline) override;

  // Deletes every group of this job for the run (every process's instance), then drops the
  // local series. Every request ends by `deadline`. Throws PushGatewayError (the local series
  // are kept then).
  void delete_run(const std::string& correlation_id, core::Deadline deadline) override;

  [[nodiscard]] bool enabled() const { return settings_.has_value(); }

 private:
  aws::HttpResponse send(aws::HttpRequest request, const char* what, aws::Deadline deadline) const;

  RunMetrics& metrics_;
  aws::HttpTransport& http_;
  std::optional<PushGatewaySettings> settings_;
  std::string base_url_;
};

}  // namespace ssc::metrics
