// HttpTransport on Boost.Beast and Asio, with OpenSSL for TLS. It replaced libcurl because
// Debian's libcurl loads 37 shared libraries this program never uses (docs/performance.md).
//
// What it guarantees, as libcurl did:
// - TLS peers are verified (chain and host name or IP address) against the CA bundle named by
//   SSL_CERT_FILE, else OpenSSL's default paths; a bundle that cannot be read is a
//   ConfigurationError.
// - Connections are kept alive and reused across requests and threads: an idle pool keyed by
//   scheme, host and port. A connection idle for longer than `kMaxIdleAge` is not reused.
// - A request on a reused connection that dies before any byte of the answer came (the server
//   closed it while it sat idle) is sent once more on a fresh connection. That repeat is below
//   the retry loop and is not logged; a refused conditional write may be such a repeat's.
// - `HttpTimeouts::connect` bounds the TCP connect and the TLS handshake, `total` the whole
//   request (name resolution is bounded by the system resolver's own timeouts).
// - Redirects are not followed; no signal is raised (SIGPIPE is suppressed per write).
//
// Thread safety: send() may be called from many threads at once. Each call works on a
// connection no other call holds; the pool and the TLS context are guarded by a mutex.
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
