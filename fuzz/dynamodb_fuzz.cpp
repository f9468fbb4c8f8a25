// DynamoDB's answers through the real client: a 2xx body for each operation the
// adapters use (GetItem, UpdateItem, Query with its pages, TransactWriteItems), an error
// body (a failed condition with its item, a cancelled transaction with its
// CancellationReasons, answered or thrown as TransactionCanceled), and the attribute readers
// over whatever items came back. The first byte picks the status, the second the operation;
// the rest is the body. A bad answer is an AwsError; anything else escaping is a defect.
// dictionary: dict/json.dict
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/detail/table_format.hpp"
#include "aws/aws_error.hpp"
#include "aws/dynamodb.hpp"
#include "fuzz_input.hpp"

namespace {

using ssc::aws::DynamoDbClient;
namespace ddb = ssc::aws::ddb;

// The names the adapters read (a status row's, a file receipt's), and one that an answer
// is unlikely to hold.
namespace row = ssc::adapters::table_format::status_row;
namespace receipt = ssc::adapters::table_format::receipt;
const std::vector<std::string> kNames = {row::kCorrelationId,       row::kCollectionName,
                                         row::kCollectionStatus,    row::kFilesExported,
                                         row::kFilesSent,           row::kFilesReceived,
                                         row::kPendingEffectsUntil, row::kPendingEffectsOwner,
                                         row::kReceivedEffectsBy,   row::kSuccessEffectsBy,
                                         receipt::kReceiptKey,      receipt::kOwner,
                                         receipt::kExpiresAt,       "absent"};

void read_item(const nlohmann::json& item) {
  for (const auto& name : kNames) {
    try {
      (void)ddb::get_string(item, name);
    } catch (const ssc::aws::AwsError&) {
    }
    try {
      (void)ddb::get_int64(item, name);
    } catch (const ssc::aws::AwsError&) {
    }
  }
}

void call(DynamoDbClient& client, std::uint8_t operation) {
  const nlohmann::json key = {{"TableName", "t"}, {"Key", {{"CorrelationId", ddb::S("c")}}}};
  switch (operation % 5) {
    case 0:
      if (const auto item = client.get_item(key, ssc::fuzz::in_a_minute())) read_item(*item);
      break;
    case 1: {
      const auto outcome = client.update_item(key, ssc::fuzz::in_a_minute());
      if (outcome.attributes) read_item(*outcome.attributes);
      if (outcome.item) read_item(*outcome.item);
      break;
    }
    case 2:
      for (const auto& item :
           client.query_all({{"TableName", "t"}}, ssc::fuzz::in_a_minute()).items)
        read_item(item);
      break;
    case 3:
      for (const auto& reason :
           client
               .transact_write_items(
                   {{"TransactItems", nlohmann::json::array()}},
                   [](int attempt) { return "token-" + std::to_string(attempt); },
                   ssc::fuzz::in_a_minute())
               .reasons) {
        if (reason.item) read_item(*reason.item);
      }
      break;
    default:
      client.update_item({{"TableName", "T"}}, ssc::fuzz::in_a_minute());
      break;
  }
}

// Runs `step`; the errors a bad answer may give are examined, any other escapes.
template <class Step>
void examine(const Step& step) {
  try {
    step();
  } catch (const ssc::aws::TransactionCanceled& error) {
    for (const auto& reason : error.reasons()) {
      if (reason.item) read_item(*reason.item);
    }
  } catch (const ssc::aws::AwsError& error) {
    if (error.code().empty()) __builtin_trap();  // every error names its code
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ssc::fuzz::Input input(data, size);
  const std::uint8_t status = input.byte();
  const std::uint8_t operation = input.byte();
  auto answer = ssc::fuzz::service_answer(status);
  answer.body = std::string(input.rest());

  ssc::fuzz::AnsweredClient<DynamoDbClient> dynamodb(answer, "dynamodb");
  examine([&] { call(dynamodb.client, operation); });
  return 0;
}
