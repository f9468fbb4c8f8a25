// Short stable names derived from SHA-256, for keys that must be the same on every retry.
// Its own small library because both the core and the AWS layer need it and neither may
// depend on the other.
#pragma once

#include <string>
#include <string_view>

namespace ssc::digest {

// Raw 32-byte SHA-256 digest (OpenSSL).
std::string sha256(std::string_view data);

// RFC 4648 section 5 base64url, without padding.
std::string base64url(std::string_view bytes);

}  // namespace ssc::digest
