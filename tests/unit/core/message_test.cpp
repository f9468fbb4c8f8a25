#include "core/message.hpp"

#include <gtest/gtest.h>

namespace ssc::core {
namespace {

using nlohmann::json;

json valid_body() {
  return {{"correlation_id", "corr-1"},
          {"collection_name", "db.database.collection"},
          {"snapshot_type", "incremental"},
          {"export_date", "2020-01-01"}};
}

std::vector<std::string> problems_of(const json& body) {
  try {
    parse_message(body);
  } catch (const InvalidMessage& e) {
    return e.problems();
  }
  return {};
}

TEST(ParseMessage, RequiredFieldsAndDefaults) {
  const Message message = parse_message(valid_body());
  EXPECT_EQ(message.correlation_id, "corr-1");
  EXPECT_EQ(message.collection_name, "db.database.collection");
  EXPECT_EQ(message.snapshot_type, "incremental");
  EXPECT_EQ(message.export_date, "2020-01-01");
  EXPECT_FALSE(message.is_success_file);
  EXPECT_EQ(message.shutdown_flag, json("true"));
  EXPECT_EQ(message.reprocess_files, json("true"));
  EXPECT_EQ(message.file_name, "NOT_SET");
}

TEST(ParseMessage, KeyAndLabels) {
  const Message message = parse_message(valid_body());
  EXPECT_EQ(message.key().correlation_id, "corr-1");
  EXPECT_EQ(message.key().collection_name, "db.database.collection");
  EXPECT_EQ(message.run_labels().export_date, "2020-01-01");
  EXPECT_EQ(message.run_labels().snapshot_type, "incremental");
}

TEST(ParseMessage, IsSuccessFileValues) {
  const std::vector<std::pair<json, bool>> cases = {
      {json("true"), true},   {json("TRUE"), true},   {json("True"), true},   {json(true), true},
      {json("false"), false}, {json(false), false},   {json(nullptr), false}, {json("yes"), false},
      {json(1), false},       {json("truee"), false}, {json(""), false}};
  for (const auto& [value, expected] : cases) {
    json body = valid_body();
    body["is_success_file"] = value;
    EXPECT_EQ(parse_message(body).is_success_file, expected) << value.dump();
  }
  EXPECT_FALSE(parse_message(valid_body()).is_success_file);  // absent
}

TEST(ParseMessage, FlagsArePassedThroughUnchanged) {
  json body = valid_body();
  body["shutdown_flag"] = false;
  body["reprocess_files"] = "False";
  const Message message = parse_message(body);
  EXPECT_EQ(message.shutdown_flag, json(false));
  EXPECT_EQ(message.reprocess_files, json("False"));
}

TEST(ParseMessage, FileNameAndItsAlias) {
  json body = valid_body();
  body["filename"] = "folder/db.database.collection-001.gz.enc";
  EXPECT_EQ(parse_message(body).file_name, "folder/db.database.collection-001.gz.enc");
  body["file_name"] = "preferred.gz.enc";
  EXPECT_EQ(parse_message(body).file_name, "preferred.gz.enc");
}

TEST(ParseMessage, EmptyOrNullFileNameIsNotSet) {
  json body = valid_body();
  body["file_name"] = "";
  EXPECT_EQ(parse_message(body).file_name, "NOT_SET");
  body["file_name"] = nullptr;
  body["filename"] = "alias.gz";
  EXPECT_EQ(parse_message(body).file_name, "alias.gz");
}

TEST(ParseMessage, NonStringFileNameKeepsItsJsonForm) {
  json body = valid_body();
  body["file_name"] = 17;
  EXPECT_EQ(parse_message(body).file_name, "17");
}

TEST(ParseMessage, EveryBadFieldIsListedTogether) {
  json body = valid_body();
  body.erase("correlation_id");
  body["collection_name"] = nullptr;
  body["snapshot_type"] = 5;
  body["export_date"] = "";
  EXPECT_EQ(problems_of(body),
            (std::vector<std::string>{"correlation_id is missing", "collection_name is null",
                                      "snapshot_type is not a string", "export_date is empty"}));
}

TEST(ParseMessage, EachRejectionReason) {
  for (const char* field : {"correlation_id", "collection_name", "snapshot_type", "export_date"}) {
    const std::string name = field;
    json body = valid_body();
    body.erase(name);
    EXPECT_EQ(problems_of(body), std::vector<std::string>{name + " is missing"});
    body[name] = nullptr;
    EXPECT_EQ(problems_of(body), std::vector<std::string>{name + " is null"});
    body[name] = "";
    EXPECT_EQ(problems_of(body), std::vector<std::string>{name + " is empty"});
    body[name] = json::object();
    EXPECT_EQ(problems_of(body), std::vector<std::string>{name + " is not a string"});
    body[name] = true;
    EXPECT_EQ(problems_of(body), std::vector<std::string>{name + " is not a string"});
  }
}

TEST(ParseMessage, ExceptionTextNamesEveryProblem) {
  try {
    parse_message(json::object());
    FAIL() << "expected InvalidMessage";
  } catch (const InvalidMessage& e) {
    EXPECT_STREQ(e.what(),
                 "invalid message: correlation_id is missing; collection_name is missing; "
                 "snapshot_type is missing; export_date is missing");
  }
}

TEST(ParseMessage, NonObjectIsRejected) {
  EXPECT_EQ(problems_of(json::array()), std::vector<std::string>{"body is not a JSON object"});
}

TEST(MessageLogContext, NamesWhatTheBodySaysAsStrings) {
  json body = valid_body();
  body["collection_name"] = 5;
  body["filename"] = "f.gz";
  const log::Fields fields = message_log_context(body);
  EXPECT_EQ(fields.at("correlation_id"), "corr-1");
  EXPECT_EQ(fields.count("collection_name"), 0u);
  EXPECT_EQ(fields.at("file_name"), "f.gz");
  EXPECT_TRUE(message_log_context(json("text")).empty());
}

}  // namespace
}  // namespace ssc::core
