#include "aws/json_request.hpp"

#include <stdexcept>

#include "aws/detail/json_protocol.hpp"
#include "log/json_escape.hpp"

namespace ssc::aws {
namespace {

void append_string(std::string& out, std::string_view text) {
  out += '"';
  log::append_json_escaped(out, text);
  out += '"';
}

}  // namespace

JsonRequest::JsonRequest(const nlohmann::json& tree)
    : text(tree.dump()), resource(detail::resource_of(tree)) {
  // Also what braces around two strings make: they are a tree, not text and resource.
  if (!tree.is_object()) throw std::invalid_argument("a JSON request is not an object: " + text);
}

std::string tables_resource(const std::vector<std::string>& tables) {
  if (tables.empty()) return {};
  std::string text = tables.size() == 1 ? "table " : "tables ";
  for (std::size_t i = 0; i < tables.size(); ++i) text += (i > 0 ? ", " : "") + tables[i];
  return text;
}

void JsonWriter::separate() {
  if (!first_) out_ += ',';
  first_ = false;
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_ += '{';
  first_ = true;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  separate();
  out_ += '[';
  first_ = true;
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separate();
  append_string(out_, name);
  out_ += ':';
  first_ = true;  // the value that follows takes no comma
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  separate();
  append_string(out_, text);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  separate();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::string_attribute(std::string_view name, std::string_view text) {
  return key(name).begin_object().member("S", text).end_object();
}

JsonWriter& JsonWriter::number_attribute(std::string_view name, std::int64_t number) {
  return key(name).begin_object().member("N", std::to_string(number)).end_object();
}

}  // namespace ssc::aws
