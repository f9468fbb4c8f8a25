// HttpTransport on Boost.Beast and Asio, with OpenSSL for TLS, in place of libcurl (which
// loads 37 shared libraries this program never uses). What it keeps from libcurl (peer
// verification, kept-alive connections, the one silent repeat on a kept connection that died
// unanswered, timeouts, no redirects or signals) and how each is tested: docs/performance.md.
// send() may be called from many threads at once: each call works on a connection no other
// call holds; the pool and the TLS context are guarded by a mutex.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/http.hpp"

namespace ssc::aws {

class BeastTransport final : public HttpTransport {
 public:
  // curl's default for CURLOPT_MAXAGE_CONN: servers close idle connections after a while, and a
  // connection older than this is more likely dead than alive.
  static constexpr std::chrono::seconds kMaxIdleAge{118};

  // `max_idle_connections` bounds the pool; the oldest idle connection goes when it is full.
  explicit BeastTransport(std::size_t max_idle_connections = 8);
  ~BeastTransport() override;
  BeastTransport(const BeastTransport&) = delete;
  BeastTransport& operator=(const BeastTransport&) = delete;

  // Throws TransportError when no HTTP answer came, ConfigurationError for a URL it cannot use or a
  // CA bundle it cannot read (no retry can mend those).
  HttpResponse send(const HttpRequest& request, const HttpTimeouts& timeouts) override;

 private:
  struct Connection;
  using ConnectionPtr = std::unique_ptr<Connection>;  // complete where the members are destroyed
  class TlsContext;

  ConnectionPtr take_idle(const std::string& origin);
  void give_back(ConnectionPtr connection);
  std::shared_ptr<TlsContext> tls_context();

  std::size_t max_idle_;
  mutable std::mutex mutex_;
  std::vector<ConnectionPtr> idle_;  // oldest first
  std::shared_ptr<TlsContext>
      tls_;  // made on the first HTTPS request, again if SSL_CERT_FILE changed
};

}  // namespace ssc::aws
