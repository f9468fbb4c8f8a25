#include "adapters/random_owner_tokens.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "digest/digest.hpp"

namespace ssc::adapters {

std::string kernel_random_bytes(std::size_t count) {
  // Straight from the kernel's generator, not OpenSSL's: the first RAND_bytes of a process
  // sets up OpenSSL's DRBG (about 2 ms of CPU, docs/performance.md), which a cold start
  // paid for one token. getrandom(2) blocks only until the kernel's pool was first seeded
  // at boot, and a read of up to 256 bytes is never cut short by a signal; a failure is
  // still checked rather than trusted.
  std::string bytes(count, '\0');
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t got = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom failed (") + std::strerror(errno) + ")");
    }
    filled += static_cast<std::size_t>(got);
  }
  return bytes;
}

std::string RandomOwnerTokens::next() {
  try {
    return digest::base64url(kernel_random_bytes(16));
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(std::string(error.what()) + ": no owner token for the pending marks");
  }
}

}  // namespace ssc::adapters
