// URL pieces and the RFC 3986 percent-encoding that SigV4 (and the query protocol) use.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssc::aws::detail {

// Percent-encodes every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~), and keeps '/'
// when `keep_slash`. Upper-case hex digits, as SigV4 requires.
std::string uri_encode(std::string_view text, bool keep_slash = false);

// Name=value pairs in order, encoded as application/x-www-form-urlencoded with RFC 3986
// percent-encoding (what SigV4 and the query protocol expect).
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& parameters);

// Decodes %XX sequences; anything else (including '+') is kept as it is.
std::string uri_decode(std::string_view text);

struct UrlParts {
  std::string scheme;     // lower-cased: http or https
  std::string authority;  // host[:port] as written (the Host header)
  std::string host;       // without port or brackets
  std::optional<int> port;
  std::string path;   // "/" when the URL has none
  std::string query;  // without '?'
};

// Splits an absolute http(s) URL; nullopt when it is not one (no userinfo, no fragment).
std::optional<UrlParts> split_url(std::string_view url);

// The URL without its query string: safe to put in an error message.
std::string url_without_query(std::string_view url);

}  // namespace ssc::aws::detail
