// AWS Signature Version 4, header signing.
#pragma once

#include <chrono>
#include <string>

#include "aws/credentials.hpp"
#include "aws/http.hpp"

namespace ssc::aws {

struct SigningScope {
  std::string region;
  std::string service;  // dynamodb, sqs, sns
};

struct SignatureParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
  std::string authorization;  // the Authorization header value
};

// Computes the signature of `request` as it stands (headers must already include Host and
// X-Amz-Date, plus X-Amz-Security-Token when the credentials have a session token).
SignatureParts compute_signature(const HttpRequest& request, const Credentials& credentials,
                                 const SigningScope& scope,
                                 std::chrono::system_clock::time_point when);

// Adds Host, X-Amz-Date, X-Amz-Security-Token (when any), X-Amz-Content-Sha256 is not added
// (not needed by these services) and Authorization.
void sign_request(HttpRequest& request, const Credentials& credentials,
                  const SigningScope& scope, std::chrono::system_clock::time_point when);

}  // namespace ssc::aws
