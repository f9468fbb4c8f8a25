// Owners of a message's writes ("<message>.<receive count>.<nonce>" for an SQS record,
// "<token>.<index>" for an event that is the message), and what one owner tells of another:
// an owner of the same message with a lower receive count is a delivery that is over and
// pushed no metrics (docs/design.md, "Owners").
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
