// The contract of the table ports (core/ports.hpp), run on every implementation: the
// in-memory fakes the core's tests use (tests/unit/core/fakes.hpp) and the DynamoDB
// adapters against a real emulator. The same cases, the same expectations: the fakes
// cannot drift from the adapters without one of them failing here.
//
// Under CTest only the fakes run. The DynamoDB variant runs when SSC_CONTRACT_DYNAMODB is
// set (tests/integration/test_contract.py sets it, with the endpoint of moto served one
// request at a time in AWS_ENDPOINT_URL_DYNAMODB); it creates its own tables there.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "adapters/dynamodb_product_table.hpp"
#include "adapters/dynamodb_status_table.hpp"
#include "adapters/random_owner_tokens.hpp"
#include "aws/aws_client.hpp"
#include "aws/beast_transport.hpp"
#include "aws/credentials.hpp"
#include "aws/dynamodb.hpp"
#include "aws/endpoints.hpp"
#include "aws/env.hpp"
#include "unit/core/fakes.hpp"

namespace ssc::core {
namespace {

using nlohmann::json;

// Far enough for every call of these cases: none is about the deadline.
Deadline in_a_minute() { return std::chrono::steady_clock::now() + std::chrono::minutes(1); }

const CollectionKey kKey{"corr", "db.a.b"};
const Owner kFirst = "AbCdEfGh.1.first0";
const Owner kSecond = "AbCdEfGh.2.secnd0";
const Owner kOther = "ZyXwVuTs.1.other0";

// One implementation of both table ports, and a way to put a row as the exporter does.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual StatusTable& status() = 0;
  virtual ProductTable& product() = 0;
  virtual void put_row(const CollectionKey& key, const std::string& status,
                       std::optional<std::int64_t> files_exported) = 0;
};

class FakeBackend final : public Backend {
 public:
  StatusTable& status() override { return status_; }
  ProductTable& product() override { return product_; }
  void put_row(const CollectionKey& key, const std::string& status,
               std::optional<std::int64_t> files_exported) override {
    status_.put(key, status, files_exported);
  }

 private:
  testing::FakeStatusTable status_;
  testing::FakeProductTable product_;
};

// Tables of their own in an emulator that other tests share (and that outlives this run).
std::string unique(const std::string& prefix) {
  return prefix + "-" + adapters::RandomOwnerTokens().next();
}

class DynamoBackend final : public Backend {
 public:
  DynamoBackend()
      : credentials_(aws::make_default_credentials_chain(http_)),
        endpoint_(aws::resolve_endpoint("dynamodb", "eu-west-2", aws::process_env())),
        client_(endpoint_, *credentials_, http_),
        export_table_(create("contract-export", {"CorrelationId", "CollectionName"})),
        product_table_(create("contract-product", {"Correlation_Id", "DataProduct"})),
        status_(client_, {export_table_, create("contract-receipts", {"ReceiptKey"})}),
        product_(client_, product_table_) {}

  StatusTable& status() override { return status_; }
  ProductTable& product() override { return product_; }
  void put_row(const CollectionKey& key, const std::string& status,
               std::optional<std::int64_t> files_exported) override {
    // An UpdateItem without a condition writes the row whole when there is none.
    std::string update = "SET CollectionStatus = :status";
    json values = {{":status", aws::ddb::S(status)}};
    if (files_exported) {
      update += ", FilesExported = :exported";
      values[":exported"] = aws::ddb::N(*files_exported);
    }
    client_.update_item({{"TableName", export_table_},
                         {"Key",
                          {{"CorrelationId", aws::ddb::S(key.correlation_id)},
                           {"CollectionName", aws::ddb::S(key.collection_name)}}},
                         {"UpdateExpression", update},
                         {"ExpressionAttributeValues", values}},
                        in_a_minute());
  }

 private:
  std::string create(const std::string& prefix, const std::vector<std::string>& keys) {
    const std::string name = unique(prefix);
    json schema = json::array();
    json definitions = json::array();
    for (std::size_t i = 0; i < keys.size(); ++i) {
      schema.push_back({{"AttributeName", keys[i]}, {"KeyType", i == 0 ? "HASH" : "RANGE"}});
      definitions.push_back({{"AttributeName", keys[i]}, {"AttributeType", "S"}});
    }
    // CreateTable is no operation of the product's client: sent here on its AwsClient.
    const json request = {{"TableName", name},
                          {"KeySchema", schema},
                          {"AttributeDefinitions", definitions},
                          {"BillingMode", "PAY_PER_REQUEST"}};
    const auto error_of = [](const aws::HttpResponse& answer) {
      return aws::AwsError("CreateTableFailed", answer.body, "", answer.status, false);
    };
    aws::AwsClient(endpoint_, *credentials_, http_, {}, error_of)
        .call({"POST",
               "/",
               {{"Content-Type", "application/x-amz-json-1.0"},
                {"X-Amz-Target", "DynamoDB_20120810.CreateTable"}},
               request.dump()},
              "CreateTable", "table " + name, in_a_minute());
    return name;
  }

