// The Lambda event and the messages in it: the event's JSON text as the Runtime API or
// `invoke` hands it over, split into records, each body decoded and validated. A
// message that must fail throws InvalidMessage; anything else escaping is a defect.
// dictionary: dict/json.dict
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // As runtime/app.cpp reads an event: a text that is no JSON fails the invocation there.
  std::vector<ssc::core::EventRecord> records;
  try {
    records = ssc::core::read_event(text);
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  for (const auto& record : records) {
    (void)ssc::core::from_fifo_queue(record);
    (void)ssc::core::message_log_context(record.body);
    try {
      const auto body = ssc::core::decode_body(record);
      (void)ssc::core::message_log_context(body);
      const auto message = ssc::core::parse_message(body);
      (void)message.key();
      (void)ssc::core::is_success_file_value(body.value("is_success_file", nlohmann::json()));
    } catch (const ssc::core::InvalidMessage& error) {
      if (error.problems().empty()) __builtin_trap();  // a rejection must say why
    }
  }
  return 0;
}
