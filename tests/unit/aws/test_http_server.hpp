// A tiny HTTP/1.1 server for tests: listens on 127.0.0.1 on a free port, records every
// request and answers scripted responses, keeping connections alive like a real server so
// that tests can count how many connections a client opened. Stops when destroyed.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ssc::test {

struct RecordedRequest {
  std::string method;
  std::string target;                                        // path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  [[nodiscard]] std::string header(const std::string& lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return {};
  }
  [[nodiscard]] std::size_t header_count(const std::string& lower_name) const {
    return static_cast<std::size_t>(std::count_if(
        headers.begin(), headers.end(), [&](const auto& h) { return h.first == lower_name; }));
  }
};

struct ScriptedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // before answering
  bool close_after = false;            // close the connection after this answer
  bool close_silently = false;         // close it after this answer without saying so
  bool hang_up = false;                // record the request, then close without answering
};

// Owns a socket descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

inline Fd listen_on_loopback(int port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
  if (fd.get() < 0) throw std::runtime_error("socket() failed");
  const int yes = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("bind() on 127.0.0.1 failed");
  }
  return fd;
}

inline int bound_port(const Fd& fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

// A loopback port on which nothing listens: connecting to it is refused.
inline int refused_port() {
  const Fd fd = listen_on_loopback(0);
  return bound_port(fd);  // closed on return, nothing listens there any more
}

class TestHttpServer {
 public:
  TestHttpServer() : listener_(listen_on_loopback(0)) {
    if (::listen(listener_.get(), 16) != 0) throw std::runtime_error("listen() failed");
    port_ = bound_port(listener_);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~TestHttpServer() {
    stopping_ = true;
    acceptor_.join();
    std::vector<std::thread> workers;
    {
      std::lock_guard lock(mutex_);
      workers.swap(workers_);
    }
    for (auto& worker : workers) worker.join();
  }

  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Answers go out in the order given; once they run out, the fallback answers.
  void enqueue(ScriptedResponse response) {
    std::lock_guard lock(mutex_);
    script_.push_back(std::move(response));
  }
  void set_fallback(ScriptedResponse response) {
    std::lock_guard lock(mutex_);
    fallback_ = std::move(response);
  }

  [[nodiscard]] std::vector<RecordedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  [[nodiscard]] std::size_t request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  [[nodiscard]] int accepted_connections() const { return accepted_.load(); }

 private:
  static constexpr int kPollMillis = 20;

  void accept_loop() {
    while (!stopping_) {
      pollfd waiting{listener_.get(), POLLIN, 0};
      if (::poll(&waiting, 1, kPollMillis) <= 0) continue;
      Fd connection(::accept(listener_.get(), nullptr, nullptr));
      if (connection.get() < 0) continue;
      ++accepted_;
      std::lock_guard lock(mutex_);
      workers_.emplace_back(
          [this, fd = std::make_shared<Fd>(std::move(connection))] { serve(*fd); });
    }
  }

  // Reads until `buffer` holds at least `wanted` bytes; false when closed or stopping.
  bool fill(const Fd& fd, std::string& buffer, std::size_t wanted) {
    char chunk[4096];
    while (buffer.size() < wanted) {
      if (stopping_) return false;
      pollfd waiting{fd.get(), POLLIN, 0};
      if (::poll(&waiting, 1, kPollMillis) <= 0) continue;
      const ssize_t got = ::recv(fd.get(), chunk, sizeof chunk, 0);
      if (got <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(got));
    }
    return true;
  }

  bool read_request(const Fd& fd, std::string& buffer, RecordedRequest& request) {
    std::size_t header_end;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(fd, buffer, buffer.size() + 1)) return false;
    }
    const std::string head = buffer.substr(0, header_end);
    buffer.erase(0, header_end + 4);

    std::size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const auto first_space = request_line.find(' ');
    const auto second_space = request_line.find(' ', first_space + 1);
    request.method = request_line.substr(0, first_space);
    request.target = request_line.substr(first_space + 1, second_space - first_space - 1);

    std::size_t content_length = 0;
    while (line_end != std::string::npos) {
      const std::size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line =
          head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      if (name == "content-length") content_length = std::stoul(value);
      request.headers.emplace_back(std::move(name), std::move(value));
    }
    if (!fill(fd, buffer, content_length)) return false;
    request.body = buffer.substr(0, content_length);
    buffer.erase(0, content_length);
    return true;
  }

  ScriptedResponse next_response() {
    std::lock_guard lock(mutex_);
    if (script_.empty()) return fallback_;
    ScriptedResponse response = std::move(script_.front());
    script_.pop_front();
    return response;
  }

  static bool send_all(const Fd& fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      // MSG_NOSIGNAL: a client that gave up must not kill the test with SIGPIPE.
      const ssize_t n = ::send(fd.get(), data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  void serve(const Fd& fd) {
    std::string buffer;
    while (!stopping_) {
      RecordedRequest request;
      if (!read_request(fd, buffer, request)) return;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(request);
      }
      const ScriptedResponse response = next_response();
      if (response.hang_up) return;
      const auto wake = std::chrono::steady_clock::now() + response.delay;
      while (!stopping_ && std::chrono::steady_clock::now() < wake) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      const bool close = response.close_after || request.header("connection") == "close";
      std::string answer = "HTTP/1.1 " + std::to_string(response.status) + " Scripted\r\n";
      for (const auto& [name, value] : response.headers) answer += name + ": " + value + "\r\n";
      answer += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
      if (close) answer += "Connection: close\r\n";
      answer += "\r\n" + response.body;
      if (!send_all(fd, answer) || close || response.close_silently) return;
    }
  }

  Fd listener_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  mutable std::mutex mutex_;
  std::deque<ScriptedResponse> script_;
  ScriptedResponse fallback_;
  std::vector<RecordedRequest> requests_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace ssc::test
