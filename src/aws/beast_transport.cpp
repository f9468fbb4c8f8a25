#include "aws/beast_transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <utility>

#include "aws/aws_error.hpp"
#include "aws/detail/text.hpp"
#include "aws/detail/uri.hpp"

namespace ssc::aws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

// DynamoDB answers a Query with at most 1 MB; this leaves room without being unbounded.
constexpr std::uint64_t kMaxBodyBytes = 64ull * 1024 * 1024;
constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;

std::string ca_file_from_environment() {
  const char* ca = std::getenv("SSL_CERT_FILE");
  return ca == nullptr ? std::string() : std::string(ca);
}

std::string_view view(beast::string_view text) { return {text.data(), text.size()}; }

bool is_ip_literal(const std::string& host) {
  error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

// Runs the operations started on `io` to completion. Each connection has its own context, so
// this drives nothing but the calling thread's request.
void run(asio::io_context& io) {
  io.restart();
  io.run();
}

// A connected socket whose reads and writes end by a deadline (beast::error::timeout after
// it). Each one waits in one poll(2) for what it needs: an exchange costs a send, then a poll
// and a receive per segment of the answer, where Asio's reactor spent an epoll_wait and a
// timer re-arming per operation besides (issue #17). Beast's synchronous HTTP and TLS
// operations run on it as its next layer.
class DeadlineSocket {
 public:
  using lowest_layer_type = tcp::socket;
  using executor_type = tcp::socket::executor_type;

  explicit DeadlineSocket(tcp::socket socket) : socket_(std::move(socket)) {
    socket_.non_blocking(true);
  }

  void expires_at(Clock::time_point deadline) { deadline_ = deadline; }
  tcp::socket& lowest_layer() { return socket_; }
  [[nodiscard]] const tcp::socket& lowest_layer() const { return socket_; }
  executor_type get_executor() { return socket_.get_executor(); }

  // An answer is seldom there when it is asked for: wait first, then read.
  template <typename Buffers>
  std::size_t read_some(const Buffers& buffers, error_code& ec) {
    for (;;) {
      if (!wait_for(POLLIN, ec)) return 0;
      const std::size_t read = socket_.read_some(buffers, ec);
      if (ec != asio::error::would_block) return read;
    }
  }
  // The socket's buffer seldom is full: write first, then wait when it is.
  template <typename Buffers>
  std::size_t write_some(const Buffers& buffers, error_code& ec) {
    for (;;) {
      if (Clock::now() >= deadline_) {
        ec = beast::error::timeout;
        return 0;
      }
      const std::size_t written = socket_.write_some(buffers, ec);
      if (ec != asio::error::would_block) return written;
      if (!wait_for(POLLOUT, ec)) return 0;
    }
  }
  template <typename Buffers>
  std::size_t read_some(const Buffers& buffers) {
    error_code ec;
    const std::size_t read = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return read;
  }
  template <typename Buffers>
  std::size_t write_some(const Buffers& buffers) {
    error_code ec;
    const std::size_t written = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return written;
  }

 private:
  tcp::socket socket_;
  Clock::time_point deadline_ = Clock::time_point::max();

  // True once the socket is ready for `events` (or has an error or hang-up, which the next
  // read or write reports); false with `ec` set when the deadline passes first.
  bool wait_for(short events, error_code& ec) {
    for (;;) {
      const auto left = deadline_ - Clock::now();
      if (left <= Clock::duration::zero()) {
        ec = beast::error::timeout;
        return false;
      }
      pollfd ready{socket_.native_handle(), events, 0};
      const auto wait_ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
      const int polled = ::poll(&ready, 1, static_cast<int>(std::min<long long>(wait_ms, 60'000)));
      if (polled > 0) return true;
      if (polled < 0 && errno != EINTR) {
        ec = error_code(errno, boost::system::system_category());
        return false;
      }
    }
  }
};

std::string describe(const error_code& ec, const char* step) {
  if (ec == beast::error::timeout) return std::string(step) + ": timed out";
  return std::string(step) + ": " + ec.message();
}

}  // namespace

class BeastTransport::TlsContext {
 public:
  explicit TlsContext(std::string ca_file)
      : ca_file_(std::move(ca_file)), context_(asio::ssl::context::tls_client) {
    context_.set_verify_mode(asio::ssl::verify_peer);
    // SSL_CERT_FILE is what OpenSSL and the curl tool read for the bundle; Lambda's Amazon
    // Linux keeps it where Debian's OpenSSL does not look, and the package's bootstrap names it.
    if (!ca_file_.empty()) {
      error_code ec;
      context_.load_verify_file(ca_file_, ec);
      if (ec) {
        ERR_clear_error();
        throw ConfigurationError("cannot read the CA bundle named by SSL_CERT_FILE (" + ca_file_ +
                                 "): " + ec.message());
      }
    } else {
      context_.set_default_verify_paths();
    }
  }

  [[nodiscard]] const std::string& ca_file() const { return ca_file_; }
  asio::ssl::context& context() { return context_; }

 private:
  std::string ca_file_;
  asio::ssl::context context_;
};

struct BeastTransport::Connection {
  explicit Connection(std::string origin_key) : origin(std::move(origin_key)) {}

  std::string origin;  // scheme://host:port
  asio::io_context io{1};
  std::optional<DeadlineSocket> plain;
  std::optional<beast::ssl_stream<DeadlineSocket>> tls;
  std::shared_ptr<TlsContext> tls_context;  // outlives `tls`, which points into it
  beast::flat_buffer buffer;
  Clock::time_point idle_since{};

  DeadlineSocket& socket() { return tls ? tls->next_layer() : *plain; }

  // True when the server closed (or wrote to) the connection while it sat idle: curl checks
  // the same before reuse, so that most stale connections are not even tried.
  [[nodiscard]] bool looks_dead() {
    if (buffer.size() != 0) return true;
    pollfd probe{socket().lowest_layer().native_handle(), POLLIN, 0};
    return ::poll(&probe, 1, 0) != 0;
  }
};

namespace {

struct Target {
  detail::UrlParts url;
  std::string origin;
  std::string port;
  std::string path_and_query;
  bool https = false;
};

Target parse_target(const std::string& url, const std::string& safe_url) {
  std::optional<detail::UrlParts> parts = detail::split_url(url);
  if (!parts || (parts->scheme != "http" && parts->scheme != "https") || parts->host.empty()) {
    throw ConfigurationError("cannot send to " + safe_url + ": not an http or https URL");
  }
  Target target;
  target.https = parts->scheme == "https";
  target.port = std::to_string(parts->port.value_or(target.https ? 443 : 80));
  target.origin = parts->scheme + "://" + parts->host + ":" + target.port;
  target.path_and_query = parts->path + (parts->query.empty() ? "" : "?" + parts->query);
  target.url = std::move(*parts);
  return target;
}

// What one exchange on a connection came to: an answer, or an error and whether any byte of
// the answer had arrived (which decides whether it may be repeated on a fresh connection).
struct Outcome {
  std::optional<HttpResponse> response;
  bool keep_alive = false;
  error_code error;
  const char* step = "";
  bool answer_started = false;
};

template <typename Stream>
Outcome exchange(Stream& stream, beast::flat_buffer& buffer, const HttpRequest& request,
                 const Target& target) {
  http::request<http::span_body<const char>> out;
  out.version(11);
  out.method_string(request.method);
  out.target(target.path_and_query);
  bool has_host = false;
  bool has_accept = false;
  for (const auto& [name, value] : request.headers) {
    const std::string lower = detail::ascii_lower(name);
    has_host = has_host || lower == "host";
    has_accept = has_accept || lower == "accept";
    out.insert(name, value);
  }
  if (!has_host) out.set(http::field::host, target.url.authority);
  if (!has_accept) out.set(http::field::accept, "*/*");  // what libcurl sent
  const bool bodiless = request.method == "GET" || request.method == "HEAD";
  if (!bodiless || !request.body.empty()) {
    out.body() = {request.body.data(), request.body.size()};
    out.content_length(request.body.size());
  }

  Outcome outcome;
  http::write(stream, out, outcome.error);
  if (outcome.error) {
    outcome.step = "sending the request";
    return outcome;
  }

  // A 1xx interim answer (none is asked for: no Expect) is skipped, as libcurl did.
  for (;;) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    parser.header_limit(kMaxHeaderBytes);
    if (request.method == "HEAD") parser.skip(true);
    http::read(stream, buffer, parser, outcome.error);
    if (outcome.error) {
      outcome.step = "reading the answer";
      outcome.answer_started = parser.got_some() || buffer.size() != 0;
      return outcome;
    }
    http::response<http::string_body> in = parser.release();
    const unsigned status = in.result_int();
    if (status >= 100 && status < 200 && status != 101) continue;
    HttpResponse response;
    response.status = static_cast<long>(status);
    for (const auto& field : in.base()) {
      response.headers.emplace_back(detail::ascii_lower(view(field.name_string())),
                                    std::string(detail::trim_space(view(field.value()))));
    }
    response.body = std::move(in.body());
    outcome.keep_alive = in.keep_alive();
    outcome.response = std::move(response);
    return outcome;
  }
}

}  // namespace

BeastTransport::BeastTransport(std::size_t max_idle_connections)
    : max_idle_(max_idle_connections) {}

BeastTransport::~BeastTransport() = default;

std::shared_ptr<BeastTransport::TlsContext> BeastTransport::tls_context() {
  const std::string ca_file = ca_file_from_environment();
  std::lock_guard lock(mutex_);
  if (!tls_ || tls_->ca_file() != ca_file) tls_ = std::make_shared<TlsContext>(ca_file);
  return tls_;
}

BeastTransport::ConnectionPtr BeastTransport::take_idle(const std::string& origin) {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  std::erase_if(idle_, [&](const ConnectionPtr& c) { return now - c->idle_since > kMaxIdleAge; });
  for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
    if ((*it)->origin == origin) {
      ConnectionPtr found = std::move(*it);
      idle_.erase(std::next(it).base());
      return found;
    }
  }
  return nullptr;
}

void BeastTransport::give_back(ConnectionPtr connection) {
  connection->idle_since = Clock::now();
  std::lock_guard lock(mutex_);
  if (max_idle_ == 0) return;
  if (idle_.size() >= max_idle_) idle_.erase(idle_.begin());
  idle_.push_back(std::move(connection));
}

HttpResponse BeastTransport::send(const HttpRequest& request, const HttpTimeouts& timeouts) {
  const std::string safe_url = detail::url_without_query(request.url);
  const std::string what = request.method + " " + safe_url;
  const Target target = parse_target(request.url, safe_url);
  const auto deadline = Clock::now() + std::max(timeouts.total, std::chrono::milliseconds(1));

  // At most one repeat, and only for a reused connection that died before answering.
  for (int attempt = 0;; ++attempt) {
    ConnectionPtr connection = attempt == 0 ? take_idle(target.origin) : nullptr;
    while (connection && connection->looks_dead()) connection = take_idle(target.origin);
    const bool reused = connection != nullptr;

    if (!reused) {
      const std::shared_ptr<TlsContext> tls = target.https ? tls_context() : nullptr;
      connection = std::make_unique<Connection>(target.origin);
      const auto connect_deadline = std::min(
          deadline, Clock::now() + std::max(timeouts.connect, std::chrono::milliseconds(1)));
      tcp::resolver resolver(connection->io);
      error_code ec;
      const auto endpoints = resolver.resolve(target.url.host, target.port, ec);
      if (ec) throw TransportError(describe(ec, "resolving the host name"), what);

      beast::tcp_stream connecting(connection->io);
      connecting.expires_at(connect_deadline);
      connecting.async_connect(endpoints,
                               [&](const error_code& e, const tcp::endpoint&) { ec = e; });
      run(connection->io);
      if (ec) throw TransportError(describe(ec, "connecting"), what);
      // Each request is written whole; Nagle would hold its last segment for the peer's ACK.
      connecting.socket().set_option(tcp::no_delay(true), ec);
      connecting.socket().set_option(asio::socket_base::keep_alive(true), ec);
      connection->plain.emplace(connecting.release_socket());

      if (tls) {
        connection->tls_context = tls;
        connection->tls.emplace(std::move(*connection->plain), tls->context());
        connection->plain.reset();
        SSL* ssl = connection->tls->native_handle();
        const std::string& host = target.url.host;
        if (is_ip_literal(host)) {
          X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
        } else {
          SSL_set_tlsext_host_name(ssl, host.c_str());
          SSL_set1_host(ssl, host.c_str());
        }
        connection->socket().expires_at(connect_deadline);
        connection->tls->handshake(asio::ssl::stream_base::client, ec);
        if (ec) {
          std::string reason = describe(ec, "TLS handshake");
          if (const long verify = SSL_get_verify_result(ssl); verify != X509_V_OK) {
            reason += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) + ")";
          }
          ERR_clear_error();
          throw TransportError(reason, what);
        }
      }
    }

    connection->socket().expires_at(deadline);
    Outcome outcome = connection->tls
                          ? exchange(*connection->tls, connection->buffer, request, target)
                          : exchange(*connection->plain, connection->buffer, request, target);
    if (outcome.response) {
      connection->socket().expires_at(Clock::time_point::max());
      if (outcome.keep_alive) give_back(std::move(connection));
      return std::move(*outcome.response);
    }
    const bool stale = reused && !outcome.answer_started && outcome.error != beast::error::timeout;
    if (!(stale && attempt == 0)) {
      ERR_clear_error();
      throw TransportError(describe(outcome.error, outcome.step), what);
    }
  }
}

}  // namespace ssc::aws
