#include "adapters/random_owner_tokens.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>
#include <string_view>

#include "digest/digest.hpp"

namespace ssc::adapters {

std::string RandomOwnerTokens::next() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no owner token for the pending marks");
  }
  return digest::base64url(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace ssc::adapters
