// The log line (SPEC section 9): whatever bytes a message, a context value or an extra
// field holds, the line is one JSON object on one line, within the size cap, a value short
// enough and well-formed comes back unchanged, and a message that was cut is named in
// cut_fields. Input: a repeat byte, then module, context name, context value, extra name and
// extra value (a line each), then the message.
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
  // Half the inputs repeat their message up to about 64,000 times, past the cut (16 KB) and,
  // with escapes, past the line's cap: the paths that shorten a line.
  const std::uint8_t repeat_selector = input.byte();
  const std::size_t repeats = repeat_selector < 128 ? 1 : (repeat_selector - 127u) * 500u;
  const std::string_view module = input.until("\n");
  const std::string context_name(input.until("\n"));
  const std::string context_value(input.until("\n"));
  const std::string extra_name(input.until("\n"));
  const std::string extra_value(input.until("\n"));
  std::string message;
  const std::string_view part = input.rest();
  message.reserve(part.size() * repeats);
  for (std::size_t i = 0; i < repeats; ++i) message += part;

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
  if (message.size() > ssc::log::kMaxValueBytes &&
      line.value("cut_fields", "").find("message") == std::string::npos) {
    __builtin_trap();  // a cut value the line does not name
  }
  return 0;
}
