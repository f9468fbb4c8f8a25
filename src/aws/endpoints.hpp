// Region and endpoint resolution as the SDKs do it.
#pragma once

#include <string>

#include "aws/env.hpp"

namespace ssc::aws {

// AWS_REGION, then AWS_DEFAULT_REGION, else eu-west-2. Throws ConfigurationError when the name
// is not a region name (it becomes part of a host name).
std::string resolve_region(const EnvLookup& env);

// What a request to the service is signed for (SigV4's credential scope).
struct SigningScope {
  std::string region;
  std::string service;  // dynamodb, sqs, sns
};

struct ServiceEndpoint {
  std::string url;  // scheme://host[:port], no trailing slash
  SigningScope scope;
};

// service: "dynamodb", "sqs" or "sns". AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL,
// else https://<service>.<region>.amazonaws.com. Throws ConfigurationError on a malformed URL.
ServiceEndpoint resolve_endpoint(const std::string& service, const std::string& region,
                                 const EnvLookup& env);

}  // namespace ssc::aws
