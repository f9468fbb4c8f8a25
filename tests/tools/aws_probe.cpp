// Drives the AWS clients and the adapters from the integration tests: one JSON command per
// line on stdin, one JSON answer per line on stdout ({"result": ...} or {"error": ...}).
// Endpoints, region and credentials come from the environment, exactly as the product
// reads them (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, AWS_ACCESS_KEY_ID, ...).
//
//   {"op": "dynamodb.UpdateItem", "request": {...}}
//   (answers {"Attributes": ...} when applied, {"ConditionalCheckFailed": {"Item": ...}} when
//   its condition did not hold: an answer, not an error)
//   {"op": "status.count_file", "table": "T", "receipts_table": "R", "correlation_id": "c",
//    "collection_name": "n", "receipt_key": "k", "owner": "o"}
//   (receipt_key and owner optional; answers counted, row and counted_by)
//   {"op": "status.count_files", ..., "files": [{"receipt_key": "k", "owner": "o"}, ...]}
//   (a group; answers files [{counted, counted_by}], row, transactions and conflicts)
//   Any command may carry "deadline_ms": its calls end that many ms from now (default 60 s).
//
// An optional "id" is echoed back, so that a test can match answers to commands.
#include <chrono>
#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "adapters/dynamodb_product_table.hpp"
#include "adapters/dynamodb_status_table.hpp"
#include "adapters/sns_monitoring.hpp"
#include "adapters/sqs_export_state_queue.hpp"
#include "aws/aws_error.hpp"
#include "aws/beast_transport.hpp"
#include "aws/credentials.hpp"
#include "aws/deadline.hpp"
#include "aws/dynamodb.hpp"
#include "aws/endpoints.hpp"
#include "aws/sns.hpp"
#include "aws/sqs.hpp"
#include "core/ports.hpp"

