#include "core/run_status.hpp"

#include <algorithm>

#include "core/protocol.hpp"
#include "core/rules.hpp"

namespace ssc::core {
namespace {

std::string number_in_words(const std::optional<std::int64_t>& value) {
  return value ? std::to_string(*value) : std::string("not set");
}

std::string stage_effects_in_words(Stage stage) {
  return stage == Stage::Received
             ? "the Received side effects (the export-state message asking for the _success "
               "file, then the run check: \"All collections received\" and product status "
               "RECEIVED)"
             : "the success side effects (the run check: \"All collections successful\" and "
               "product status COMPLETED)";
}

std::string mark_in_words(const PendingMark& mark, std::int64_t now_ms,
                          const TimeInWords& time_in_words) {
  std::string words = mark.owner.empty() ? std::string(
                                               "a mark without owner (written before "
                                               "owners existed)")
                                         : owner_in_words(mark.owner);
  words += ", whose invocation ends at " + time_in_words(mark.until_ms);
  if (now_ms > mark.until_ms) {
    words +=
        "; that time has passed: the owner is gone, and a redelivery of any message of the "
        "collection (or `finish-effects`) takes them over";
  } else {
    words +=
        "; that time has not passed: the owner may still be performing them, and a "
        "redelivery waits until then";
  }
  return words;
}

std::string done_by_in_words(const StageDoneBy& done, const char* what) {
  if (done.owner.empty()) return "";
  std::string words = std::string(what) + " done by " + owner_in_words(done.owner);
  if (done.run_notified) words += ", which also sent the run's notification";
  return words;
}

void append_sentence(std::string& text, const std::string& sentence) {
  if (sentence.empty()) return;
  if (!text.empty()) text += "; ";
  text += sentence;
}

}  // namespace

std::string_view verdict_name(CollectionVerdict verdict) {
  switch (verdict) {
    case CollectionVerdict::WaitingForFiles:
      return "waiting_for_files";
    case CollectionVerdict::EffectsUnfinished:
      return "effects_unfinished";
    case CollectionVerdict::WaitingForSuccessFile:
      return "waiting_for_success_file";
    case CollectionVerdict::Successful:
      return "successful";
    case CollectionVerdict::NotEligible:
      return "not_eligible";
  }
  return "not_eligible";
}

std::optional<CollectionVerdict> collection_verdict_named(std::string_view name) {
  for (const auto verdict : kCollectionVerdicts) {
    if (verdict_name(verdict) == name) return verdict;
  }
  return std::nullopt;
}

std::string_view verdict_name(RunVerdict verdict) {
  switch (verdict) {
    case RunVerdict::Complete:
      return "complete";
    case RunVerdict::InProgress:
      return "in_progress";
    case RunVerdict::Stuck:
      return "stuck";
  }
  return "stuck";
}

std::optional<Stage> unfinished_stage(const CollectionRow& collection) {
  if (!collection.pending) return std::nullopt;
  if (collection.status == collection_status::kReceived) return Stage::Received;
  if (collection.status == collection_status::kSuccess) return Stage::Successful;
  return std::nullopt;
}

CollectionVerdict collection_verdict(const CollectionRow& collection) {
  if (unfinished_stage(collection)) return CollectionVerdict::EffectsUnfinished;
  const std::string& status = collection.status;
  if (status == collection_status::kSuccess) return CollectionVerdict::Successful;
  if (status == collection_status::kReceived) return CollectionVerdict::WaitingForSuccessFile;
  // Also with every file counted: the transition to Received is still to be made, by the
  // next message of the collection (a redelivery of the last one among them).
  const std::vector<std::string>& before_received = statuses_before_received();
  if (std::find(before_received.begin(), before_received.end(), status) != before_received.end()) {
    return CollectionVerdict::WaitingForFiles;
  }
  return CollectionVerdict::NotEligible;
}

bool effects_abandoned(const CollectionRow& collection, std::int64_t now_ms) {
  // Seen from no delivery at all: only the time can say the owner is gone.
  const Owner nobody;
  return unfinished_stage(collection) && owner_gone(*collection.pending, {nobody, {}}, now_ms);
}

RunVerdict run_verdict(const RunState& run, std::int64_t now_ms) {
  const auto& collections = run.collections;
  const bool every_successful =
      !collections.empty() &&
      std::all_of(collections.begin(), collections.end(), [](const auto& c) {
        return collection_verdict(c) == CollectionVerdict::Successful;
      });
  const bool product_completed = run.product && run.product->status == product_status::kCompleted;
  if (every_successful) return product_completed ? RunVerdict::Complete : RunVerdict::Stuck;
  const bool any_blocked =
      std::any_of(collections.begin(), collections.end(), [now_ms](const auto& c) {
        return collection_verdict(c) == CollectionVerdict::NotEligible ||
               effects_abandoned(c, now_ms);
      });
  return any_blocked ? RunVerdict::Stuck : RunVerdict::InProgress;
}

namespace {

std::string waiting_for_files_detail(const CollectionRow& collection) {
  const std::int64_t received = collection.files_received_or_zero();
  if (!collection.files_exported) {
    return std::to_string(received) +
           " files received; FilesExported is not set, so the collection cannot be received yet";
  }
  if (received < *collection.files_exported) {
    return std::to_string(received) + " of " + std::to_string(*collection.files_exported) +
           " exported files received (" + number_in_words(collection.files_sent) + " sent)";
  }
  return "every exported file is counted but the collection was not moved to Received: the "
         "delivery that counted the last file failed before the transition; its redelivery (or "
         "any later message of the collection) makes it";
}

}  // namespace

std::string collection_detail(const CollectionRow& collection, std::int64_t now_ms,
                              const TimeInWords& time_in_words) {
  std::string detail;
  const auto& received_by = collection.effects_done_by.received;
  const auto& success_by = collection.effects_done_by.successful;
  switch (collection_verdict(collection)) {
    case CollectionVerdict::WaitingForFiles:
      detail = waiting_for_files_detail(collection);
      break;
    case CollectionVerdict::EffectsUnfinished: {
      const Stage stage = *unfinished_stage(collection);
      detail = "status " + collection.status + ", but " + stage_effects_in_words(stage) +
               " are not all done: pending with " +
               mark_in_words(*collection.pending, now_ms, time_in_words);
      if (stage == Stage::Successful) {
        append_sentence(detail, done_by_in_words(received_by, "the Received side effects"));
      }
      break;
    }
    case CollectionVerdict::WaitingForSuccessFile:
      detail = "every file received and the _success file asked for; waiting for it to arrive";
      append_sentence(detail, done_by_in_words(received_by, "the Received side effects"));
      break;
    case CollectionVerdict::Successful:
      detail = "the _success file arrived";
      append_sentence(detail, done_by_in_words(received_by, "the Received side effects"));
      append_sentence(detail, done_by_in_words(success_by, "the success side effects"));
      break;
    case CollectionVerdict::NotEligible:
      detail = (collection.status.empty() ? std::string("no CollectionStatus")
                                          : "status " + collection.status) +
               ": this system moves only Exported and Sent collections to Received and "
               "Received (or Sent) ones to Success, so it will not move this one";
      if (collection.pending) {
        append_sentence(detail, "a pending mark is left on the row, of " +
                                    mark_in_words(*collection.pending, now_ms, time_in_words));
      }
      break;
  }
  return detail;
}

std::string product_detail(const std::optional<ProductRow>& product, std::int64_t now_ms,
                           const TimeInWords& time_in_words) {
  if (!product) {
    return "no product status item yet: it is written once every collection is received";
  }
  std::string detail =
      product->status.empty() ? std::string("item without Status") : "Status " + product->status;
  if (product->pending) {
    append_sentence(detail, "the run's notification is pending with " +
                                mark_in_words(*product->pending, now_ms, time_in_words));
  }
  return detail;
}

std::string owner_in_words(const Owner& owner) {
  const std::string& text = owner.text();
  if (text.starts_with(kOperatorOwnerPrefix)) {
    return "the operator's finish-effects (owner " + text + ")";
  }
  if (owner.message().empty()) return "an owner without SQS message (" + text + ")";
  return "delivery " + std::to_string(owner.receive_count()) + " of message " +
         std::string(owner.message()) + " (owner " + text + ")";
}

}  // namespace ssc::core
