// Short stable names derived from SHA-256, for keys that must be the same on every retry.
// (The AWS layer has its own digests for SigV4; the core does not depend on that layer.)
#pragma once

#include <string>
#include <string_view>

namespace ssc::core {

// Raw 32-byte SHA-256 digest (OpenSSL).
std::string sha256(std::string_view data);

// RFC 4648 section 5 base64url, without padding.
std::string base64url(std::string_view bytes);

}  // namespace ssc::core
