#include "core/message.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace ssc::core {
namespace {

constexpr std::array<const char*, 4> kRequiredFields = {"correlation_id", "collection_name",
                                                        "snapshot_type", "export_date"};

// Why a required field is unusable, or nullopt when it is a non-empty string.
std::optional<std::string> required_field_problem(const nlohmann::json& body,
                                                  const std::string& name) {
  const auto found = body.find(name);
  if (found == body.end()) return name + " is missing";
  if (found->is_null()) return name + " is null";
  if (!found->is_string()) return name + " is not a string";
  if (found->get_ref<const std::string&>().empty()) return name + " is empty";
  return std::nullopt;
}

const nlohmann::json* file_name_value(const nlohmann::json& body) {
  for (const char* name : {"file_name", "filename"}) {
    const auto found = body.find(name);
    if (found != body.end() && !found->is_null()) return &*found;
  }
  return nullptr;
}

// file_name is optional and only identifies the file, so a value of another type is kept in
// its JSON form rather than rejecting a message the old system accepted. An empty name says
// nothing about the file and would make every such file look like one: treat it as unset.
std::string file_name_of(const nlohmann::json& body) {
  const nlohmann::json* value = file_name_value(body);
  if (value == nullptr) return kFileNameNotSet;
  std::string name = value->is_string() ? value->get<std::string>() : value->dump();
  return name.empty() ? std::string(kFileNameNotSet) : name;
}

nlohmann::json passed_through(const nlohmann::json& body, const char* name) {
  const auto found = body.find(name);
  return found == body.end() ? nlohmann::json("true") : *found;
}

}  // namespace

bool is_success_file_value(const nlohmann::json& value) {
  if (value.is_boolean()) return value.get<bool>();
  if (!value.is_string()) return false;
  const auto& text = value.get_ref<const std::string&>();
  return text.size() == 4 && std::equal(text.begin(), text.end(), "true", [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

Message parse_message(const nlohmann::json& body) {
  if (!body.is_object()) throw InvalidMessage({"body is not a JSON object"});
  std::vector<std::string> problems;
  for (const char* name : kRequiredFields) {
    if (auto problem = required_field_problem(body, name)) problems.push_back(*problem);
  }
  if (!problems.empty()) throw InvalidMessage(std::move(problems));

  const auto text = [&](const char* name) { return body.at(name).get<std::string>(); };
  const auto success = body.find("is_success_file");
  return {text("correlation_id"),
          text("collection_name"),
          text("snapshot_type"),
          text("export_date"),
          success != body.end() && is_success_file_value(*success),
          passed_through(body, "shutdown_flag"),
          passed_through(body, "reprocess_files"),
          file_name_of(body)};
}

RunLabels rejected_run_labels(const nlohmann::json& body) {
  const auto label = [&](const char* name) -> std::string {
    if (!body.is_object()) return kLabelNotSet;
    const auto found = body.find(name);
    if (found == body.end() || !found->is_string() ||
        found->get_ref<const std::string&>().empty()) {
      return kLabelNotSet;
    }
    return found->get<std::string>();
  };
  return {label("correlation_id"), label("export_date"), label("snapshot_type")};
}

log::Fields message_log_context(const nlohmann::json& body) {
  log::Fields fields;
  if (!body.is_object()) return fields;
  for (const char* name : {"correlation_id", "collection_name"}) {
    const auto found = body.find(name);
    if (found != body.end() && found->is_string()) fields[name] = found->get<std::string>();
  }
  fields["file_name"] = file_name_of(body);
  return fields;
}

}  // namespace ssc::core
