#include "metrics/pushgateway_publisher.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "aws/aws_error.hpp"
#include "log/log.hpp"
#include "metrics/detail/grouping_key.hpp"

namespace ssc::metrics {

namespace {

constexpr std::string_view kModule = "metrics";

std::string base_url_of(const PushGatewaySettings& settings) {
  const bool has_scheme = settings.host.find("://") != std::string::npos;
  std::string url = has_scheme ? settings.host : "http://" + settings.host;
  while (!url.empty() && url.back() == '/') url.pop_back();
  // A URL that already names a port keeps it.
  const auto authority = url.substr(url.find("://") + 3);
  if (authority.find(':') == std::string::npos) url += ":" + std::to_string(settings.port);
  return url;
}

}  // namespace

PushGatewayPublisher::PushGatewayPublisher(RunMetrics& metrics, aws::HttpTransport& http,
                                           std::optional<PushGatewaySettings> settings)
    : metrics_(metrics), http_(http), settings_(std::move(settings)) {
  if (settings_) {
    base_url_ = base_url_of(*settings_);
  } else {
    log::info(kModule, "PUSHGATEWAY_HOSTNAME is not set: metrics are not pushed");
  }
}

aws::HttpResponse PushGatewayPublisher::send(aws::HttpRequest request, const char* what,
                                             aws::Deadline deadline) const {
  // The gateway must not hold the invocation past its deadline.
  const auto timeouts = aws::timeouts_until(settings_->timeouts, deadline);
  if (!timeouts) {
    throw PushGatewayError(std::string("push gateway ") + what +
                           ": no time left before the deadline");
  }
  aws::HttpResponse response;
  try {
    response = http_.send(request, *timeouts);
  } catch (const aws::TransportError& error) {
    throw PushGatewayError(std::string("push gateway ") + what + " failed: " + error.what());
  }
  if (response.status < 200 || response.status >= 300) {
    std::string detail = response.body.substr(0, 300);
    throw PushGatewayError(std::string("push gateway ") + what + " failed: HTTP " +
                           std::to_string(response.status) + " " + detail);
  }
  return response;
}

void PushGatewayPublisher::push(const std::string& correlation_id, core::Deadline deadline) {
  if (!settings_) return;
  auto body = metrics_.exposition(correlation_id);
  if (!body) return;  // nothing recorded for this run by this process
  send({"POST",
        base_url_ + group_path(kJob, {{"component", kComponent},
                                      {"correlation_id", correlation_id},
                                      {"instance", settings_->instance}}),
        {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}},
        std::move(*body)},
       "push", deadline);
  log::debug(kModule, "metrics pushed", {{"correlation_id", correlation_id}});
}

void PushGatewayPublisher::delete_run(const std::string& correlation_id, core::Deadline deadline) {
  if (!settings_) {
    metrics_.forget(correlation_id);
    return;
  }
  const auto listing = send({"GET", base_url_ + "/api/v1/metrics", {}, ""}, "listing", deadline);

  std::vector<GroupingKey> groups;
  try {
    const auto json = nlohmann::json::parse(listing.body);
    for (const auto& group : json.at("data")) {
      const auto& labels = group.at("labels");
      if (labels.value("job", "") != kJob) continue;
      if (labels.value("correlation_id", "") != correlation_id) continue;
      GroupingKey key;
      for (const auto& [name, value] : labels.items()) {
        if (name != "job") key.emplace_back(name, value.get<std::string>());
      }
      groups.push_back(std::move(key));
    }
  } catch (const nlohmann::json::exception& error) {
    throw PushGatewayError(std::string("push gateway listing is not what it should be: ") +
                           error.what());
  }

  for (const auto& key : groups) {
    send({"DELETE", base_url_ + group_path(kJob, key), {}, ""}, "delete", deadline);
  }
  metrics_.forget(correlation_id);
  log::debug(kModule, "metrics deleted from the push gateway",
             {{"correlation_id", correlation_id}, {"groups", std::to_string(groups.size())}});
}

}  // namespace ssc::metrics
