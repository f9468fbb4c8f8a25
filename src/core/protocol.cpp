#include "core/protocol.hpp"

#include <algorithm>

#include "core/payloads.hpp"
#include "core/rules.hpp"

namespace ssc::core {

const StageRules& rules_of(Stage stage) {
  static const StageRules kReceived{
      Stage::Received,
      "received",
      statuses_before_received(),
      collection_status::kReceived,
      {collection_status::kReceived, collection_status::kSuccess},
      "",
      collection_received,
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
      {collection_status::kSuccess},
      collection_status::kReceived,
      [](const CollectionRow& row) { return collection_successful(row.status); },
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

bool owner_gone(const PendingMark& pending, const Owners& owners, std::int64_t now_ms) {
  return now_ms > pending.until_ms ||
         std::any_of(owners.group.begin(), owners.group.end(), [&](const Owner& member) {
           return pending.owner.is_earlier_delivery_of(member);
         });
}

namespace {

bool one_of(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// A mark on an item at the status its stage sets: whose effects they are to perform.
Decision about_mark(const StageRules& effects_of, const PendingMark& pending, const Owners& owners,
                    std::int64_t now_ms, Step while_live) {
  if (whose(pending.owner, owners.mine) == Whose::Mine) {
    // This call's write was applied though its answer was lost.
    return {Step::PerformEffects, &effects_of, std::nullopt};
  }
  if (owner_gone(pending, owners, now_ms)) {
    return {Step::TakeOver, &effects_of, pending};
  }
  return {while_live, &effects_of, std::nullopt};
}

}  // namespace

Decision decide(const StageRules& stage, const std::optional<CollectionRow>& row,
                const Owners& owners, std::int64_t now_ms) {
  if (!row) return {Step::Gone, nullptr, std::nullopt};
  if (row->pending && row->status == stage.to) {
    return about_mark(stage, *row->pending, owners, now_ms, Step::Done);
  }
  if (row->pending && *stage.not_while_pending_at != '\0' &&
      row->status == stage.not_while_pending_at) {
    // The earlier stage's effects come first: taken over when their owner is gone, waited
    // for while it lives.
    return about_mark(rules_of(Stage::Received), *row->pending, owners, now_ms, Step::Wait);
  }
  if (one_of(stage.from, row->status) && stage.ready(*row)) {
    return {Step::Transition, &stage, std::nullopt};
  }
  if (one_of(stage.reached, row->status)) {
    const bool earlier = std::any_of(owners.group.begin(), owners.group.end(), [&](const Owner& o) {
      return earlier_delivery_credits(stage, *row, o).*stage.collection_credit;
    });
    return {earlier ? Step::CreditEarlierDelivery : Step::Done, &stage, std::nullopt};
  }
  return {Step::NotReady, &stage, std::nullopt};
}

Decision decide_run(const StageRules& stage, const std::optional<ProductRow>& item,
                    const Owners& owners, std::int64_t now_ms) {
  if (!item || !one_of(stage.product_reached, item->status)) {
    return {Step::Transition, &stage, std::nullopt};
  }
  if (item->pending && item->status == stage.product_status) {
    return about_mark(stage, *item->pending, owners, now_ms, Step::Done);
  }
  return {Step::Done, &stage, std::nullopt};
}

Credits earlier_delivery_credits(const StageRules& stage, const CollectionRow& row,
                                 const Owner& owner) {
  Credits credits;
  const StageDoneBy& done = row.effects_done_by.*stage.done_by;
  if (whose(done.owner, owner) != Whose::EarlierDeliveryOfMine) return credits;
  credits.*stage.collection_credit = true;
  if (done.run_notified) credits.*stage.run_credit = true;
  return credits;
}

}  // namespace ssc::core
