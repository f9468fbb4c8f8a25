#include "adapters/random_owner_tokens.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
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

// Invocations run in many processes at once; a generator whose state a child inherits (a
// seeded user-space generator without fork detection) would hand both the same token.
TEST(RandomOwnerTokens, AChildProcessGetsTokensOfItsOwn) {
  ssc::adapters::RandomOwnerTokens tokens;
  const std::string before_fork = tokens.next();
  std::array<int, 2> pipe_ends{};
  ASSERT_EQ(pipe(pipe_ends.data()), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string token = tokens.next();
    const auto written = ::write(pipe_ends[1], token.data(), token.size());
    _exit(written == static_cast<ssize_t>(token.size()) ? 0 : 1);
  }
  close(pipe_ends[1]);
  const std::string in_parent = tokens.next();
  std::array<char, 64> buffer{};
  const auto got = read(pipe_ends[0], buffer.data(), buffer.size());
  close(pipe_ends[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(got, 22);
  const std::string in_child(buffer.data(), static_cast<std::size_t>(got));
  EXPECT_NE(in_child, in_parent);
  EXPECT_NE(in_child, before_fork);
}

}  // namespace
