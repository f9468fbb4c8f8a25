#include "core/protocol.hpp"

#include "core/payloads.hpp"
#include "core/rules.hpp"

namespace ssc::core {

const StageRules& rules_of(Stage stage) {
  static const StageRules kReceived{
      Stage::Received,
      "received",
      statuses_before_received(),
      collection_status::kReceived,
      product_status::kReceived,
      {product_status::kReceived, product_status::kCompleted},
      kAllCollectionsReceived,
      true,
      false,
      run_all_received,
      &Credits::collection_received,
      &Credits::all_collections_received,
      &EffectsDoneBy::received,
  };
  static const StageRules kSuccessful{
      Stage::Successful,
      "successful",
      statuses_before_success(),
      collection_status::kSuccess,
      product_status::kCompleted,
      {product_status::kCompleted},
      kAllCollectionsSuccessful,
      false,
      true,
      run_all_successful,
      &Credits::collection_successful,
      &Credits::all_collections_successful,
      &EffectsDoneBy::successful,
  };
  return stage == Stage::Received ? kReceived : kSuccessful;
}

bool owner_gone(const PendingMark& pending, const Owner& mine, std::int64_t now_ms) {
  return now_ms > pending.until_ms || pending.owner.is_earlier_delivery_of(mine);
}

}  // namespace ssc::core