namespace {

using nlohmann::json;
using namespace ssc;

// A command that does not say what it needs: reported as {"error": {"code": "BadCommand"}}.
class BadCommand : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string text(const json& command, const char* name) {
  const auto found = command.find(name);
  if (found == command.end() || !found->is_string()) {
    throw BadCommand(std::string("command needs a string \"") + name + "\"");
  }
  return found->get<std::string>();
}

std::string text_or(const json& command, const char* name, const std::string& fallback) {
  const auto found = command.find(name);
  return found != command.end() && found->is_string() ? found->get<std::string>() : fallback;
}

std::int64_t number(const json& command, const char* name) {
  const auto found = command.find(name);
  if (found == command.end() || !found->is_number_integer()) {
    throw BadCommand(std::string("command needs an integer \"") + name + "\"");
  }
  return found->get<std::int64_t>();
}

std::vector<std::string> texts(const json& command, const char* name) {
  const auto found = command.find(name);
  if (found == command.end() || !found->is_array()) {
    throw BadCommand(std::string("command needs an array of strings \"") + name + "\"");
  }
  return found->get<std::vector<std::string>>();
}

const json& object(const json& command, const char* name) {
  const auto found = command.find(name);
  if (found == command.end() || !found->is_object()) {
    throw BadCommand(std::string("command needs an object \"") + name + "\"");
  }
  return *found;
}

json optional_number(const std::optional<std::int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

json pending_json(const std::optional<core::PendingMark>& pending) {
  if (!pending) return nullptr;
  return {{"until_ms", pending->until_ms}, {"owner", pending->owner.text()}};
}

// Only when something is recorded, so that rows without it read as before.
void add_effects_done_by(json& row, const core::EffectsDoneBy& done) {
  if (done.received.owner.empty() && done.successful.owner.empty()) return;
  const auto stage = [](const core::StageDoneBy& by) {
    return json{{"owner", by.owner.text()}, {"run_notified", by.run_notified}};
  };
  row["effects_done_by"] = {{"received", stage(done.received)},
                            {"successful", stage(done.successful)}};
}

json row_json(const core::CollectionRow& row) {
  json result = {{"status", row.status},
                 {"files_exported", optional_number(row.files_exported)},
                 {"files_received", row.files_received_or_zero()},
                 {"pending", pending_json(row.pending)}};
  add_effects_done_by(result, row.effects_done_by);
  return result;
}

// "stage": "received" or "successful".
core::Stage stage(const json& command) {
  const std::string name = text(command, "stage");
  if (name == "received") return core::Stage::Received;
  if (name == "successful") return core::Stage::Successful;
  throw BadCommand("\"stage\" must be \"received\" or \"successful\", not \"" + name + "\"");
}

// The caller's own mark: "until" and "owner".
core::PendingMark mark(const json& command) {
  return {number(command, "until"), text(command, "owner")};
}

// The mark a take over expects to find: "seen_until" and "seen_owner" (empty for a mark written
// before owners existed).
core::PendingMark seen_mark(const json& command) {
  return {number(command, "seen_until"), text_or(command, "seen_owner", "")};
}

core::CollectionKey collection_key(const json& command) {
  return {text(command, "correlation_id"), text(command, "collection_name")};
}

// Every call ends by the command's "deadline_ms" from now (default a minute), as the product's
// calls end by their invocation's budget.
aws::Deadline deadline_of(const json& command) {
  const std::int64_t from_now_ms =
      command.contains("deadline_ms") ? number(command, "deadline_ms") : 60'000;
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(from_now_ms);
}

json stats_json(const aws::AwsClient& client) {
  return {{"requests", client.stats().requests.load()}, {"retries", client.stats().retries.load()}};
}

// Clients are made on first use, so that a test of one service needs no settings of
// another.
class Probe {
 public:
  Probe()
      : env_(aws::process_env()),
        region_(aws::resolve_region(env_)),
        credentials_(aws::make_default_credentials_chain(http_)) {}

  json run(const json& command) {
    const std::string op = text(command, "op");
    const std::string service = op.substr(0, op.find('.'));
    const std::string action = op.find('.') == std::string::npos ? "" : op.substr(op.find('.') + 1);
    if (service == "dynamodb") return dynamodb_op(action, command);
    if (service == "sqs") return sqs_op(action, command);
    if (service == "sns") return sns_op(action, command);
    if (service == "status") return status_op(action, command);
    if (service == "product") return product_op(action, command);
    if (op == "queue.send") {
      adapters::SqsExportStateQueue queue(sqs(), text(command, "queue_url"));
      queue.send(text(command, "body"), text_or(command, "group", ""),
                 text_or(command, "dedup", ""), deadline_of(command));
      return json::object();
    }
    if (op == "monitoring.publish") {
      adapters::SnsMonitoring monitoring(sns(), text(command, "topic_arn"));
      monitoring.publish(text(command, "message"), deadline_of(command));
      return json::object();
    }
    if (op == "probe.stats") {
      json out = json::object();
      if (dynamodb_) out["dynamodb"] = stats_json(dynamodb_->aws());
      if (sqs_) out["sqs"] = stats_json(sqs_->aws());
      if (sns_) out["sns"] = stats_json(sns_->aws());
      return out;
    }
    throw BadCommand("unknown op \"" + op + "\"");
  }

 private:
  aws::DynamoDbClient& dynamodb() {
    if (!dynamodb_) {
      dynamodb_ = std::make_unique<aws::DynamoDbClient>(
          aws::resolve_endpoint("dynamodb", region_, env_), *credentials_, http_);
    }
    return *dynamodb_;
  }

  aws::SqsClient& sqs() {
    if (!sqs_) {
      sqs_ = std::make_unique<aws::SqsClient>(aws::resolve_endpoint("sqs", region_, env_),
                                              *credentials_, http_);
    }
    return *sqs_;
  }

  aws::SnsClient& sns() {
    if (!sns_) {
      sns_ = std::make_unique<aws::SnsClient>(aws::resolve_endpoint("sns", region_, env_),
                                              *credentials_, http_);
    }
    return *sns_;
  }

  json dynamodb_op(const std::string& action, const json& command) {
    const json& request = object(command, "request");
    if (action == "GetItem") {
      const auto item = dynamodb().get_item(request, deadline_of(command));
      return item ? json{{"Item", *item}} : json::object();
    }
    if (action == "UpdateItem") {
      const aws::UpdateOutcome outcome = dynamodb().update_item(request, deadline_of(command));
      if (!outcome.applied) {
        return {
            {"ConditionalCheckFailed", {{"Item", outcome.item ? *outcome.item : json(nullptr)}}}};
      }
      return outcome.attributes ? json{{"Attributes", *outcome.attributes}} : json::object();
    }
    if (action == "Query") {
      const aws::QueryResult result = dynamodb().query_all(request, deadline_of(command));
      return {{"Items", result.items}, {"Count", result.items.size()}, {"pages", result.pages}};
    }
    if (action == "TransactWriteItems") {
      const aws::TransactionOutcome outcome = dynamodb().transact_write_items(
          request,
          [&](int attempt) {
            return text_or(command, "token", "probe") + "-" + std::to_string(attempt);
          },
          deadline_of(command));
      if (outcome.committed) return json::object();
      json reasons = json::array();
      for (const auto& reason : outcome.reasons) reasons.push_back({{"Code", reason.code}});
      return {{"CancellationReasons", reasons}};
    }
    throw BadCommand("unknown dynamodb op \"" + action + "\"");
  }

  json sqs_op(const std::string& action, const json& command) {
    const json& request = object(command, "request");
    if (action == "SendMessage") {
      aws::SendMessageRequest send;
      send.queue_url = text(request, "QueueUrl");
      send.body = text(request, "MessageBody");
      send.message_group_id = text_or(request, "MessageGroupId", "");
      send.deduplication_id = text_or(request, "MessageDeduplicationId", "");
      if (request.contains("DelaySeconds")) {
        send.delay_seconds = static_cast<int>(number(request, "DelaySeconds"));
      }
      const auto result = sqs().send_message(send, deadline_of(command));
      return {{"MessageId", result.message_id}, {"SequenceNumber", result.sequence_number}};
    }
    throw BadCommand("unknown sqs op \"" + action + "\"");
  }

  json sns_op(const std::string& action, const json& command) {
    if (action != "Publish") throw BadCommand("unknown sns op \"" + action + "\"");
    const json& request = object(command, "request");
    aws::PublishRequest publish;
    publish.topic_arn = text(request, "TopicArn");
    publish.message = text(request, "Message");
    publish.subject = text_or(request, "Subject", "");
    publish.message_group_id = text_or(request, "MessageGroupId", "");
    publish.deduplication_id = text_or(request, "MessageDeduplicationId", "");
    const auto result = sns().publish(publish, deadline_of(command));
    return {{"MessageId", result.message_id}, {"RequestId", result.request_id}};
  }

  json status_op(const std::string& action, const json& command) {
    adapters::DynamoStatusTable table(
        dynamodb(), {text(command, "table"), text_or(command, "receipts_table", "")});
    if (action == "count_file" || action == "count_files") {
      const json files = action == "count_file" ? json::array({command}) : command.at("files");
      std::vector<core::FileToCount> to_count;
      for (const json& file : files) {
        std::optional<std::string> receipt_key;
        if (file.contains("receipt_key") && !file["receipt_key"].is_null()) {
          receipt_key = text(file, "receipt_key");
        }
        to_count.push_back({receipt_key, text_or(file, "owner", "")});
      }
      const core::GroupCount result =
          table.count_files(collection_key(command), to_count, deadline_of(command));
      if (action == "count_file") {
        return {{"counted", result.files.at(0).counted},
                {"row", row_json(result.row)},
                {"counted_by", result.files.at(0).counted_by.text()}};
      }
      json answered = json::array();
      for (const core::FileCount& file : result.files) {
        answered.push_back({{"counted", file.counted}, {"counted_by", file.counted_by.text()}});
      }
      return {{"files", answered},
              {"row", row_json(result.row)},
              {"transactions", result.transactions},
              {"conflicts", result.conflicts}};
    }
    if (action == "read") {
      const auto row = table.read(collection_key(command), deadline_of(command));
      return {{"row", row ? row_json(*row) : json(nullptr)}};
    }
    if (action == "transition") {
      return {{"moved",
               table.transition(collection_key(command), texts(command, "from"),
                                text(command, "to"), text_or(command, "not_while_pending_at", ""),
                                mark(command), deadline_of(command))}};
    }
    if (action == "take_over") {
      return {{"taken_over", table.take_over(collection_key(command), seen_mark(command),
                                             mark(command), deadline_of(command))}};
    }
    if (action == "remove_mark") {
      const bool run_notified = command.value("run_notified", false);
      table.remove_mark(collection_key(command), text(command, "owner"), stage(command),
                        run_notified, deadline_of(command));
      return json::object();
    }
    if (action == "run_statuses") {
      return {
          {"statuses", table.run_statuses(text(command, "correlation_id"), deadline_of(command))}};
    }
    throw BadCommand("unknown status op \"" + action + "\"");
  }

  json product_op(const std::string& action, const json& command) {
    adapters::DynamoProductTable table(dynamodb(), text(command, "table"));
    const std::string correlation_id = text(command, "correlation_id");
    if (action == "transition") {
      return {
          {"moved", table.transition(correlation_id, text(command, "status"),
                                     texts(command, "done"), mark(command), deadline_of(command))}};
    }
    if (action == "read") {
      const auto row = table.read(correlation_id, deadline_of(command));
      if (!row) return {{"row", nullptr}};
      return {{"row", {{"status", row->status}, {"pending", pending_json(row->pending)}}}};
    }
    if (action == "take_over") {
      return {{"taken_over", table.take_over(correlation_id, seen_mark(command), mark(command),
                                             deadline_of(command))}};
    }
    if (action == "remove_mark") {
      table.remove_mark(correlation_id, text(command, "owner"), deadline_of(command));
      return json::object();
    }
    throw BadCommand("unknown product op \"" + action + "\"");
  }

  aws::EnvLookup env_;
  std::string region_;
  aws::BeastTransport http_;
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  std::unique_ptr<aws::DynamoDbClient> dynamodb_;
  std::unique_ptr<aws::SqsClient> sqs_;
  std::unique_ptr<aws::SnsClient> sns_;
};

json aws_error_json(const aws::AwsError& error) {
  json out = {{"code", error.code()},
              {"message", error.message()},
              {"retryable", error.retryable()},
              {"request_id", error.request_id()},
              {"http_status", error.http_status()}};
  if (const auto* canceled = dynamic_cast<const aws::TransactionCanceled*>(&error)) {
    out["type"] = "TransactionCanceled";
    json reasons = json::array();
    for (const auto& reason : canceled->reasons()) {
      reasons.push_back({{"Code", reason.code},
                         {"Message", reason.message},
                         {"Item", reason.item ? *reason.item : json(nullptr)}});
    }
    out["cancellation_reasons"] = reasons;
  } else if (dynamic_cast<const aws::TransportError*>(&error) != nullptr) {
    out["type"] = "TransportError";
  } else {
    out["type"] = "AwsError";
  }
  return out;
}

json simple_error(const std::string& code, const std::string& message) {
  return {{"code", code}, {"message", message}, {"retryable", false}, {"request_id", ""}};
}

}  // namespace

int main() {
  std::unique_ptr<Probe> probe;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json answer;
    json command = json::parse(line, nullptr, false);
    if (command.is_object() && command.contains("id")) answer["id"] = command["id"];
    try {
      if (!command.is_object()) throw BadCommand("not a JSON object: " + line);
      if (!probe) probe = std::make_unique<Probe>();
      answer["result"] = probe->run(command);
    } catch (const aws::AwsError& error) {
      answer["error"] = aws_error_json(error);
    } catch (const core::CollectionNotFound& error) {
      answer["error"] = simple_error("CollectionNotFound", error.what());
    } catch (const aws::ConfigurationError& error) {
      answer["error"] = simple_error("ConfigurationError", error.what());
    } catch (const BadCommand& error) {
      answer["error"] = simple_error("BadCommand", error.what());
    } catch (const std::exception& error) {
      answer["error"] = simple_error("UnexpectedException", error.what());
    }
    std::cout << answer.dump() << std::endl;
  }
  return 0;
}
