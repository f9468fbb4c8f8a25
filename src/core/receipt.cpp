#include "core/receipt.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "digest/digest.hpp"

namespace ssc::core {
namespace {

constexpr std::size_t kMessageDigestBytes = 6;  // 8 base64url characters
constexpr std::size_t kMessageChars = 8;
constexpr std::size_t kNonceChars = 6;

struct ParsedOwner {
  std::string_view message;
  long receive_count = 0;
};

std::optional<ParsedOwner> parse(std::string_view owner) {
  const std::size_t first = owner.find('.');
  if (first != kMessageChars) return std::nullopt;
  const std::size_t second = owner.find('.', first + 1);
  if (second == std::string_view::npos || second == first + 1) return std::nullopt;
  ParsedOwner parsed{owner.substr(0, first), 0};
  const char* begin = owner.data() + first + 1;
  const char* end = owner.data() + second;
  const auto [stop, error] = std::from_chars(begin, end, parsed.receive_count);
  if (error != std::errc() || stop != end) return std::nullopt;
  return parsed;
}

}  // namespace

std::string receipt_owner(const EventRecord& record, std::string_view invocation_token,
                          std::size_t index) {
  const std::string position = std::to_string(index);
  if (!record.message_id) return std::string(invocation_token) + "." + position;
  const std::string message =
      digest::base64url(digest::sha256(*record.message_id).substr(0, kMessageDigestBytes));
  return message + "." + std::to_string(std::max(record.receive_count, 0L)) + "." +
         std::string(invocation_token.substr(0, kNonceChars)) + position;
}

std::string_view same_message_prefix(std::string_view owner) {
  if (!parse(owner)) return {};
  return owner.substr(0, kMessageChars + 1);
}

bool earlier_delivery_of_same_message(std::string_view other, std::string_view mine) {
  const auto theirs = parse(other);
  const auto ours = parse(mine);
  return theirs && ours && theirs->message == ours->message && theirs->receive_count > 0 &&
         theirs->receive_count < ours->receive_count;
}

}  // namespace ssc::core
