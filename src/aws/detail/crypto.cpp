#include "aws/detail/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <memory>
#include <stdexcept>

#include "digest/digest.hpp"

namespace ssc::aws::detail::crypto {
namespace {

// HMAC() fetches HMAC and SHA-256 from OpenSSL's providers and makes a context on every
// call; a request's signature needs one HMAC and a new day's key four. The MAC is fetched
// once per process, and each thread keeps a context set up for SHA-256, given a new key
// per call.
struct MacFree {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};

EVP_MAC* hmac_algorithm() {
  static const std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) throw std::runtime_error("HMAC is not available from OpenSSL's providers");
  return mac.get();
}

std::unique_ptr<EVP_MAC_CTX, MacCtxFree> new_hmac_sha256_context() {
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(hmac_algorithm()));
  std::array<char, 7> digest_name{"SHA256"};
  const std::array<OSSL_PARAM, 2> params{
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name.data(), 0),
      OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_CTX_set_params(ctx.get(), params.data()) != 1) {
    throw std::runtime_error("OpenSSL could not make an HMAC-SHA256 context");
  }
  return ctx;
}

EVP_MAC_CTX* thread_hmac_context() {
  thread_local const std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx = new_hmac_sha256_context();
  return ctx.get();
}

}  // namespace

std::string sha256_hex(std::string_view data) { return to_hex(digest::sha256(data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  EVP_MAC_CTX* ctx = thread_hmac_context();
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  std::size_t length = 0;
  if (EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) !=
          1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, mac.data(), &length, mac.size()) != 1) {
    throw std::runtime_error("HMAC-SHA256 failed in OpenSSL");
  }
  return {reinterpret_cast<const char*>(mac.data()), length};
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0x0f]);
  }
  return out;
}

}  // namespace ssc::aws::detail::crypto
