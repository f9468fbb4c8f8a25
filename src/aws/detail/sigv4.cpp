#include "aws/detail/sigv4.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "aws/detail/crypto.hpp"
#include "aws/detail/text.hpp"
#include "aws/detail/time_format.hpp"
#include "aws/detail/uri.hpp"
#include "digest/digest.hpp"

namespace ssc::aws::detail {
namespace {

constexpr const char* kAlgorithm = "AWS4-HMAC-SHA256";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trims and folds every run of white space (folded header lines included) into one space.
std::string canonical_header_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (const char c : value) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool is_unsigned_header(const std::string& lower_name) {
  return lower_name == "authorization" || lower_name == "connection" || lower_name == "expect" ||
         lower_name == "user-agent" || lower_name == "x-amzn-trace-id";
}

std::string canonical_path(const std::string& raw_path, bool normalize) {
  if (!normalize) {
    return raw_path.empty() ? "/" : uri_encode(raw_path, /*keep_slash=*/true);
  }
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= raw_path.size()) {
    const auto end = std::min(raw_path.find('/', start), raw_path.size());
    const std::string segment = raw_path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& segment : segments) out += "/" + uri_encode(segment);
  const bool trailing_slash = !raw_path.empty() && raw_path.back() == '/';
  if (out.empty() || trailing_slash) out += "/";
  return out;
}

std::string canonical_query(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start < query.size()) {
    auto end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      std::string key = pair.substr(0, eq);
      std::string value = eq == std::string::npos ? std::string{} : pair.substr(eq + 1);
      // Decoding first makes an encoded and a raw spelling sign alike.
      params.emplace_back(uri_encode(uri_decode(key)), uri_encode(uri_decode(value)));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += key + "=" + value;
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;         // "name:value\n" lines
  std::string signed_names;  // "a;b;c"
};

CanonicalHeaders canonical_headers(const Headers& headers) {
  // std::map sorts by name; values of repeated names keep their order, joined by commas.
  std::map<std::string, std::string> merged;
  for (const auto& [name, value] : headers) {
    std::string key = ascii_lower(name);
    if (is_unsigned_header(key)) continue;
    auto [it, inserted] = merged.try_emplace(std::move(key), canonical_header_value(value));
    if (!inserted) it->second += "," + canonical_header_value(value);
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.block += name + ":" + value + "\n";
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names += name;
  }
  return out;
}

struct KeyCacheEntryId {
  std::string secret_digest;  // SHA-256 of the secret: the cache does not hold secrets
  std::string day;
  std::string region;
  std::string service;
  auto operator<=>(const KeyCacheEntryId&) const = default;
};

class SigningKeyCache {
 public:
  std::string get(const std::string& secret, const std::string& day, const SigningScope& scope) {
    KeyCacheEntryId id{digest::sha256(secret), day, scope.region, scope.service};
    {
      std::lock_guard lock(mutex_);
      if (const auto it = keys_.find(id); it != keys_.end()) return it->second;
    }
    const std::string date_key = crypto::hmac_sha256("AWS4" + secret, day);
    const std::string region_key = crypto::hmac_sha256(date_key, scope.region);
    const std::string service_key = crypto::hmac_sha256(region_key, scope.service);
    std::string key = crypto::hmac_sha256(service_key, "aws4_request");
    std::lock_guard lock(mutex_);
    // Old days and rotated secrets would pile up in a long-lived process.
    if (keys_.size() >= kMaxEntries) keys_.clear();
    keys_.emplace(std::move(id), key);
    return key;
  }

 private:
  static constexpr std::size_t kMaxEntries = 64;
  std::mutex mutex_;
  std::map<KeyCacheEntryId, std::string> keys_;
};

SigningKeyCache& key_cache() {
  static SigningKeyCache cache;
  return cache;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void remove_header(Headers& headers, std::string_view name) {
  std::erase_if(headers, [&](const auto& header) { return iequals(header.first, name); });
}

bool has_header(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& header) { return iequals(header.first, name); });
}

}  // namespace

std::string signing_key(const std::string& secret_access_key, const std::string& day,
                        const SigningScope& scope) {
  return key_cache().get(secret_access_key, day, scope);
}

SignatureParts compute_signature(const HttpRequest& request, const Credentials& credentials,
                                 const SigningScope& scope,
                                 std::chrono::system_clock::time_point when,
                                 const SigningOptions& options) {
  const auto url = split_url(request.url);
  if (!url) throw std::invalid_argument("cannot sign a request without an absolute http(s) URL");

  const CanonicalHeaders headers = canonical_headers(request.headers);
  const std::string payload_hash = crypto::sha256_hex(request.body);
  SignatureParts parts;
  parts.canonical_request = request.method + "\n" +
                            canonical_path(url->path, options.normalize_path) + "\n" +
                            canonical_query(url->query) + "\n" + headers.block + "\n" +
                            headers.signed_names + "\n" + payload_hash;

  const std::string day = format_amz_day(when);
  const std::string credential_scope =
      day + "/" + scope.region + "/" + scope.service + "/aws4_request";
  parts.string_to_sign = std::string(kAlgorithm) + "\n" + format_amz_date(when) + "\n" +
                         credential_scope + "\n" + crypto::sha256_hex(parts.canonical_request);

  const std::string key = signing_key(credentials.secret_access_key, day, scope);
  parts.signature = crypto::to_hex(crypto::hmac_sha256(key, parts.string_to_sign));
  parts.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                        credential_scope + ", SignedHeaders=" + headers.signed_names +
                        ", Signature=" + parts.signature;
  return parts;
}

SignatureParts sign_request(HttpRequest& request, const Credentials& credentials,
                            const SigningScope& scope, std::chrono::system_clock::time_point when,
                            const SigningOptions& options) {
  const auto url = split_url(request.url);
  if (!url) throw std::invalid_argument("cannot sign a request without an absolute http(s) URL");

  for (const char* name :
       {"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"}) {
    remove_header(request.headers, name);
  }
  if (!has_header(request.headers, "Host")) request.headers.emplace_back("Host", url->authority);
  request.headers.emplace_back("X-Amz-Date", format_amz_date(when));
  const bool has_token = !credentials.session_token.empty();
  if (has_token && !options.omit_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (options.sign_body) {
    request.headers.emplace_back("X-Amz-Content-Sha256", crypto::sha256_hex(request.body));
  }

  SignatureParts parts = compute_signature(request, credentials, scope, when, options);
  if (has_token && options.omit_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  request.headers.emplace_back("Authorization", parts.authorization);
  return parts;
}

}  // namespace ssc::aws::detail
