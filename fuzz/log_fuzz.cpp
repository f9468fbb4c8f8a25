// The log line (SPEC section 9): whatever bytes a message, a context value or an extra
// field holds, the line is one JSON object on one line, within the size cap, and a value
// short enough and well-formed comes back unchanged.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "log/log.hpp"

namespace {

bool well_formed_utf8(std::string_view text) {
  try {
    (void)nlohmann::json(std::string(text)).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ssc::fuzz::Input input(data, size);
  const std::string_view module = input.until("\n");
  const std::string context_name(input.until("\n"));
  const std::string context_value(input.until("\n"));
  const std::string extra_name(input.until("\n"));
  const std::string extra_value(input.until("\n"));
  const std::string_view message = input.rest();

  const ssc::log::LogContext context({{context_name, context_value}});
  const std::string text =
      ssc::log::format_line(ssc::log::Level::Warning, module, message, {{extra_name, extra_value}});
  if (text.empty() || text.back() != '\n' || text.find('\n') != text.size() - 1) __builtin_trap();
  if (text.size() > ssc::log::kMaxLineBytes) __builtin_trap();
  const auto line = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!line.is_object() || line.size() < 9) __builtin_trap();
  if (line.value("log_level", "") != "WARNING") __builtin_trap();
  if (message.size() <= ssc::log::kMaxValueBytes && well_formed_utf8(message) &&
      line.value("message", "") != message) {
    __builtin_trap();
  }
  return 0;
}
