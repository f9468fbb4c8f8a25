#include "core/owner.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "digest/digest.hpp"

namespace ssc::core {
namespace {

constexpr std::size_t kMessageDigestBytes = 6;  // 8 base64url characters
constexpr std::size_t kMessageChars = 8;
constexpr std::size_t kNonceChars = 6;

}  // namespace

Owner::Owner(std::string text) : text_(std::move(text)) {
  const std::string_view view(text_);
  const std::size_t first = view.find('.');
  if (first != kMessageChars) return;
  const std::size_t second = view.find('.', first + 1);
  if (second == std::string_view::npos || second == first + 1) return;
  const char* begin = view.data() + first + 1;
  const char* end = view.data() + second;
  long count = 0;
  const auto [stop, error] = std::from_chars(begin, end, count);
  if (error != std::errc() || stop != end) return;
  message_length_ = kMessageChars;
  receive_count_ = count;
}

Owner Owner::of_delivery(const EventRecord& record, std::string_view invocation_token,
                         std::size_t index) {
  const std::string position = std::to_string(index);
  if (!record.message_id) return Owner(std::string(invocation_token) + "." + position);
  const std::string message =
      digest::base64url(digest::sha256(*record.message_id).substr(0, kMessageDigestBytes));
  return Owner(message + "." + std::to_string(std::max(record.receive_count, 0L)) + "." +
               std::string(invocation_token.substr(0, kNonceChars)) + position);
}

bool Owner::is_earlier_delivery_of(const Owner& later) const {
  return message_length_ > 0 && later.message_length_ > 0 &&
         std::string_view(text_).substr(0, message_length_) ==
             std::string_view(later.text_).substr(0, later.message_length_) &&
         receive_count_ > 0 && receive_count_ < later.receive_count_;
}

Whose whose(const Owner& found, const Owner& mine) {
  if (!mine.empty() && found == mine) return Whose::Mine;
  if (found.is_earlier_delivery_of(mine)) return Whose::EarlierDeliveryOfMine;
  return Whose::Another;
}

}  // namespace ssc::core
