// A request of the AWS JSON 1.0 protocol (DynamoDB, SQS) as the text that is sent. The hot
// requests are written straight into it by JsonWriter, with no tree built and dumped per
// request (issue #17); the rare ones are trees, dumped once.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ssc::aws {

// Written requests are made with parentheses: braces make a tree.
struct JsonRequest {
  std::string text;      // one JSON object
  std::string resource;  // what it is made on, for its errors: "table T", "queue Q", ...

  JsonRequest(std::string written, std::string made_on)
      : text(std::move(written)), resource(std::move(made_on)) {}
  // From a tree (implicit, so that a request given as a braced tree reads as before): dumped
  // once, its resource read from TableName, QueueUrl or TransactItems.
  JsonRequest(const nlohmann::json& tree);  // NOLINT(google-explicit-constructor)
  JsonRequest(nlohmann::json::initializer_list_t tree) : JsonRequest(nlohmann::json(tree)) {}
};

// What a request on `tables` is made on: "table A", or "tables A, B" when more than one;
// empty when none.
std::string tables_resource(const std::vector<std::string>& tables);

// Writes one JSON value into a string, members and elements in the order given. Strings are
// escaped as log lines are (log/json_escape.hpp): every string a request carries is UTF-8
// already (read from JSON, or our own), so nothing is replaced.
class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // A member's name; its value is what is written next.
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  // Not taken for a bool: a pointer converts to bool before it converts to a string_view.
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  JsonWriter& member(std::string_view name, std::string_view text) { return key(name).value(text); }
  JsonWriter& member(std::string_view name, const char* text) { return key(name).value(text); }
  JsonWriter& member(std::string_view name, bool flag) { return key(name).value(flag); }
  // DynamoDB attribute values: "name": {"S": "text"} and "name": {"N": "42"}.
  JsonWriter& string_attribute(std::string_view name, std::string_view text);
  JsonWriter& number_attribute(std::string_view name, std::int64_t number);

  [[nodiscard]] std::string take() { return std::move(out_); }

 private:
  std::string out_;
  bool first_ = true;  // nothing written yet in the current object or array

  void separate();
};

}  // namespace ssc::aws
