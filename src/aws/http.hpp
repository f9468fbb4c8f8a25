// The HTTP seam: everything that talks to a server goes through HttpTransport, so that
// tests can stand a local server (or a fault-injecting proxy) behind it.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace ssc::aws {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute: scheme://host[:port]/path[?query]
  Headers headers;
  std::string body;
};

struct HttpResponse {
  long status = 0;
  Headers headers;  // names lower-cased
  std::string body;

  // First header value with this (lower-case) name, or empty.
  [[nodiscard]] std::string header(const std::string& lower_name) const;
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{2000};
  std::chrono::milliseconds total{10000};
};

// One transport serves every client, the credentials endpoint and the push gateway, from
// every worker thread: an implementation's send() must take calls from many threads at once.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Throws TransportError when no HTTP answer came (refused, reset, timed out, TLS).
  virtual HttpResponse send(const HttpRequest& request, const HttpTimeouts& timeouts) = 0;
};

}  // namespace ssc::aws
