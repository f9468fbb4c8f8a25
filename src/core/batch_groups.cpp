#include "core/batch_groups.hpp"

namespace ssc::core {
namespace {

bool same_group(const Message& a, const Message& b) {
  return a.correlation_id == b.correlation_id && a.collection_name == b.collection_name &&
         a.export_date == b.export_date && a.snapshot_type == b.snapshot_type &&
         a.shutdown_flag == b.shutdown_flag && a.reprocess_files == b.reprocess_files;
}

bool counted_in_group(const std::optional<Message>& message) {
  return message && !message->is_success_file;
}

}  // namespace

std::vector<WorkUnit> group_batch(const std::vector<std::optional<Message>>& messages, bool fifo) {
  std::vector<WorkUnit> units;
  for (std::size_t index = 0; index < messages.size(); ++index) {
    const std::optional<Message>& message = messages[index];
    if (!counted_in_group(message)) {
      units.push_back({{index}, false});
      continue;
    }
    // A FIFO queue's group can only be the unit just before; a standard queue's any.
    auto joins = [&](const WorkUnit& unit) {
      return unit.files && same_group(*messages[unit.messages.front()], *message);
    };
    auto found = units.end();
    if (fifo) {
      if (!units.empty() && joins(units.back())) found = units.end() - 1;
    } else {
      for (auto unit = units.begin(); unit != units.end(); ++unit) {
        if (joins(*unit)) {
          found = unit;
          break;
        }
      }
    }
    if (found != units.end()) {
      found->messages.push_back(index);
    } else {
      units.push_back({{index}, true});
    }
  }
  return units;
}

}  // namespace ssc::core
