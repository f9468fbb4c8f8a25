// The event's projection (core/event_projection.cpp) against nlohmann: whenever the
// projection accepts a text, nlohmann accepts it too and split_event gives the same records.
// dictionary: dict/json.dict
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/event.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto projected = ssc::core::project_sqs_event(text);
  if (!projected) return 0;
  const auto event = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded()) __builtin_trap();
  const auto records = ssc::core::split_event(event);
  if (records.size() != projected->size()) __builtin_trap();
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& mine = (*projected)[i];
    const auto& theirs = records[i];
    if (mine.message_id != theirs.message_id || mine.receive_count != theirs.receive_count ||
        mine.event_source_arn != theirs.event_source_arn || mine.body != theirs.body) {
      __builtin_trap();
    }
  }
  return 0;
}