  aws::BeastTransport http_;
  std::unique_ptr<aws::CredentialsProvider> credentials_;
  aws::ServiceEndpoint endpoint_;
  aws::DynamoDbClient client_;
  std::string export_table_;
  std::string product_table_;
  adapters::DynamoStatusTable status_;
  adapters::DynamoProductTable product_;
};

class TableContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "fake") {
      backend_ = std::make_unique<FakeBackend>();
    } else {
      backend_ = std::make_unique<DynamoBackend>();
    }
  }
  StatusTable& status() { return backend_->status(); }
  // One file counted alone: a group of one.
  struct OneCount {
    bool counted;
    Owner counted_by;
    CollectionRow row;
  };
  OneCount count_one(const std::optional<std::string>& receipt_key, const Owner& owner) {
    const GroupCount result = status().count_files(kKey, {{receipt_key, owner}}, in_a_minute());
    return {result.files.at(0).counted, result.files.at(0).counted_by, result.row};
  }
  ProductTable& product() { return backend_->product(); }
  void put_row(const CollectionKey& key, const std::string& status_text,
               std::optional<std::int64_t> exported = std::nullopt) {
    backend_->put_row(key, status_text, exported);
  }

 private:
  std::unique_ptr<Backend> backend_;
};

TEST_P(TableContract, AFileIsCountedOnceAndItsReceiptNamesWhoCountedIt) {
  put_row(kKey, "Sent", 3);
  const OneCount first = count_one(std::string("rk-1"), kFirst);
  EXPECT_TRUE(first.counted);
  EXPECT_EQ(first.row.status, "Sent");
  EXPECT_EQ(first.row.files_exported, 3);
  EXPECT_EQ(first.row.files_received, 1);
  for (const Owner& again : {kSecond, kOther, kFirst}) {
    const OneCount refused = count_one(std::string("rk-1"), again);
    EXPECT_FALSE(refused.counted);
    EXPECT_EQ(refused.counted_by, kFirst);
    EXPECT_EQ(refused.row.files_received, 1);
  }
  EXPECT_TRUE(count_one(std::string("rk-2"), kOther).counted);
  EXPECT_EQ(status().read(kKey, in_a_minute())->files_received, 2);
}

TEST_P(TableContract, AGroupCountsEachNewFileOnceAndSettlesTheOthers) {
  put_row(kKey, "Sent", 10);
  ASSERT_TRUE(count_one(std::string("rk-old"), kFirst).counted);
  const GroupCount group = status().count_files(kKey,
                                                {{std::string("rk-a"), kSecond},
                                                 {std::string("rk-old"), kSecond},
                                                 {std::nullopt, kSecond},
                                                 {std::string("rk-a"), kOther},
                                                 {std::string("rk-b"), kOther}},
                                                in_a_minute());
  ASSERT_EQ(group.files.size(), 5u);
  EXPECT_TRUE(group.files[0].counted);
  EXPECT_FALSE(group.files[1].counted);
  EXPECT_EQ(group.files[1].counted_by, kFirst);
  EXPECT_TRUE(group.files[2].counted);
  EXPECT_FALSE(group.files[3].counted);
  EXPECT_EQ(group.files[3].counted_by, kSecond);
  EXPECT_TRUE(group.files[4].counted);
  EXPECT_EQ(group.row.files_received, 4);
  EXPECT_EQ(status().read(kKey, in_a_minute())->files_received, 4);
  // The receipts name their own message's owner.
  EXPECT_EQ(count_one(std::string("rk-b"), kFirst).counted_by, kOther);
}

TEST_P(TableContract, AFileWithoutReceiptIsCountedEveryTime) {
  put_row(kKey, "Exported", 5);
  for (std::int64_t expected = 1; expected <= 3; ++expected) {
    const OneCount result = count_one(std::nullopt, kFirst);
    EXPECT_TRUE(result.counted);
    EXPECT_EQ(result.row.files_received, expected);
  }
}

TEST_P(TableContract, ACountOnAMissingRowWritesNothingNotEvenItsReceipt) {
  EXPECT_THROW(count_one(std::string("rk-1"), kFirst), CollectionNotFound);
  EXPECT_THROW(count_one(std::nullopt, kFirst), CollectionNotFound);
  EXPECT_FALSE(status().read(kKey, in_a_minute()).has_value());
  // Had the receipt been written, this count would be refused.
  put_row(kKey, "Sent", 3);
  EXPECT_TRUE(count_one(std::string("rk-1"), kFirst).counted);
}

