// What each message pays, piece by piece, outside the services' round trips: its INFO log
// line, the SigV4 signature of a DynamoDB request, and (once per invocation) an owner token.
// Figures only (docs/performance.md, issue #17): the whole-process figures are
// scripts/bench.sh's; this one separates the parts that the profile names.
//   build/hot_path_bench [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "adapters/random_owner_tokens.hpp"
#include "aws/detail/sigv4.hpp"
#include "log/log.hpp"

namespace {

void InfoLine(benchmark::State& state) {
  // As the handler writes it: the message's context, and an extra field or two.
  const ssc::log::LogContext context(
      {{"correlation_id", "2f8b6f1e-run-0001"},
       {"collection_name", "db.example.collection_0007"},
       {"file_name", "db.example.collection_0007-045-070-000123.json.gz.enc"}});
  const ssc::log::Fields extra = {{"status", "Exported"}, {"files_received", "123"}};
  for (auto _ : state) {
    benchmark::DoNotOptimize(ssc::log::format_line(ssc::log::Level::Info, "workflow",
                                                   "File counted for its collection", extra));
  }
}
BENCHMARK(InfoLine);

void SignDynamoDbRequest(benchmark::State& state) {
  const ssc::aws::Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                          "session-token-of-a-lambda-role", std::nullopt};
  const ssc::aws::SigningScope scope{"eu-west-2", "dynamodb"};
  const auto when = std::chrono::system_clock::now();
  ssc::aws::HttpRequest request;
  request.method = "POST";
  request.url = "https://dynamodb.eu-west-2.amazonaws.com/";
  request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", "DynamoDB_20120810.UpdateItem"}};
  request.body = std::string(600, 'x');
  for (auto _ : state) {
    ssc::aws::HttpRequest copy = request;
    benchmark::DoNotOptimize(ssc::aws::detail::sign_request(copy, credentials, scope, when));
  }
}
BENCHMARK(SignDynamoDbRequest);

void OwnerToken(benchmark::State& state) {
  ssc::adapters::RandomOwnerTokens tokens;
  for (auto _ : state) benchmark::DoNotOptimize(tokens.next());
}
BENCHMARK(OwnerToken);

}  // namespace

BENCHMARK_MAIN();
