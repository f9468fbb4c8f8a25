// AWS Signature Version 4, header signing.
#pragma once

#include <chrono>
#include <string>

#include "aws/credentials.hpp"
#include "aws/endpoints.hpp"
#include "aws/http.hpp"

namespace ssc::aws::detail {

struct SignatureParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
  std::string authorization;  // the Authorization header value
};

// Variations that SigV4 allows; the defaults are right for DynamoDB, SQS and SNS.
struct SigningOptions {
  // Remove "." and ".." segments and repeated slashes from the path (every service but S3).
  bool normalize_path = true;
  // Add and sign X-Amz-Content-Sha256 (S3 wants it; these services do not).
  bool sign_body = false;
  // Add X-Amz-Security-Token after signing, unsigned (a few services want that).
  bool omit_session_token = false;
};

// Computes the signature of `request` as it stands (headers must already include Host and
// X-Amz-Date, plus X-Amz-Security-Token when the credentials have a session token).
// Every header present is signed, except Authorization and hop-by-hop headers that proxies
// may rewrite (Connection, Expect, User-Agent, X-Amzn-Trace-Id).
SignatureParts compute_signature(const HttpRequest& request, const Credentials& credentials,
                                 const SigningScope& scope,
                                 std::chrono::system_clock::time_point when,
                                 const SigningOptions& options = {});

// Adds Host (from the URL, unless present), X-Amz-Date, X-Amz-Security-Token (when any),
// X-Amz-Content-Sha256 only with options.sign_body, and Authorization; replaces any of
// these already there, so a retry may sign the same request again.
SignatureParts sign_request(HttpRequest& request, const Credentials& credentials,
                            const SigningScope& scope, std::chrono::system_clock::time_point when,
                            const SigningOptions& options = {});

// The derived signing key (kSigning) for one day; cached, since it changes only daily. The
// cache is one per process, shared by every client and thread, and guarded by a mutex that
// is not held while a key is derived (two threads may derive the same key once each).
std::string signing_key(const std::string& secret_access_key, const std::string& day,
                        const SigningScope& scope);

}  // namespace ssc::aws::detail
