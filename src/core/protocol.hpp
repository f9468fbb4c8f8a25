// The exactly-once protocol, stated once (docs/design.md, "Exactly once").
//
// Every write that decides something is conditional, and only the call whose write took
// effect performs the side effects that follow it. That write also sets the row's pending
// mark (the invocation's deadline and this call's owner, core/owner.hpp); the mark is
// removed once the effects are done. A write whose answer was lost is repeated (by the
// transport or the retry loop) and the repeat is refused: the row then shows the target status with
// this call's own mark, and the effects are still this call's (confirm_own_write). A mark
// whose owner is gone (owner_gone) is taken over, conditionally on the owner seen, by
// whoever finds it.
//
// The two stages differ only in data: the table below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/owner.hpp"
#include "core/ports.hpp"

namespace ssc::core {

// What a call puts into the metrics, once its whole message has succeeded.
struct Credits {
  bool file_received = false;
  bool collection_received = false;
  bool collection_successful = false;
  bool all_collections_received = false;
  bool all_collections_successful = false;
};

// What a stage is, for a collection and for its run.
struct StageRules {
  Stage stage;
  const char* name;                          // "received", "successful": in logs
  const std::vector<std::string>& from;      // collection statuses it is reached from
  const char* to;                            // the collection's status once there
  const char* product_status;                // the run's, once every collection is there
  std::vector<std::string> product_reached;  // product statuses that say the run is there
  const char* notification;                  // the monitoring message's status text
  bool asks_for_success_file;                // its effects send the export-state message
  bool finishes_run;                         // the run reaching it is the run's end
  bool (*run_reached)(const std::vector<std::string>& statuses);  // every collection there
  bool Credits::*collection_credit;     // the metric of a collection reaching it
  bool Credits::*run_credit;            // the metric of the run reaching it
  StageDoneBy EffectsDoneBy::*done_by;  // who finished its effects, on the row
};

const StageRules& rules_of(Stage stage);

// The pending mark's owner is gone: past its deadline, or an earlier delivery of the
// message `mine` belongs to (which SQS only hands out again once that delivery is over).
bool owner_gone(const PendingMark& pending, const Owner& mine, std::int64_t now_ms);

// The answer to "was that refused write mine?", from the item as read after a conditional
// write to status `to` carrying this call's mark was refused.
enum class RefusedWrite {
  Mine,     // the item is at `to` with this call's mark: the write was applied, its answer lost
  Another,  // another call made the move (or the item is elsewhere)
  Gone,     // the item does not exist
};

template <typename Row>  // CollectionRow or ProductRow: a status and a pending mark
RefusedWrite confirm_own_write(const std::optional<Row>& reread, std::string_view to,
                               const Owner& mine) {
  if (!reread) return RefusedWrite::Gone;
  const bool mine_there =
      reread->status == to && reread->pending && whose(reread->pending->owner, mine) == Whose::Mine;
  return mine_there ? RefusedWrite::Mine : RefusedWrite::Another;
}

}  // namespace ssc::core
