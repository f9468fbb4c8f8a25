// Owner tokens for the pending-effects marks: 16 bytes from the kernel's CSPRNG
// (getrandom(2)), base64url (22 characters). Invocations run in many processes on many
// machines at once; 128 random bits make two equal tokens practically impossible without any
// coordination. Stateless; the kernel takes calls from several threads at once.
#pragma once

#include <cstddef>
#include <string>

#include "core/ports.hpp"

namespace ssc::adapters {

// `count` bytes from the kernel's CSPRNG. Throws std::runtime_error when it cannot deliver.
std::string kernel_random_bytes(std::size_t count);

class RandomOwnerTokens final : public core::OwnerTokens {
 public:
  // Throws std::runtime_error when the random generator cannot deliver.
  std::string next() override;
};

}  // namespace ssc::adapters
