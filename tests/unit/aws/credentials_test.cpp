#include "aws/credentials.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "aws/aws_error.hpp"
#include "aws/beast_transport.hpp"
#include "log/log.hpp"
#include "test_http_server.hpp"

using namespace ssc::aws;
using namespace std::chrono_literals;
using ssc::test::TestHttpServer;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
constexpr const char* kToken = "SESSIONTOKENabc123";

using EnvMap = std::map<std::string, std::string>;

EnvLookup env_of(EnvMap values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ssc-cred-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  fs::path write(const std::string& relative, const std::string& text) const {
    const fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string iso_in(std::chrono::seconds from_now) {
  const std::time_t when =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  std::tm fields{};
  gmtime_r(&when, &fields);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &fields);
  return buffer;
}

std::string container_answer(const std::string& key_id, std::chrono::seconds expires_in) {
  return R"({"AccessKeyId":")" + key_id + R"(","SecretAccessKey":")" + kSecret + R"(","Token":")" +
         kToken + R"(","Expiration":")" + iso_in(expires_in) + R"("})";
}

// Runs `get` expecting a ConfigurationError, checks it names no secret, returns its message.
std::string config_error_of(CredentialsProvider& provider) {
  try {
    provider.get();
  } catch (const ConfigurationError& error) {
    const std::string what = error.what();
    EXPECT_EQ(what.find(kSecret), std::string::npos) << what;
    EXPECT_EQ(what.find(kToken), std::string::npos) << what;
    return what;
  }
  ADD_FAILURE() << "expected ConfigurationError";
  return {};
}

// For tests that must never reach the network.
class NoNetwork : public HttpTransport {
 public:
  HttpResponse send(const HttpRequest& request, const HttpTimeouts&) override {
    ADD_FAILURE() << "unexpected request to " << request.url;
    throw TransportError("test forbids the network", request.url);
  }
};

class CredentialsTest : public ::testing::Test {
 protected:
  // An environment where HOME points at an empty directory, so the user's own files and
  // variables never leak in.
  EnvMap base_env() const { return {{"HOME", home.path().string()}}; }

  TempDir home;
  BeastTransport transport;
  NoNetwork no_network;
};

