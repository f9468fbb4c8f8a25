// URL and query canonicalization for SigV4: splitting a URL, percent-encoding and
// decoding, and the canonical request and signature of a request whose URL, headers and
// body come from the input (the first line the URL, then header lines up to an empty
// line, then the body). Encoding then decoding must give the text back; signing a URL
// that is not absolute http(s) is std::invalid_argument; anything else escaping is a
// defect.
// dictionary: dict/http.dict
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aws/detail/sigv4.hpp"
#include "aws/detail/uri.hpp"
#include "aws/http.hpp"
#include "fuzz_input.hpp"

namespace {

void check_round_trip(std::string_view text) {
  if (ssc::aws::detail::uri_decode(ssc::aws::detail::uri_encode(text)) != text) __builtin_trap();
  if (ssc::aws::detail::uri_decode(ssc::aws::detail::uri_encode(text, /*keep_slash=*/true)) !=
      text) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ssc::fuzz::Input input(data, size);
  const std::uint8_t options = input.byte();
  ssc::aws::HttpRequest request;
  request.method = (options & 1) ? "POST" : "GET";
  request.url = std::string(input.until("\n"));
  for (std::string_view line = input.until("\n"); !line.empty(); line = input.until("\n")) {
    const auto colon = line.find(':');
    request.headers.emplace_back(
        std::string(line.substr(0, colon)),
        colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 1)));
  }
  request.body = std::string(input.rest());

  check_round_trip(request.url);
  (void)ssc::aws::detail::uri_decode(request.url);
  (void)ssc::aws::detail::url_without_query(request.url);
  if (const auto parts = ssc::aws::detail::split_url(request.url)) {
    if (parts->path.empty() || parts->path.front() != '/') __builtin_trap();
    check_round_trip(parts->query);
  }

  ssc::aws::detail::SigningOptions signing;
  signing.normalize_path = (options & 2) == 0;
  signing.sign_body = (options & 4) != 0;
  signing.omit_session_token = (options & 8) != 0;
  const ssc::aws::Credentials credentials{"AKIDFUZZ", "fuzz-secret", "token", std::nullopt};
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1440938160));
  try {
    const auto parts =
        ssc::aws::detail::sign_request(request, credentials, {"eu-west-2", "sqs"}, when, signing);
    if (parts.signature.size() != 64) __builtin_trap();  // hex of a SHA-256
    // Signing again (as a retry does) replaces what it added and gives the same signature.
    const auto again =
        ssc::aws::detail::sign_request(request, credentials, {"eu-west-2", "sqs"}, when, signing);
    if (again.signature != parts.signature) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
