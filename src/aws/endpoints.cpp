#include "aws/endpoints.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "aws/aws_error.hpp"
#include "aws/detail/uri.hpp"

namespace ssc::aws {
namespace {

std::optional<std::string> non_empty(const EnvLookup& env, const std::string& name) {
  auto value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

bool valid_region(const std::string& region) {
  return !region.empty() && std::all_of(region.begin(), region.end(), [](unsigned char c) {
    return std::islower(c) != 0 || std::isdigit(c) != 0 || c == '-';
  });
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// The endpoint as the client joins paths to it: scheme://authority, nothing after.
std::string checked_endpoint(const std::string& url, const std::string& variable) {
  const auto parts = detail::split_url(url);
  const std::string where = variable.empty() ? "endpoint" : variable;
  if (!parts) {
    throw ConfigurationError(where + " is not a valid http(s) URL: \"" +
                             detail::url_without_query(url) + "\" (expected scheme://host[:port])");
  }
  if (parts->path != "/" || !parts->query.empty()) {
    throw ConfigurationError(where + " must not have a path or query: \"" +
                             detail::url_without_query(url) + "\" (expected scheme://host[:port])");
  }
  return parts->scheme + "://" + parts->authority;
}

}  // namespace

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    // getenv is safe here: nothing in this program calls setenv once threads have started.
    if (const char* value = std::getenv(name.c_str())) return std::string(value);
    return std::nullopt;
  };
}

std::string resolve_region(const EnvLookup& env) {
  auto region = non_empty(env, "AWS_REGION");
  std::string source = "AWS_REGION";
  if (!region) {
    region = non_empty(env, "AWS_DEFAULT_REGION");
    source = "AWS_DEFAULT_REGION";
  }
  if (!region) return "eu-west-2";
  if (!valid_region(*region)) {
    throw ConfigurationError(source + " is not a valid region name: \"" + *region + "\"");
  }
  return *region;
}

ServiceEndpoint resolve_endpoint(const std::string& service, const std::string& region,
                                 const EnvLookup& env) {
  if (!valid_region(region))
    throw ConfigurationError("not a valid region name: \"" + region + "\"");
  ServiceEndpoint endpoint;
  endpoint.scope = SigningScope{region, service};

  const std::string specific = "AWS_ENDPOINT_URL_" + upper(service);
  if (const auto url = non_empty(env, specific)) {
    endpoint.url = checked_endpoint(*url, specific);
  } else if (const auto general = non_empty(env, "AWS_ENDPOINT_URL")) {
    endpoint.url = checked_endpoint(*general, "AWS_ENDPOINT_URL");
  } else {
    // China regions live in their own partition with its own domain.
    const std::string domain = region.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
    endpoint.url = "https://" + service + "." + region + "." + domain;
  }
  return endpoint;
}

}  // namespace ssc::aws
