// Credentials in the AWS SDKs' order: environment, shared files (AWS_PROFILE),
// container credentials endpoint (refreshed before expiry).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aws/http.hpp"

namespace ssc::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when none
  std::optional<std::chrono::system_clock::time_point> expiration;
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Throws ConfigError naming what is missing or malformed (never the secret itself).
  virtual Credentials get() = 0;
};

// Builds the default chain from the process environment. `http` serves the container
// endpoint and must outlive the provider.
std::unique_ptr<CredentialsProvider> make_default_credentials_chain(HttpTransport& http);

}  // namespace ssc::aws
