// The formats of the three DynamoDB items this system reads and writes (SPEC section 2):
// attribute names, the marks this system leaves on a status row, and the projections that
// read them. Every condition and update expression, every reader (the workflow's adapters,
// the operator's `status` command) and every writer is built from these names, so a format
// is stated once.
#pragma once

#include <string_view>

#include "core/rules.hpp"

namespace ssc::adapters::table_format {

// A row of the export status table, key (CorrelationId, CollectionName). The other systems
// own CollectionStatus, FilesExported and FilesSent; this system owns FilesReceived and the
// marks below, which stay well under 1 KB whatever the size of the collection: no per-file
// data lives on the row (files are recorded as receipts, below).
namespace status_row {
inline constexpr const char* kCorrelationId = "CorrelationId";
inline constexpr const char* kCollectionName = "CollectionName";
inline constexpr const char* kCollectionStatus = "CollectionStatus";
inline constexpr const char* kFilesExported = "FilesExported";
inline constexpr const char* kFilesSent = "FilesSent";
inline constexpr const char* kFilesReceived = "FilesReceived";
// The pending-effects mark: set by the write that made a transition (or took over effects
// left behind), removed once the side effects that follow are done. Until: the owner's
// invocation deadline, epoch ms; owner: core/owner.hpp.
inline constexpr const char* kPendingEffectsUntil = "PendingEffectsUntil";
inline constexpr const char* kPendingEffectsOwner = "PendingEffectsOwner";
// Who finished each stage's side effects: "<owner>", or "<owner> run" when that call also
// sent the run's notification (owners hold no space).
inline constexpr const char* kReceivedEffectsBy = "ReceivedEffectsBy";
inline constexpr const char* kSuccessEffectsBy = "SuccessEffectsBy";
inline constexpr std::string_view kRunNotifiedSuffix = " run";
// What this system reads of a row: everything above but the key. Kept explicit so that an
// attribute another system adds (however large) is never read.
inline constexpr const char* kProjection =
    "CollectionName, CollectionStatus, FilesExported, FilesSent, FilesReceived, "
    "PendingEffectsUntil, PendingEffectsOwner, ReceivedEffectsBy, SuccessEffectsBy";
}  // namespace status_row

// An item of the file receipts table, this system's own: one per counted file, written in
// the same transaction as the FilesReceived increment it stands for.
namespace receipt {
inline constexpr const char* kReceiptKey = "ReceiptKey";
// The owner (core/owner.hpp) of the delivery whose count wrote the receipt: lets a
// refused count tell its own lost answer and an earlier delivery's count from a duplicate.
inline constexpr const char* kOwner = "CountedBy";
// DynamoDB's TTL attribute (epoch seconds): a receipt goes once no redelivery can come.
inline constexpr const char* kExpiresAt = "ExpiresAt";
}  // namespace receipt

// This system's item of the product status table, key (Correlation_Id, DataProduct). It
// carries a pending mark too (the same two attributes as a status row) while the run's
// notification is under way, and nothing else of ours: other systems read it.
namespace product_item {
inline constexpr const char* kCorrelationId = "Correlation_Id";
inline constexpr const char* kDataProduct = "DataProduct";
inline constexpr const char* kDataProductValue = core::product_status::kDataProduct;
inline constexpr const char* kStatus = "Status";  // a reserved word: always "#s" in expressions
}  // namespace product_item

}  // namespace ssc::adapters::table_format
