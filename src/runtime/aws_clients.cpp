#include "runtime/aws_clients.hpp"

#include <optional>
#include <string>

#include "aws/endpoints.hpp"
#include "aws/env.hpp"

namespace ssc::runtime {
namespace {

// The process environment, with the configured profile standing in for AWS_PROFILE when
// one was named (a flag may have named it).
aws::EnvLookup credentials_env(const Config& config) {
  return [env = aws::process_env(), profile = config.aws_profile,
          named = config.aws_profile_named](const std::string& name) -> std::optional<std::string> {
    if (name == "AWS_PROFILE") return named ? std::optional<std::string>(profile) : std::nullopt;
    return env(name);
  };
}

}  // namespace

AwsClients::AwsClients(const Config& config, std::size_t max_idle_connections)
    : http(max_idle_connections),
      credentials(aws::make_default_credentials_chain(http, credentials_env(config))),
      dynamodb(aws::resolve_endpoint("dynamodb", config.aws_region, aws::process_env()),
               *credentials, http),
      sqs(aws::resolve_endpoint("sqs", config.aws_region, aws::process_env()), *credentials, http),
      sns(aws::resolve_endpoint("sns", config.aws_region, aws::process_env()), *credentials, http) {
}

}  // namespace ssc::runtime
