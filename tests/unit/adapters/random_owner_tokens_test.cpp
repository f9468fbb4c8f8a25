#include "adapters/random_owner_tokens.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace {

TEST(RandomOwnerTokens, SixteenRandomBytesInBase64Url) {
  ssc::adapters::RandomOwnerTokens tokens;
  const std::string token = tokens.next();
  EXPECT_EQ(token.size(), 22u);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos)
      << token;
}

TEST(RandomOwnerTokens, NeverRepeat) {
  ssc::adapters::RandomOwnerTokens tokens;
  std::set<std::string> seen;
  for (int i = 0; i < 10'000; ++i) EXPECT_TRUE(seen.insert(tokens.next()).second);
}

}  // namespace
