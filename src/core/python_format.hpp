// Python's formatting, reproduced where other systems receive what the Python Lambda used to
// send: str.title() in the monitoring title, json.dumps() for message bodies.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace ssc::core {

// str.title() on ASCII letters: a letter after a non-letter (or at the start) is upper case,
// every other letter lower case. Digits, punctuation and non-ASCII bytes are non-letters and
// are kept as they are.
std::string python_title(std::string_view text);

// json.dumps() with its defaults: ", " and ": " separators, keys in the object's order,
// non-ASCII escaped as \uXXXX.
std::string python_json_dumps(const nlohmann::ordered_json& value);

}  // namespace ssc::core
