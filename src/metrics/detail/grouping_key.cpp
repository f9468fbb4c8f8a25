#include "metrics/detail/grouping_key.hpp"

#include <unistd.h>

#include <array>
#include <climits>
#include <cstdio>
#include <random>

#include "digest/digest.hpp"
#include "metrics/pushgateway_publisher.hpp"

namespace ssc::metrics {

std::string padded_base64url(std::string_view bytes) {
  if (bytes.empty()) return "=";
  std::string out = digest::base64url(bytes);
  out.append((4 - out.size() % 4) % 4, '=');
  return out;
}

std::string group_path(const std::string& job, const GroupingKey& key) {
  std::string path = "/metrics/job@base64/" + padded_base64url(job);
  for (const auto& [name, value] : key) path += "/" + name + "@base64/" + padded_base64url(value);
  return path;
}

std::string process_instance_id() {
  std::array<char, HOST_NAME_MAX + 1> host{};
  if (gethostname(host.data(), host.size()) != 0) host[0] = '\0';
  host.back() = '\0';
  std::random_device device;
  std::array<char, 9> random{};
  std::snprintf(random.data(), random.size(), "%08x", static_cast<unsigned>(device()));
  return std::string(host.data()) + "-" + std::to_string(getpid()) + "-" + random.data();
}

}  // namespace ssc::metrics
