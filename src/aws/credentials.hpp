// Credentials in the AWS SDKs' order: environment, shared files (AWS_PROFILE),
// container credentials endpoint (refreshed before expiry).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aws/env.hpp"
#include "aws/http.hpp"

namespace ssc::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when none
  std::optional<std::chrono::system_clock::time_point> expiration;
};

// get() is called for every attempt of every client, from many threads at once: an
// implementation must take concurrent calls.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Throws ConfigurationError naming what is missing or malformed (never the secret itself).
  virtual Credentials get() = 0;
};

struct CredentialsChainOptions {
  // Container credentials are fetched again this long before they expire, so that a
  // request signed with them cannot outlive them.
  std::chrono::seconds refresh_before_expiry{300};
  HttpTimeouts container_timeouts{std::chrono::milliseconds(1000), std::chrono::milliseconds(2000)};
};

// What a WARNING says about credentials that have expired or expire within `window` of
// `now` (expiration in ISO 8601, seconds left, negative once expired); nullopt for
// credentials without an expiration or with more time left. The chain logs it once for each
// expiration it meets, because expired credentials fail every request with only the
// service's "ExpiredToken" to say why.
std::optional<std::string> credentials_expiry_warning(const Credentials& credentials,
                                                      std::chrono::system_clock::time_point now,
                                                      std::chrono::seconds window);

// Builds the default chain from the process environment. `http` serves the container
// endpoint and must outlive the provider.
//
// Order: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (with
// AWS_CREDENTIAL_EXPIRATION, ISO 8601, when they are temporary, as the AWS SDKs read it);
// then the profile
// AWS_PROFILE (default "default") in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
// default ~/.aws/credentials, sections "[name]") and then in the config file
// (AWS_CONFIG_FILE, default ~/.aws/config, sections "[profile name]" or "[default]"); then
// the container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI, or
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on http://169.254.170.2) with
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or AWS_CONTAINER_AUTHORIZATION_TOKEN as its
// Authorization header. The first source that has credentials is kept for the process.
// An explicitly named profile that no file holds, a malformed file, or a failing
// endpoint is a ConfigurationError rather than a silent fall-through. Credentials that have expired
// or expire within `options.refresh_before_expiry` get one WARNING line (the source, the
// expiration, the seconds left; never the credentials). Thread-safe: the chain's choice of
// source, the credentials read once from a static source and the last warning are guarded
// by one mutex; the container source has a mutex of its own, taken without the chain's, so
// that a slow refresh never holds the chain's lock.
std::unique_ptr<CredentialsProvider> make_default_credentials_chain(HttpTransport& http);
std::unique_ptr<CredentialsProvider> make_default_credentials_chain(
    HttpTransport& http, EnvLookup env, CredentialsChainOptions options = {});

}  // namespace ssc::aws
