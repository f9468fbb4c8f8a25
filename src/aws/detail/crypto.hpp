// The few digests SigV4 needs, on OpenSSL libcrypto.
#pragma once

#include <string>
#include <string_view>

namespace ssc::aws::detail::crypto {

// Lower-case hex of the SHA-256 digest (the raw digest is digest::sha256).
std::string sha256_hex(std::string_view data);

// Raw 32-byte HMAC-SHA256 of `data` under `key` (both taken as bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);

// Lower-case hexadecimal, as SigV4 wants it.
std::string to_hex(std::string_view bytes);

}  // namespace ssc::aws::detail::crypto
