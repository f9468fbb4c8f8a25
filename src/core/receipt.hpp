// Owners of a message's writes, and what one owner tells of another.
//
// Every write a message's processing makes (a count, a transition, a claim, the record of
// finished effects) carries the message's owner. For an SQS record it reads
// "<message>.<receive count>.<nonce>":
//   message        8 base64url characters of SHA-256(messageId): the same in every delivery
//   receive count  the record's ApproximateReceiveCount, 0 when the record has none
//   nonce          6 characters of the invocation's random token and the record's index:
//                  two deliveries of one message never share it
// A record without messageId (the whole event is the message) gets "<token>.<index>".
//
// SQS gives a message to the function again only when the delivery before did not succeed
// (it failed, timed out or died: the visibility timeout is at least the function's
// timeout). So an owner of the same message with a lower receive count belongs to a
// delivery that is over and that pushed no metrics for what it did: the later delivery
// takes its place (docs/design.md, "Metrics that add up").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/event.hpp"

namespace ssc::core {

std::string receipt_owner(const EventRecord& record, std::string_view invocation_token,
                          std::size_t index);

// What every owner of the same message starts with ("<message>."); empty for an owner
// without message, whose only relative is itself.
std::string_view same_message_prefix(std::string_view owner);

// True when `other` is an owner of the same message as `mine`, from an earlier delivery
// (both receive counts known, other's lower).
bool earlier_delivery_of_same_message(std::string_view other, std::string_view mine);

}  // namespace ssc::core
