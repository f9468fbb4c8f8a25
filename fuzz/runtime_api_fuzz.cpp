// The Lambda Runtime API's next-invocation answer: its headers (request id, deadline)
// and body, read by the real RuntimeApiClient, then the deadline turned into the
// invocation's time budget as runtime/app.cpp does. Input: the status byte, then header
// lines "name: value" up to an empty line, then the body. A bad answer is a
// RuntimeApiError; anything else escaping is a defect.
// dictionary: dict/http.dict
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/detail/text.hpp"
#include "core/time_budget.hpp"
#include "fuzz_input.hpp"
#include "runtime/lambda_runtime.hpp"
#include "runtime/system_clock.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ssc::fuzz::Input input(data, size);
  ssc::aws::HttpResponse answer;
  answer.status = ssc::fuzz::status_from(input.byte());
  for (std::string_view line = input.until("\n"); !line.empty(); line = input.until("\n")) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    // The transport hands header names lower-cased and values trimmed.
    answer.headers.emplace_back(ssc::aws::detail::ascii_lower(line.substr(0, colon)),
                                std::string(ssc::aws::detail::trim_space(line.substr(colon + 1))));
  }
  answer.body = std::string(input.rest());

  ssc::fuzz::AnswerTransport transport(answer);
  ssc::runtime::RuntimeApiClient client(transport, "127.0.0.1:9001");
  try {
    const auto invocation = client.next();
    if (invocation.request_id.empty() || invocation.deadline_ms <= 0) __builtin_trap();
    if (invocation.event != answer.body) __builtin_trap();
    ssc::runtime::SystemClock clock;
    const auto budget = ssc::core::TimeBudget::starting(invocation.deadline_ms, clock);
    // The ends come in order whatever the header said.
    if (budget.work_end > budget.io_end || budget.io_end > budget.lambda_deadline) {
      __builtin_trap();
    }
  } catch (const ssc::runtime::RuntimeApiError&) {
  }
  return 0;
}
