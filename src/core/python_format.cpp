#include "core/python_format.hpp"

namespace ssc::core {
namespace {

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

void append_python_json(const nlohmann::ordered_json& value, std::string& out) {
  if (value.is_object()) {
    out += '{';
    bool first = true;
    for (const auto& [key, member] : value.items()) {
      if (!first) out += ", ";
      first = false;
      append_python_json(nlohmann::ordered_json(key), out);
      out += ": ";
      append_python_json(member, out);
    }
    out += '}';
  } else if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& element : value) {
      if (!first) out += ", ";
      first = false;
      append_python_json(element, out);
    }
    out += ']';
  } else {
    out += value.dump(-1, ' ', /*ensure_ascii=*/true,
                      nlohmann::ordered_json::error_handler_t::replace);
  }
}

}  // namespace

std::string python_title(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool previous_is_letter = false;
  for (const char c : text) {
    if (is_ascii_letter(c)) {
      out.push_back(previous_is_letter ? to_lower(c) : to_upper(c));
      previous_is_letter = true;
    } else {
      out.push_back(c);
      previous_is_letter = false;
    }
  }
  return out;
}

std::string python_json_dumps(const nlohmann::ordered_json& value) {
  std::string out;
  append_python_json(value, out);
  return out;
}

}  // namespace ssc::core
