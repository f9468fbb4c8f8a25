// SQS's JSON answers through the real client: SendMessage bodies, and error bodies (JSON,
// with the query protocol's x-amzn-query-error header). The first byte picks the status,
// the second whether the error header is there (its high bit); the rest is the body. A bad
// answer is an AwsError; anything else escaping is a defect.
// dictionary: dict/json.dict
#include <cstddef>
#include <cstdint>
#include <string>

#include "aws/aws_error.hpp"
#include "aws/sqs.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ssc::fuzz::Input input(data, size);
  const std::uint8_t status = input.byte();
  const std::uint8_t flags = input.byte();
  auto answer = ssc::fuzz::service_answer(status);
  if (flags & 0x80) {
    answer.headers.emplace_back("x-amzn-query-error", std::string(input.until("\n")));
  }
  answer.body = std::string(input.rest());

  ssc::fuzz::AnsweredClient<ssc::aws::SqsClient> sqs(answer, "sqs");
  auto& client = sqs.client;
  const std::string queue = "http://127.0.0.1:9/123456789012/q.fifo";
  try {
    (void)client.send_message({queue, "body", "group", "dedup", std::nullopt},
                              ssc::fuzz::in_a_minute());
  } catch (const ssc::aws::AwsError& error) {
    if (error.code().empty()) __builtin_trap();  // every error names its code
  }
  return 0;
}
