// Where a run stands (SPEC section 10): the verdict on each collection from its row, the
// verdict on the run, and what the row's marks mean in words. Free of I/O: the rows are
// read by an adapter, the time comes from the caller, and times are put in words by a
// formatter the caller hands in (the operator's local time zone is the command line's
// business, not the core's).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/owner.hpp"
#include "core/ports.hpp"

namespace ssc::core {

// Every row of a run (all pages, strongly consistent) and this system's product item.
struct RunState {
  std::string correlation_id;
  std::vector<CollectionRow> collections;
  std::optional<ProductRow> product;  // nullopt when the item does not exist
};

enum class CollectionVerdict {
  WaitingForFiles,        // Exported or Sent, not moved to Received yet
  EffectsUnfinished,      // Received or Success and the row still carries the pending mark
  WaitingForSuccessFile,  // Received, its effects done: the _success file was asked for
  Successful,             // Success, its effects done
  NotEligible,            // any other status: this system will not move the collection
};

// Every collection verdict, in the order of SPEC section 10's table: the order `status`
// counts them in.
inline constexpr std::array<CollectionVerdict, 5> kCollectionVerdicts = {
    CollectionVerdict::WaitingForFiles, CollectionVerdict::EffectsUnfinished,
    CollectionVerdict::WaitingForSuccessFile, CollectionVerdict::Successful,
    CollectionVerdict::NotEligible};

enum class RunVerdict { Complete, InProgress, Stuck };

// The names SPEC section 10 gives them: "waiting_for_files", ..., "complete", "stuck".
std::string_view verdict_name(CollectionVerdict verdict);
std::string_view verdict_name(RunVerdict verdict);
// The collection verdict `name` names; nullopt for any other text.
std::optional<CollectionVerdict> collection_verdict_named(std::string_view name);

// The collection's verdict from its row (SPEC section 10's table). A pending mark on a
// Received row stands for the Received effects (the export-state message, the run check),
// on a Success row for the success effects (the run check, the product status and
// notification): either way the transition was made and its effects are not all done.
CollectionVerdict collection_verdict(const CollectionRow& collection);

// The stage whose side effects a row's pending mark stands for: Received for a Received
// row, Successful for a Success row; nullopt for a row without mark or in another status.
std::optional<Stage> unfinished_stage(const CollectionRow& collection);

// Effects unfinished and their owner's deadline passed: the owner is gone, nobody is
// performing them, and only a redelivery (or the operator's finish-effects) takes them over.
bool effects_abandoned(const CollectionRow& collection, std::int64_t now_ms);

// The run's verdict: complete when every collection is successful and the product status is
// COMPLETED; stuck when a collection is not eligible, or has effects unfinished past their
// time, or every collection is successful but the product status is not COMPLETED;
// otherwise in progress. A run without rows is not a run: the caller says so.
RunVerdict run_verdict(const RunState& run, std::int64_t now_ms);

// Puts an epoch-ms time in words (the operator's local time, for the command line).
using TimeInWords = std::function<std::string(std::int64_t epoch_ms)>;

// What the row says in words, for the verdict's `detail`: the counts that matter, who did
// each stage's effects, and for a pending mark which effects, whose, until when a
// redelivery waits for them and whether that time has passed.
std::string collection_detail(const CollectionRow& collection, std::int64_t now_ms,
                              const TimeInWords& time_in_words);

// The product item in words: its status and, while the run's notification is under way,
// the same about its pending mark.
std::string product_detail(const std::optional<ProductRow>& product, std::int64_t now_ms,
                           const TimeInWords& time_in_words);

// What the operator's finish-effects puts before its invocation token in the owner of its
// writes (an owner without SQS message, core/owner.hpp), so that the row tells who did it.
inline constexpr std::string_view kOperatorOwnerPrefix = "operator-";

// An owner (core/owner.hpp) in words: "delivery 2 of message Ab3dE_9x (owner ...)", "the
// operator's finish-effects (owner ...)".
std::string owner_in_words(const Owner& owner);

}  // namespace ssc::core
