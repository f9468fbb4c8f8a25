#include "aws/endpoints.hpp"

#include <gtest/gtest.h>

#include <map>

#include "aws/aws_error.hpp"

using namespace ssc::aws;

namespace {

EnvLookup env_of(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Region, Precedence) {
  EXPECT_EQ(resolve_region(env_of({})), "eu-west-2");
  EXPECT_EQ(resolve_region(env_of({{"AWS_DEFAULT_REGION", "us-east-1"}})), "us-east-1");
  EXPECT_EQ(resolve_region(env_of({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "x"}})),
            "eu-west-1");
  EXPECT_EQ(resolve_region(env_of({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "us-west-2"}})),
            "us-west-2");
}

TEST(Region, InvalidNameIsConfigurationError) {
  EXPECT_THROW(resolve_region(env_of({{"AWS_REGION", "eu west/2"}})), ConfigurationError);
}

TEST(Endpoint, DefaultsToAwsDomain) {
  const auto endpoint = resolve_endpoint("dynamodb", "eu-west-2", env_of({}));
  EXPECT_EQ(endpoint.url, "https://dynamodb.eu-west-2.amazonaws.com");
  EXPECT_EQ(endpoint.scope.region, "eu-west-2");
  EXPECT_EQ(endpoint.scope.service, "dynamodb");
  EXPECT_EQ(resolve_endpoint("sqs", "cn-north-1", env_of({})).url,
            "https://sqs.cn-north-1.amazonaws.com.cn");
}

TEST(Endpoint, ServiceSpecificVariableWins) {
  const auto env = env_of({{"AWS_ENDPOINT_URL", "http://127.0.0.1:5000"},
                           {"AWS_ENDPOINT_URL_SQS", "http://localhost:9324/"}});
  EXPECT_EQ(resolve_endpoint("sqs", "eu-west-2", env).url, "http://localhost:9324");
  EXPECT_EQ(resolve_endpoint("sns", "eu-west-2", env).url, "http://127.0.0.1:5000");
  EXPECT_EQ(resolve_endpoint("dynamodb", "eu-west-2", env).scope.region, "eu-west-2");
}

TEST(Endpoint, MalformedUrlsAreConfigurationErrors) {
  for (const char* bad :
       {"localhost:4566", "ftp://host", "http://", "http://host:99999", "http://host:port",
        "http://user@host", "http://host/some/path", "http://host?x=1", "http://ho st"}) {
    try {
      resolve_endpoint("sqs", "eu-west-2", env_of({{"AWS_ENDPOINT_URL_SQS", bad}}));
      ADD_FAILURE() << "accepted " << bad;
    } catch (const ConfigurationError& error) {
      EXPECT_NE(std::string(error.what()).find("AWS_ENDPOINT_URL_SQS"), std::string::npos);
    }
  }
}

TEST(Endpoint, AcceptsIpv6AndHttps) {
  EXPECT_EQ(
      resolve_endpoint("sns", "eu-west-2", env_of({{"AWS_ENDPOINT_URL", "HTTPS://[::1]:8443"}}))
          .url,
      "https://[::1]:8443");
}

}  // namespace
