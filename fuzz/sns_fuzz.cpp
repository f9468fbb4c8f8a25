// SNS's XML answers through the real client: a Publish answer, and query-protocol error
// documents (<ErrorResponse><Error>, or a bare <Error>). The first byte picks the status;
// the rest is the body. A bad answer is an AwsError; anything else escaping is a defect.
// dictionary: dict/xml.dict
#include <cstddef>
#include <cstdint>
#include <string>

#include "aws/aws_error.hpp"
#include "aws/detail/error_parsers.hpp"
#include "aws/sns.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ssc::fuzz::Input input(data, size);
  auto answer = ssc::fuzz::service_answer(input.byte());
  answer.body = std::string(input.rest());

  ssc::fuzz::AnsweredClient<ssc::aws::SnsClient> sns(answer, "sns");
  try {
    const auto result = sns.client.publish(
        {"arn:aws:sns:eu-west-2:123456789012:t.fifo", "message", "subject", "group", "dedup"},
        ssc::fuzz::in_a_minute());
    if (result.message_id.empty()) __builtin_trap();  // an answer without one is an error
  } catch (const ssc::aws::AwsError& error) {
    if (error.code().empty()) __builtin_trap();  // every error names its code
  }
  // The error parser on its own too, for any status.
  const auto error = ssc::aws::detail::parse_query_error("SNS", answer);
  if (error.code().empty()) __builtin_trap();
  return 0;
}
