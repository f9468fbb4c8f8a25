// Which messages of a batch are processed together (SPEC section 5): the normal file
// messages of one collection are counted in one atomic step, so that a hot collection's row
// meets one transaction per group instead of one per file.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "core/message.hpp"

namespace ssc::core {

// The messages a unit of work processes, by index in the batch, in batch order. A normal
// file group's last message carries the collection's transition and effects.
struct WorkUnit {
  std::vector<std::size_t> messages;
  bool files = false;  // a group of normal file messages, counted together
};

// `messages[i]` is the batch's i-th record as parsed; nullopt for one rejected as invalid,
// which is a unit of its own, as is each _success file. Normal file messages are grouped by
// everything their effects and labels carry: run, collection, export date, snapshot type and
// the two flags. A standard queue's groups take every such message of the batch, in the
// order of their first message; a FIFO queue's are runs of consecutive messages, so that
// units keep the batch's order and a failure stops the rest.
std::vector<WorkUnit> group_batch(const std::vector<std::optional<Message>>& messages, bool fifo);

}  // namespace ssc::core
