// What this system sends to others (SPEC sections 3.3 and 6) and the keys that make a
// repeated send recognisable as a repeat.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/message.hpp"

namespace ssc::core {

// Status texts of the monitoring messages.
inline constexpr const char* kAllCollectionsReceived = "All collections received by NiFi";
inline constexpr const char* kAllCollectionsSuccessful = "All collections successful";

// The export-state message asking the snapshot sender to send the collection's _success
// file, keys in the order of SPEC section 3.3.
std::string export_state_body(const Message& message);

// The FIFO MessageGroupId: the collection name with every '.' replaced by '_'.
std::string export_state_group_id(std::string_view collection_name);

// The FIFO MessageDeduplicationId: the same for every send about one collection of a run,
// so that SQS absorbs a repeat after a crash (43 characters, within SQS's 128).
std::string export_state_deduplication_id(std::string_view correlation_id,
                                          std::string_view collection_name);

// SQS's deduplication interval for FIFO queues: a MessageDeduplicationId sent again within
// it is accepted but not delivered.
inline constexpr std::int64_t kDeduplicationIntervalMs = 5 * 60 * 1000;

// The MessageDeduplicationId of an operator's repeated request for the _success file
// (`resend-export-state`): never the Lambda's own (which SQS would absorb as a repeat of the
// first request, within its interval), and the same for every resend in one deduplication
// interval counted from the epoch (`now_ms` / kDeduplicationIntervalMs), so that running
// the command twice in a row sends one message.
std::string export_state_resend_deduplication_id(std::string_view correlation_id,
                                                 std::string_view collection_name,
                                                 std::int64_t now_ms);

// The SNS monitoring message of SPEC section 6, e.g. with kAllCollectionsReceived.
std::string monitoring_message(const Message& message, std::string_view status_text);

// The key of the file's receipt (SPEC section 2, ReceiptKey): the file is identified by its
// run, its collection and its file_name. The first 144 bits of SHA-256 of the three, in
// base64url: 24 characters, whatever the names' length.
std::string file_receipt_key(const Message& message);

}  // namespace ssc::core
