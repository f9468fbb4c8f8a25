// Owners of a message's writes, and what one owner tells of another.
//
// Every write a message's processing makes (a count and its receipt, a transition, a take
// over, the record of finished effects) carries the message's owner. For an SQS record it
// reads "<message>.<receive count>.<nonce>":
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

// An owner, parsed once. A value: cheap to copy, compared by its text.
class Owner {
 public:
  // Nobody: a mark written before owners existed, or a record that names no owner.
  Owner() = default;
  // An owner as a row or a receipt records it (implicit: rows hand owners back as text).
  // Text this system did not write is accepted and is nobody's earlier delivery.
  Owner(std::string text);                               // NOLINT(google-explicit-constructor)
  Owner(const char* text) : Owner(std::string(text)) {}  // NOLINT(google-explicit-constructor)

  // The owner of record `index` of an invocation whose random token is `invocation_token`.
  static Owner of_delivery(const EventRecord& record, std::string_view invocation_token,
                           std::size_t index);

  [[nodiscard]] const std::string& text() const { return text_; }
  [[nodiscard]] bool empty() const { return text_.empty(); }
  // The message part (empty for an owner without one) and the receive count (0 then): what
  // the operator's `status` says of an owner in words.
  [[nodiscard]] std::string_view message() const {
    return std::string_view(text_).substr(0, message_length_);
  }
  [[nodiscard]] long receive_count() const { return receive_count_; }

  // True when this owner is an earlier delivery of the same message as `later`: same message
  // part, both receive counts known, this one lower.
  [[nodiscard]] bool is_earlier_delivery_of(const Owner& later) const;

  friend bool operator==(const Owner& a, const Owner& b) { return a.text_ == b.text_; }

 private:
  std::string text_;
  // Parsed from text_: the length of the message part (0 when the text has none) and the
  // receive count.
  std::size_t message_length_ = 0;
  long receive_count_ = 0;
};

// Whose a write found on a row or a receipt is, seen from the call whose owner is `mine`.
enum class Whose {
  Mine,                   // this call's own write: its answer was lost and its repeat refused
  EarlierDeliveryOfMine,  // a failed or dead earlier delivery of this same message
  Another,                // any other call's, or nobody's
};

Whose whose(const Owner& found, const Owner& mine);

}  // namespace ssc::core
