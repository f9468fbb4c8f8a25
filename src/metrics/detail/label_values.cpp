#include "metrics/detail/label_values.hpp"

namespace ssc::metrics {
namespace {

// Length of the UTF-8 sequence starting at `text[i]`, 0 when it is not a valid one
// (overlong forms, surrogates and values past U+10FFFF included).
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return length;
}

}  // namespace

std::optional<std::string> label_value_problem(std::string_view value) {
  if (value.size() > kMaxLabelValueBytes) {
    return std::to_string(value.size()) + " bytes long, more than the " +
           std::to_string(kMaxLabelValueBytes) + " a label value may have";
  }
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t length = utf8_sequence(value, i);
    if (length == 0) return "not valid UTF-8 (at byte " + std::to_string(i) + ")";
    i += length;
  }
  return std::nullopt;
}

}  // namespace ssc::metrics
