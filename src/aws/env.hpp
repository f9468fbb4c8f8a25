// Environment lookups go through a function so that tests can pass their own.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace ssc::aws {

// Reads an environment variable; tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

}  // namespace ssc::aws
