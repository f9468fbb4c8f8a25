#include "adapters/random_owner_tokens.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#include "digest/digest.hpp"

namespace ssc::adapters {

std::string RandomOwnerTokens::next() {
  // Straight from the kernel's generator, not OpenSSL's: the first RAND_bytes of a process
  // sets up OpenSSL's DRBG (about 2 ms of CPU, docs/performance.md), which a cold start
  // paid for one token. getrandom(2) blocks only until the kernel's pool was first seeded
  // at boot, and a read of 16 bytes is never cut short by a signal; a failure is still
  // checked rather than trusted.
  std::array<unsigned char, 16> bytes{};
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t got = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom failed (") + std::strerror(errno) +
                               "): no owner token for the pending marks");
    }
    filled += static_cast<std::size_t>(got);
  }
  return digest::base64url(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace ssc::adapters