TEST_F(CredentialsTest, EnvironmentComesFirst) {
  home.write(".aws/credentials",
             "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = x\n");
  EnvMap env = base_env();
  env["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env["AWS_SECRET_ACCESS_KEY"] = kSecret;
  env["AWS_SESSION_TOKEN"] = kToken;
  const auto chain = make_default_credentials_chain(no_network, env_of(env));
  const Credentials credentials = chain->get();
  EXPECT_EQ(credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(credentials.secret_access_key, kSecret);
  EXPECT_EQ(credentials.session_token, kToken);
  EXPECT_FALSE(credentials.expiration.has_value());
}

TEST_F(CredentialsTest, HalfSetEnvironmentIsAnError) {
  EnvMap env = base_env();
  env["AWS_SECRET_ACCESS_KEY"] = kSecret;
  const auto chain = make_default_credentials_chain(no_network, env_of(env));
  EXPECT_NE(config_error_of(*chain).find("AWS_ACCESS_KEY_ID is not"), std::string::npos);
}

TEST_F(CredentialsTest, DefaultProfileFromHomeCredentialsFile) {
  home.write(".aws/credentials", std::string("# comment\n[default]\naws_access_key_id = FILEKEY\n"
                                             "aws_secret_access_key = ") +
                                     kSecret + "\n");
  const auto chain = make_default_credentials_chain(no_network, env_of(base_env()));
  const Credentials credentials = chain->get();
  EXPECT_EQ(credentials.access_key_id, "FILEKEY");
  EXPECT_EQ(credentials.secret_access_key, kSecret);
  EXPECT_EQ(credentials.session_token, "");
}

TEST_F(CredentialsTest, ProfileSelectedByAwsProfile) {
  const auto file =
      home.write("elsewhere/creds",
                 "[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = d\n\n"
                 "[dev]\r\naws_access_key_id=DEVKEY\r\naws_secret_access_key=devsecret\r\n"
                 "aws_session_token = devtoken\r\n");
  EnvMap env = base_env();
  env["AWS_SHARED_CREDENTIALS_FILE"] = file.string();
  env["AWS_PROFILE"] = "dev";
  const auto chain = make_default_credentials_chain(no_network, env_of(env));
  const Credentials credentials = chain->get();
  EXPECT_EQ(credentials.access_key_id, "DEVKEY");
  EXPECT_EQ(credentials.secret_access_key, "devsecret");
  EXPECT_EQ(credentials.session_token, "devtoken");
}

TEST_F(CredentialsTest, ConfigFileProfileSection) {
  const auto config = home.write("cfg",
                                 "[default]\nregion = eu-west-2\n[profile ci]\nregion = eu-west-1\n"
                                 "s3 =\n  max_concurrent_requests = 10\naws_access_key_id = CIKEY\n"
                                 "aws_secret_access_key = cisecret\n");
  EnvMap env = base_env();
  env["AWS_CONFIG_FILE"] = config.string();
  env["AWS_PROFILE"] = "ci";
  const auto chain = make_default_credentials_chain(no_network, env_of(env));
  EXPECT_EQ(chain->get().access_key_id, "CIKEY");
}

TEST_F(CredentialsTest, CredentialsFileWinsOverConfigFile) {
  home.write(".aws/credentials", "[ci]\naws_access_key_id = CREDKEY\naws_secret_access_key = a\n");
  home.write(".aws/config",
             "[profile ci]\naws_access_key_id = CFGKEY\naws_secret_access_key = b\n");
  EnvMap env = base_env();
  env["AWS_PROFILE"] = "ci";
  EXPECT_EQ(make_default_credentials_chain(no_network, env_of(env))->get().access_key_id,
            "CREDKEY");
}

TEST_F(CredentialsTest, ConfigFileNeedsProfilePrefix) {
  // "[ci]" in the config file is not the profile ci.
  home.write(".aws/config", "[ci]\naws_access_key_id = CFGKEY\naws_secret_access_key = b\n");
  EnvMap env = base_env();
  env["AWS_PROFILE"] = "ci";
  const auto chain = make_default_credentials_chain(no_network, env_of(env));
  EXPECT_NE(config_error_of(*chain).find("unknown profile \"ci\""), std::string::npos);
}

TEST_F(CredentialsTest, UnknownProfileNamesProfileAndFile) {
  const auto file = home.write(".aws/credentials",
                               "[default]\naws_access_key_id = K\naws_secret_access_key = s\n");
  EnvMap env = base_env();
  env["AWS_PROFILE"] = "nope";
  const auto chain = make_default_credentials_chain(no_network, env_of(env));
  const std::string message = config_error_of(*chain);
  EXPECT_NE(message.find("unknown profile \"nope\""), std::string::npos) << message;
  EXPECT_NE(message.find(file.string()), std::string::npos) << message;
}

TEST_F(CredentialsTest, MalformedFileNamesLineAndFileButNotTheSecret) {
  const auto file = home.write(".aws/credentials",
                               std::string("[default]\naws_access_key_id = K\n") + kSecret + "\n");
  const auto chain = make_default_credentials_chain(no_network, env_of(base_env()));
  const std::string message = config_error_of(*chain);
  EXPECT_NE(message.find("malformed line 3 of file " + file.string()), std::string::npos)
      << message;
}

TEST_F(CredentialsTest, ProfileWithoutSecretIsAnError) {
  home.write(".aws/credentials", "[default]\naws_access_key_id = K\n");
  const auto chain = make_default_credentials_chain(no_network, env_of(base_env()));
  EXPECT_NE(config_error_of(*chain).find("no aws_secret_access_key"), std::string::npos);
}

TEST_F(CredentialsTest, NothingFoundListsEverySourceTried) {
  const auto chain = make_default_credentials_chain(no_network, env_of(base_env()));
  const std::string message = config_error_of(*chain);
  EXPECT_NE(message.find("no AWS credentials found"), std::string::npos) << message;
  EXPECT_NE(message.find("AWS_ACCESS_KEY_ID"), std::string::npos) << message;
  EXPECT_NE(message.find("profile \"default\""), std::string::npos) << message;
  EXPECT_NE(message.find("AWS_CONTAINER_CREDENTIALS_FULL_URI"), std::string::npos) << message;
}

TEST_F(CredentialsTest, ContainerEndpointWithAuthorizationToken) {
  TestHttpServer server;
  server.set_fallback({200, {{"Content-Type", "application/json"}}, container_answer("CKEY", 6h)});
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/v2/credentials/abc";
  env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "Bearer auth-token";
  const auto chain = make_default_credentials_chain(transport, env_of(env));
  const Credentials credentials = chain->get();
  EXPECT_EQ(credentials.access_key_id, "CKEY");
  EXPECT_EQ(credentials.secret_access_key, kSecret);
  EXPECT_EQ(credentials.session_token, kToken);
  ASSERT_TRUE(credentials.expiration.has_value());
  EXPECT_GT(*credentials.expiration, std::chrono::system_clock::now() + 5h);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].target, "/v2/credentials/abc");
  EXPECT_EQ(requests[0].header("authorization"), "Bearer auth-token");

  // Long-lived credentials are served from the cache.
  EXPECT_EQ(chain->get().access_key_id, "CKEY");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST_F(CredentialsTest, ContainerTokenFileWinsOverTokenVariable) {
  TestHttpServer server;
  server.set_fallback({200, {}, container_answer("CKEY", 6h)});
  const auto token_file = home.write("token", "file-token\n");
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/creds";
  env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "variable-token";
  env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = token_file.string();
  make_default_credentials_chain(transport, env_of(env))->get();
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].header("authorization"), "file-token");
}

