#include "aws/curl_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "aws/aws_error.hpp"
#include "aws/text.hpp"
#include "aws/uri.hpp"

namespace ssc::aws {
namespace {

bool is_local_setup_failure(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
      return true;
    default:
      return false;
  }
}

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw TransportError("libcurl could not be initialised", "(none)");
    }
  });
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void append(Slist& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  (void)list.release();
  list.reset(grown);
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<Headers*>(user);
  const std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new status line (e.g. after 100 Continue): only the last block counts
    return size * count;
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    headers->emplace_back(ascii_lower(line.substr(0, colon)),
                          std::string(trim_space(line.substr(colon + 1))));
  }
  return size * count;
}

template <typename Value>
void set(CURL* curl, CURLoption option, Value value, const std::string& url) {
  if (const CURLcode code = curl_easy_setopt(curl, option, value); code != CURLE_OK) {
    throw TransportError(std::string("libcurl option rejected: ") + curl_easy_strerror(code), url);
  }
}

long to_millis(std::chrono::milliseconds duration) {
  return static_cast<long>(std::max<std::chrono::milliseconds::rep>(duration.count(), 1));
}

}  // namespace

struct CurlTransport::Handle {
  CURL* curl = nullptr;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
};

void CurlTransport::HandleDeleter::operator()(Handle* handle) const {
  if (handle->curl != nullptr) curl_easy_cleanup(handle->curl);
  std::default_delete<Handle>()(handle);
}

CurlTransport::CurlTransport(std::size_t max_idle_handles) : max_idle_(max_idle_handles) {
  global_init_once();
}

CurlTransport::~CurlTransport() = default;

CurlTransport::HandlePtr CurlTransport::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      HandlePtr handle = std::move(idle_.back());
      idle_.pop_back();
      return handle;
    }
  }
  HandlePtr handle(std::make_unique<Handle>().release());
  handle->curl = curl_easy_init();
  if (handle->curl == nullptr) throw TransportError("libcurl could not create a handle", "(none)");
  return handle;
}

void CurlTransport::release(HandlePtr handle) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(handle));
}

HttpResponse CurlTransport::send(const HttpRequest& request, const HttpTimeouts& timeouts) {
  const std::string safe_url = url_without_query(request.url);
  HandlePtr handle = acquire();
  CURL* curl = handle->curl;
  // Reset drops the options of the last request but keeps its open connections.
  curl_easy_reset(curl);
  handle->error_buffer[0] = '\0';

  HttpResponse response;
  Slist header_list;
  for (const auto& [name, value] : request.headers) {
    // "Name;" is libcurl's way to send a header with an empty value.
    append(header_list, value.empty() ? name + ";" : name + ": " + value);
  }
  // A signed request must go out as signed: no "Expect: 100-continue" round trip.
  append(header_list, "Expect:");

  set(curl, CURLOPT_URL, request.url.c_str(), safe_url);
  set(curl, CURLOPT_NOSIGNAL, 1L, safe_url);
  set(curl, CURLOPT_CONNECTTIMEOUT_MS, to_millis(timeouts.connect), safe_url);
  set(curl, CURLOPT_TIMEOUT_MS, to_millis(timeouts.total), safe_url);
  set(curl, CURLOPT_SSL_VERIFYPEER, 1L, safe_url);
  set(curl, CURLOPT_SSL_VERIFYHOST, 2L, safe_url);
  // Debian's libcurl looks for its CA bundle at Debian's path only; Lambda's Amazon Linux
  // keeps it elsewhere, and the package's bootstrap names it in SSL_CERT_FILE.
  if (const char* ca = std::getenv("SSL_CERT_FILE"); ca != nullptr && *ca != '\0') {
    set(curl, CURLOPT_CAINFO, ca, safe_url);
  }
  set(curl, CURLOPT_TCP_KEEPALIVE, 1L, safe_url);
  set(curl, CURLOPT_FOLLOWLOCATION, 0L, safe_url);
  set(curl, CURLOPT_PROTOCOLS_STR, "http,https", safe_url);
  set(curl, CURLOPT_ERRORBUFFER, handle->error_buffer.data(), safe_url);
  set(curl, CURLOPT_HTTPHEADER, header_list.get(), safe_url);
  set(curl, CURLOPT_WRITEFUNCTION, &on_body, safe_url);
  set(curl, CURLOPT_WRITEDATA, static_cast<void*>(&response.body), safe_url);
  set(curl, CURLOPT_HEADERFUNCTION, &on_header, safe_url);
  set(curl, CURLOPT_HEADERDATA, static_cast<void*>(&response.headers), safe_url);

  if (request.method == "GET") {
    set(curl, CURLOPT_HTTPGET, 1L, safe_url);
  } else if (request.method == "HEAD") {
    set(curl, CURLOPT_NOBODY, 1L, safe_url);
  } else {
    // POSTFIELDS with an explicit size sends the body as it is, binary included.
    set(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()), safe_url);
    set(curl, CURLOPT_POSTFIELDS, request.body.c_str(), safe_url);
    if (request.method != "POST")
      set(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str(), safe_url);
  }

  const CURLcode result = curl_easy_perform(curl);
  if (result != CURLE_OK) {
    std::string what = curl_easy_strerror(result);
    if (handle->error_buffer[0] != '\0') what += ": " + std::string(handle->error_buffer.data());
    // Retrying cannot mend this machine's own set-up (a CA bundle that cannot be read, a URL
    // libcurl cannot use): it fails at once, saying so, instead of at the deadline.
    if (is_local_setup_failure(result)) {
      throw ConfigError("cannot send " + request.method + " " + safe_url + ": " + what +
                        (result == CURLE_SSL_CACERT_BADFILE
                             ? " (the CA bundle named by SSL_CERT_FILE, or libcurl's own)"
                             : ""));
    }
    // A handle whose connection failed may hold a broken one: let it go.
    throw TransportError(what, request.method + " " + safe_url);
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  // The header list dies with this call: unhook it before the handle goes back to the pool.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  release(std::move(handle));
  return response;
}

}  // namespace ssc::aws
