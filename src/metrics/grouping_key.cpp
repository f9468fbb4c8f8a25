#include "metrics/grouping_key.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <climits>
#include <cstdio>
#include <random>

namespace ssc::metrics {

std::string base64url(std::string_view bytes) {
  if (bytes.empty()) return "=";
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string group_path(const std::string& job, const GroupingKey& key) {
  std::string path = "/metrics/job@base64/" + base64url(job);
  for (const auto& [name, value] : key) path += "/" + name + "@base64/" + base64url(value);
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