TEST_P(TableContract, ATransitionMovesOnlyFromItsStatusesAndOnlyOnce) {
  put_row(kKey, "Exporting", 1);
  EXPECT_FALSE(status().transition(kKey, {"Exported", "Sent"}, "Received", "", {100, kFirst},
                                   in_a_minute()));
  put_row(kKey, "Sent", 1);
  EXPECT_TRUE(status().transition(kKey, {"Exported", "Sent"}, "Received", "", {100, kFirst},
                                  in_a_minute()));
  EXPECT_FALSE(status().transition(kKey, {"Exported", "Sent"}, "Received", "", {200, kOther},
                                   in_a_minute()));
  const auto row = status().read(kKey, in_a_minute());
  EXPECT_EQ(row->status, "Received");
  EXPECT_EQ(row->pending, (PendingMark{100, kFirst}));
  // Received with its effects still pending is not moved on.
  EXPECT_FALSE(status().transition(kKey, {"Received", "Sent"}, "Success", "Received", {300, kOther},
                                   in_a_minute()));
  status().remove_mark(kKey, kFirst, Stage::Received, false, in_a_minute());
  EXPECT_TRUE(status().transition(kKey, {"Received", "Sent"}, "Success", "Received", {300, kOther},
                                  in_a_minute()));
}

TEST_P(TableContract, ATransitionOfAMissingRowCreatesNothing) {
  EXPECT_FALSE(status().transition(kKey, {"Exported", "Sent"}, "Received", "", {100, kFirst},
                                   in_a_minute()));
  EXPECT_FALSE(status().read(kKey, in_a_minute()).has_value());
}

TEST_P(TableContract, TakeOverGoesByTheOwnerSeenAndFinishingByTheOwner) {
  put_row(kKey, "Sent", 1);
  ASSERT_TRUE(status().transition(kKey, {"Sent"}, "Received", "", {100, kFirst}, in_a_minute()));
  EXPECT_FALSE(status().take_over(kKey, {100, kOther}, {900, kSecond}, in_a_minute()));
  EXPECT_TRUE(status().take_over(kKey, {100, kFirst}, {900, kSecond}, in_a_minute()));
  EXPECT_FALSE(status().take_over(kKey, {100, kFirst}, {950, kOther}, in_a_minute()));
  // The mark is kSecond's now: the first owner's finish leaves it, the second's removes it.
  status().remove_mark(kKey, kFirst, Stage::Received, true, in_a_minute());
  EXPECT_EQ(status().read(kKey, in_a_minute())->pending, (PendingMark{900, kSecond}));
  EXPECT_EQ(status().read(kKey, in_a_minute())->effects_done_by, EffectsDoneBy{});
  status().remove_mark(kKey, kSecond, Stage::Received, true, in_a_minute());
  const auto row = status().read(kKey, in_a_minute());
  EXPECT_FALSE(row->pending.has_value());
  EXPECT_EQ(row->effects_done_by.received, (StageDoneBy{kSecond, true}));
  EXPECT_EQ(row->effects_done_by.successful, StageDoneBy{});
}

TEST_P(TableContract, RunStatusesAreEveryRowsOfTheRunOnly) {
  put_row({"corr", "db.a"}, "Received");
  put_row({"corr", "db.b"}, "Sent");
  put_row({"other", "db.c"}, "Success");
  auto statuses = status().run_statuses("corr", in_a_minute());
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<std::string>{"Received", "Sent"}));
  EXPECT_TRUE(status().run_statuses("nobody", in_a_minute()).empty());
}

TEST_P(TableContract, TheProductStatusMovesForwardOnly) {
  EXPECT_FALSE(product().read("corr", in_a_minute()).has_value());
  EXPECT_TRUE(product().transition("corr", "RECEIVED", {"RECEIVED", "COMPLETED"}, {10, kFirst},
                                   in_a_minute()));
  EXPECT_FALSE(product().transition("corr", "RECEIVED", {"RECEIVED", "COMPLETED"}, {20, kOther},
                                    in_a_minute()));
  EXPECT_EQ(product().read("corr", in_a_minute())->status, "RECEIVED");
  EXPECT_EQ(product().read("corr", in_a_minute())->pending, (PendingMark{10, kFirst}));
  EXPECT_FALSE(product().take_over("corr", {10, kOther}, {30, kSecond}, in_a_minute()));
  EXPECT_TRUE(product().take_over("corr", {10, kFirst}, {30, kSecond}, in_a_minute()));
  product().remove_mark("corr", kFirst, in_a_minute());
  EXPECT_TRUE(product().read("corr", in_a_minute())->pending.has_value());
  product().remove_mark("corr", kSecond, in_a_minute());
  EXPECT_FALSE(product().read("corr", in_a_minute())->pending.has_value());
  EXPECT_TRUE(
      product().transition("corr", "COMPLETED", {"COMPLETED"}, {40, kOther}, in_a_minute()));
  EXPECT_FALSE(product().transition("corr", "RECEIVED", {"RECEIVED", "COMPLETED"}, {50, kFirst},
                                    in_a_minute()));
  EXPECT_EQ(product().read("corr", in_a_minute())->status, "COMPLETED");
}

std::vector<std::string> backends() {
  std::vector<std::string> names{"fake"};
  if (std::getenv("SSC_CONTRACT_DYNAMODB") != nullptr) names.emplace_back("dynamodb");
  return names;
}

INSTANTIATE_TEST_SUITE_P(Ports, TableContract, ::testing::ValuesIn(backends()),
                         [](const ::testing::TestParamInfo<std::string>& backend) {
                           return backend.param;
                         });

}  // namespace
}  // namespace ssc::core