TEST_F(CredentialsTest, ContainerCredentialsRefreshedBeforeExpiry) {
  TestHttpServer server;
  server.enqueue({200, {}, container_answer("FIRST", 4min)});  // inside the 5-minute margin
  server.enqueue({200, {}, container_answer("SECOND", 1h)});
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/creds";
  const auto chain = make_default_credentials_chain(transport, env_of(env));
  EXPECT_EQ(chain->get().access_key_id, "FIRST");
  EXPECT_EQ(chain->get().access_key_id, "SECOND");
  EXPECT_EQ(chain->get().access_key_id, "SECOND");
  EXPECT_EQ(server.request_count(), 2u);
}

TEST_F(CredentialsTest, FailedRefreshKeepsStillValidCredentials) {
  TestHttpServer server;
  server.enqueue({200, {}, container_answer("FIRST", 4min)});
  server.set_fallback({500, {}, kSecret});
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/creds";
  const auto chain = make_default_credentials_chain(transport, env_of(env));
  EXPECT_EQ(chain->get().access_key_id, "FIRST");
  EXPECT_EQ(chain->get().access_key_id, "FIRST");
  EXPECT_GE(server.request_count(), 2u);
}

TEST(CredentialsExpiry, WarnsWhenExpiredOrWithinTheWindowOnly) {
  const auto now = std::chrono::system_clock::now();
  Credentials credentials{"K", "S", "T", std::nullopt};
  EXPECT_FALSE(credentials_expiry_warning(credentials, now, 300s));
  credentials.expiration = now + 301s;
  EXPECT_FALSE(credentials_expiry_warning(credentials, now, 300s));
  credentials.expiration = now + 120s;
  const auto soon = credentials_expiry_warning(credentials, now, 300s);
  ASSERT_TRUE(soon);
  EXPECT_NE(soon->find("expire at "), std::string::npos) << *soon;
  EXPECT_NE(soon->find("(in 120 s)"), std::string::npos) << *soon;
  credentials.expiration = now - 60s;
  const auto expired = credentials_expiry_warning(credentials, now, 300s);
  ASSERT_TRUE(expired);
  EXPECT_NE(expired->find("expired at "), std::string::npos) << *expired;
  EXPECT_NE(expired->find("(60 s ago)"), std::string::npos) << *expired;
}

