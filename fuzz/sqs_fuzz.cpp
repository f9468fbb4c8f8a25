// SQS's JSON answers through the real client: SendMessage, ReceiveMessage and
// DeleteMessageBatch bodies, and error bodies (JSON, with the query protocol's
// x-amzn-query-error header). The first byte picks the status, the second the operation
// and whether the error header is there; the rest is the body. A bad answer is an
// AwsError; anything else escaping is a defect.
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
  const std::uint8_t operation = input.byte();
  auto answer = ssc::fuzz::service_answer(status);
  if (operation & 0x80) {
    answer.headers.emplace_back("x-amzn-query-error", std::string(input.until("\n")));
  }
  answer.body = std::string(input.rest());

  ssc::fuzz::AnsweredClient<ssc::aws::SqsClient> sqs(answer, "sqs");
  auto& client = sqs.client;
  const std::string queue = "http://127.0.0.1:9/123456789012/q.fifo";
  try {
    switch (operation % 4) {
      case 0:
        (void)client.send_message({queue, "body", "group", "dedup", std::nullopt},
                                  ssc::fuzz::in_a_minute());
        break;
      case 1:
        for (const auto& message :
             client.receive_message({queue, 10, 0, 30, {"All"}}, ssc::fuzz::in_a_minute())) {
          if (message.message_id.size() > answer.body.size()) __builtin_trap();
        }
        break;
      case 2: {
        const auto result = client.delete_message_batch(queue, {{"a", "h1"}, {"b", "h2"}},
                                                        ssc::fuzz::in_a_minute());
        (void)result;
        break;
      }
      default:
        client.change_message_visibility(queue, "h1", 30, ssc::fuzz::in_a_minute());
        break;
    }
  } catch (const ssc::aws::AwsError& error) {
    if (error.code().empty()) __builtin_trap();  // every error names its code
  }
  return 0;
}
