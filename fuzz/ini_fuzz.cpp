// The shared credentials and config files (~/.aws/credentials, ~/.aws/config): the INI
// parser alone, then the credentials chain reading the same text as both files for a
// profile the text may name. A malformed file is a ConfigurationError naming the file; anything
// else escaping is a defect.
// dictionary: dict/ini.dict
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws/aws_error.hpp"
#include "aws/credentials.hpp"
#include "aws/detail/ini_file.hpp"
#include "fuzz_input.hpp"

namespace {

// One file per fuzzing process, rewritten for every input.
const std::filesystem::path& scratch_file() {
  static const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("ssc-ini-fuzz-" + std::to_string(getpid()));
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ssc::fuzz::Input input(data, size);
  // The first line names the profile (AWS_PROFILE); an empty one leaves it unset.
  const std::string profile(input.until("\n"));
  const std::string_view text = input.rest();
  try {
    const auto ini = ssc::aws::detail::parse_ini(text, "fuzz");
    for (const auto& [name, section] : ini.sections) {
      for (const auto& [key, value] : section) {
        if (key.empty()) __builtin_trap();  // the parser refuses an empty key
      }
    }
  } catch (const ssc::aws::ConfigurationError&) {
  }

  {
    std::ofstream out(scratch_file(), std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  const std::map<std::string, std::string> variables = {
      {"AWS_SHARED_CREDENTIALS_FILE", scratch_file().string()},
      {"AWS_CONFIG_FILE", scratch_file().string()},
      {"AWS_PROFILE", profile},
  };
  const ssc::aws::EnvLookup env = [&](const std::string& name) -> std::optional<std::string> {
    const auto found = variables.find(name);
    if (found == variables.end() || found->second.empty()) return std::nullopt;
    return found->second;
  };
  // No container endpoint is configured, so the transport is never asked.
  ssc::fuzz::AnswerTransport transport({}, 0);
  try {
    const auto chain = ssc::aws::make_default_credentials_chain(transport, env);
    const auto credentials = chain->get();
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
      __builtin_trap();  // credentials are whole or a ConfigurationError
    }
  } catch (const ssc::aws::ConfigurationError&) {
  }
  if (transport.sent != 0) __builtin_trap();
  return 0;
}