TEST(CredentialsExpiry, AnExpirationCenturiesAgoIsStillAnExpiredOne) {
  // 1713-12-01T12:00:00Z, as a service may send it: found by the container-credentials fuzz
  // target, whose difference in nanoseconds overflowed.
  const std::chrono::system_clock::time_point long_ago{std::chrono::seconds(-8'081'208'000)};
  const auto now = std::chrono::system_clock::now();
  const Credentials credentials{"K", "S", "T", long_ago};
  const auto expired = credentials_expiry_warning(credentials, now, 300s);
  ASSERT_TRUE(expired);
  EXPECT_NE(expired->find("expired at 1713-12-01T12:00:00Z"), std::string::npos) << *expired;
}

// Captures the WARNING lines the chain writes while `work` runs.
template <typename Work>
std::vector<std::string> warnings_during(Work work) {
  ssc::log::configure({ssc::log::Level::Warning, "test", "aws_tests"});
  ::testing::internal::CaptureStderr();
  work();
  const std::string logged = ::testing::internal::GetCapturedStderr();
  ssc::log::configure({});
  std::vector<std::string> lines;
  std::istringstream in(logged);
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"WARNING\"") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

TEST_F(CredentialsTest, ExpiredEnvironmentCredentialsAreWarnedOfOnceWithoutTheSecret) {
  EnvMap env = base_env();
  env["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env["AWS_SECRET_ACCESS_KEY"] = kSecret;
  env["AWS_SESSION_TOKEN"] = kToken;
  env["AWS_CREDENTIAL_EXPIRATION"] = iso_in(-10min);
  const auto chain = make_default_credentials_chain(no_network, env_of(env));
  const auto warnings = warnings_during([&] {
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(chain->get().expiration.has_value());
  });
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("AWS credentials expired at "), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("environment variables"), std::string::npos) << warnings[0];
  EXPECT_EQ(warnings[0].find(kSecret), std::string::npos);
  EXPECT_EQ(warnings[0].find(kToken), std::string::npos);
  EXPECT_EQ(warnings[0].find("ENVKEY"), std::string::npos);
}

TEST_F(CredentialsTest, MalformedCredentialExpirationIsAConfigurationError) {
  EnvMap env = base_env();
  env["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  env["AWS_SECRET_ACCESS_KEY"] = kSecret;
  env["AWS_CREDENTIAL_EXPIRATION"] = "tomorrow";
  const auto chain = make_default_credentials_chain(no_network, env_of(env));
  EXPECT_NE(config_error_of(*chain).find("AWS_CREDENTIAL_EXPIRATION"), std::string::npos);
}

TEST_F(CredentialsTest, ContainerCredentialsAboutToExpireAreWarnedOf) {
  TestHttpServer server;
  // The endpoint keeps handing out credentials inside the refresh margin.
  server.set_fallback({200, {}, container_answer("STALE", 2min)});
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/creds";
  const auto chain = make_default_credentials_chain(transport, env_of(env));
  const auto warnings = warnings_during([&] { chain->get(); });
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("AWS credentials expire at "), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("container credentials endpoint"), std::string::npos);
  EXPECT_EQ(warnings[0].find(kSecret), std::string::npos);
}

TEST_F(CredentialsTest, FreshCredentialsAreNotWarnedOf) {
  TestHttpServer server;
  server.enqueue({200, {}, container_answer("FRESH", 1h)});
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/creds";
  const auto chain = make_default_credentials_chain(transport, env_of(env));
  EXPECT_TRUE(warnings_during([&] { chain->get(); }).empty());
}

TEST_F(CredentialsTest, ContainerHttp500IsConfigurationErrorWithoutBody) {
  TestHttpServer server;
  server.set_fallback({500, {}, std::string("oops ") + kSecret + " " + kToken});
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/creds?token=" + kToken;
  const auto chain = make_default_credentials_chain(transport, env_of(env));
  const std::string message = config_error_of(*chain);
  EXPECT_NE(message.find("returned HTTP 500"), std::string::npos) << message;
  EXPECT_NE(message.find(server.url() + "/creds"), std::string::npos) << message;
}

TEST_F(CredentialsTest, ContainerNonJsonIsConfigurationError) {
  TestHttpServer server;
  server.set_fallback({200, {}, std::string("<html>") + kSecret});
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/creds";
  const auto chain = make_default_credentials_chain(transport, env_of(env));
  EXPECT_NE(config_error_of(*chain).find("not a JSON object"), std::string::npos);
}

TEST_F(CredentialsTest, ContainerAnswerWithoutSecretIsConfigurationError) {
  TestHttpServer server;
  server.set_fallback({200, {}, R"({"AccessKeyId":"K","Token":")" + std::string(kToken) + "\"}"});
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/creds";
  const auto chain = make_default_credentials_chain(transport, env_of(env));
  EXPECT_NE(config_error_of(*chain).find("lacks SecretAccessKey"), std::string::npos);
}

TEST_F(CredentialsTest, ContainerUnreachableIsConfigurationError) {
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] =
      "http://127.0.0.1:" + std::to_string(ssc::test::refused_port()) + "/creds";
  const auto chain = make_default_credentials_chain(transport, env_of(env));
  EXPECT_NE(config_error_of(*chain).find("could not be reached"), std::string::npos);
}

TEST_F(CredentialsTest, PlainHttpToRemoteHostIsRefusedBeforeAnyRequest) {
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://credentials.example.invalid/creds";
  const auto chain = make_default_credentials_chain(no_network, env_of(env));
  EXPECT_NE(config_error_of(*chain).find("must use https"), std::string::npos);
}

TEST_F(CredentialsTest, ConcurrentCallersShareOneFetch) {
  TestHttpServer server;
  ssc::test::ScriptedResponse answer{200, {}, container_answer("CKEY", 6h)};
  answer.delay = 100ms;
  server.set_fallback(answer);
  EnvMap env = base_env();
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.url() + "/creds";
  const auto chain = make_default_credentials_chain(transport, env_of(env));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (chain->get().access_key_id == "CKEY") ++ok;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(server.request_count(), 1u);
}

}  // namespace
