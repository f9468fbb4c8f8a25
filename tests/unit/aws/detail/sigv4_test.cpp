// Runs every header-signing case of AWS's published SigV4 test suite.
#include "aws/detail/sigv4.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "aws/detail/time_format.hpp"

namespace fs = std::filesystem;
using namespace ssc::aws;
using namespace ssc::aws::detail;

namespace {

fs::path suite_dir() {
  if (const char* overridden = std::getenv("SSC_SIGV4_SUITE_DIR")) return overridden;
  return SSC_SIGV4_SUITE_DIR;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// request.txt: "METHOD target HTTP/1.1", header lines (a line starting with white space
// continues the previous header's value), an empty line, then the body.
HttpRequest parse_request_file(const std::string& text) {
  HttpRequest request;
  std::size_t pos = 0;
  auto next_line = [&](std::string& line) {
    if (pos > text.size()) return false;
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = end + 1;
    return true;
  };

  std::string line;
  if (!next_line(line)) throw std::runtime_error("empty request.txt");
  const auto first_space = line.find(' ');
  const auto last_space = line.rfind(' ');
  if (first_space == std::string::npos || last_space == first_space) {
    throw std::runtime_error("bad request line: " + line);
  }
  request.method = line.substr(0, first_space);
  const std::string target = line.substr(first_space + 1, last_space - first_space - 1);

  std::string host;
  while (next_line(line) && !line.empty()) {
    if ((line.front() == ' ' || line.front() == '\t') && !request.headers.empty()) {
      request.headers.back().second += "\n" + line;
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) throw std::runtime_error("bad header line: " + line);
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    std::string lower_name = line.substr(0, colon);
    std::transform(lower_name.begin(), lower_name.end(), lower_name.begin(), ::tolower);
    if (lower_name == "host") host = line.substr(colon + 1);
  }
  if (pos < text.size()) request.body = text.substr(pos);
  request.url = "https://" + host + target;
  return request;
}

std::vector<std::string> header_cases() {
  std::vector<std::string> names;
  const fs::path dir = suite_dir();
  if (!fs::is_directory(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (fs::exists(entry.path() / "header-signature.txt")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

class SigV4Suite : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4Suite, HeaderSigningMatchesExpected) {
  const fs::path dir = suite_dir() / GetParam();
  const auto context = nlohmann::json::parse(read_text(dir / "context.json"));
  HttpRequest request = parse_request_file(read_text(dir / "request.txt"));

  Credentials credentials;
  credentials.access_key_id = context["credentials"]["access_key_id"];
  credentials.secret_access_key = context["credentials"]["secret_access_key"];
  credentials.session_token = context["credentials"].value("token", "");
  const SigningScope scope{context["region"], context["service"]};
  const auto when = parse_iso8601_utc(context["timestamp"].get<std::string>());
  ASSERT_TRUE(when.has_value());
  SigningOptions options;
  options.normalize_path = context.value("normalize", true);
  options.sign_body = context.value("sign_body", false);
  options.omit_session_token = context.value("omit_session_token", false);

  const SignatureParts parts = sign_request(request, credentials, scope, *when, options);
  EXPECT_EQ(parts.canonical_request, read_text(dir / "header-canonical-request.txt"));
  EXPECT_EQ(parts.string_to_sign, read_text(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(parts.signature, read_text(dir / "header-signature.txt"));
}

INSTANTIATE_TEST_SUITE_P(AwsPublished, SigV4Suite, ::testing::ValuesIn(header_cases()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(SigV4SuiteFiles, SuiteIsPresentAndComplete) {
  // Guards against an empty parameter list silently passing.
  EXPECT_GE(header_cases().size(), 30u) << "suite dir: " << suite_dir();
}

TEST(SigV4, SignRequestAddsHeadersAndIsRepeatable) {
  HttpRequest request{"POST", "https://sqs.eu-west-2.amazonaws.com/", {}, "Action=ListQueues"};
  Credentials credentials{"AKIDEXAMPLE", "secret", "token", std::nullopt};
  const auto when = *parse_iso8601_utc("2024-03-01T10:00:00Z");
  const auto first = sign_request(request, credentials, {"eu-west-2", "sqs"}, when);
  const auto second = sign_request(request, credentials, {"eu-west-2", "sqs"}, when);
  EXPECT_EQ(first.signature, second.signature);
  EXPECT_EQ(request.headers.size(), 4u);  // Host, X-Amz-Date, token, Authorization: no dups
  EXPECT_NE(first.authorization.find("SignedHeaders=host;x-amz-date;x-amz-security-token"),
            std::string::npos);
  EXPECT_EQ(first.authorization.find("secret"), std::string::npos);
}

TEST(SigV4, SigningKeyDependsOnEveryScopePart) {
  const auto base = signing_key("secret", "20240301", {"eu-west-2", "sqs"});
  EXPECT_EQ(base, signing_key("secret", "20240301", {"eu-west-2", "sqs"}));
  EXPECT_NE(base, signing_key("secret2", "20240301", {"eu-west-2", "sqs"}));
  EXPECT_NE(base, signing_key("secret", "20240302", {"eu-west-2", "sqs"}));
  EXPECT_NE(base, signing_key("secret", "20240301", {"eu-west-1", "sqs"}));
  EXPECT_NE(base, signing_key("secret", "20240301", {"eu-west-2", "sns"}));
}

TEST(SigV4, ConcurrentSigningAgrees) {
  const auto when = *parse_iso8601_utc("2024-03-01T10:00:00Z");
  const Credentials credentials{"AKIDEXAMPLE", "secret", "", std::nullopt};
  HttpRequest reference{"POST", "https://dynamodb.eu-west-2.amazonaws.com/", {}, "{}"};
  const std::string expected =
      sign_request(reference, credentials, {"eu-west-2", "dynamodb"}, when).signature;
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        HttpRequest request{"POST", "https://dynamodb.eu-west-2.amazonaws.com/", {}, "{}"};
        // Other scopes in between churn the key cache while this one is being read.
        HttpRequest other{"POST", "https://sqs.eu-west-1.amazonaws.com/", {}, "x"};
        sign_request(other, {"AKID", "s" + std::to_string(t * 1000 + i), "", std::nullopt},
                     {"eu-west-1", "sqs"}, when);
        if (sign_request(request, credentials, {"eu-west-2", "dynamodb"}, when).signature !=
            expected) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
