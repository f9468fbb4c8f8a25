// HttpTransport on libcurl. Easy handles are pooled and reused, so the connections they
// hold stay open between requests (keep-alive) instead of paying a TCP/TLS set-up each time.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "aws/http.hpp"

namespace ssc::aws {

class CurlTransport : public HttpTransport {
 public:
  // `max_idle_handles` bounds the pool; a thread that finds it empty makes a new handle.
  explicit CurlTransport(std::size_t max_idle_handles = 8);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // TLS peers are verified; redirects are not followed; curl never raises signals.
  HttpResponse send(const HttpRequest& request, const HttpTimeouts& timeouts) override;

 private:
  struct Handle;
  struct HandleDeleter {
    void operator()(Handle* handle) const;
  };
  using HandlePtr = std::unique_ptr<Handle, HandleDeleter>;

  HandlePtr acquire();
  void release(HandlePtr handle);

  std::size_t max_idle_;
  std::mutex mutex_;
  std::vector<HandlePtr> idle_;
};

}  // namespace ssc::aws
