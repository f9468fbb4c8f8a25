#include "aws/credentials.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>
#include <vector>

#include "aws/aws_error.hpp"
#include "aws/detail/ini_file.hpp"
#include "aws/detail/time_format.hpp"
#include "aws/detail/uri.hpp"
#include "log/log.hpp"

namespace ssc::aws {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> non_empty(const EnvLookup& env, const std::string& name) {
  auto value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

// One link of the chain. load() gives nullopt when the source simply has nothing (so the
// chain moves on) and throws ConfigurationError when it is set up but broken.
class Source {
 public:
  virtual ~Source() = default;
  virtual std::optional<Credentials> load() = 0;
  // What was tried, for the "no credentials found" message.
  [[nodiscard]] virtual std::string tried() const = 0;
  // Where credentials came from, for the expiry WARNING.
  [[nodiscard]] virtual std::string name() const = 0;
};

class EnvironmentSource : public Source {
 public:
  explicit EnvironmentSource(EnvLookup env) : env_(std::move(env)) {}

  std::optional<Credentials> load() override {
    const auto key_id = non_empty(env_, "AWS_ACCESS_KEY_ID");
    const auto secret = non_empty(env_, "AWS_SECRET_ACCESS_KEY");
    if (!key_id && !secret) return std::nullopt;
    if (!key_id)
      throw ConfigurationError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    if (!secret)
      throw ConfigurationError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    Credentials credentials{*key_id, *secret, non_empty(env_, "AWS_SESSION_TOKEN").value_or(""),
                            std::nullopt};
    if (const auto expiration = non_empty(env_, "AWS_CREDENTIAL_EXPIRATION")) {
      credentials.expiration = detail::parse_iso8601_utc(*expiration);
      if (!credentials.expiration) {
        throw ConfigurationError("AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 UTC time: " +
                                 *expiration);
      }
    }
    return credentials;
  }

  [[nodiscard]] std::string name() const override { return "environment variables"; }

  [[nodiscard]] std::string tried() const override {
    return "environment variables (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set)";
  }

 private:
  EnvLookup env_;
};

class ProfileSource : public Source {
 public:
  explicit ProfileSource(const EnvLookup& env) {
    const auto profile = non_empty(env, "AWS_PROFILE");
    profile_ = profile.value_or("default");
    explicit_profile_ = profile.has_value();
    const auto home = non_empty(env, "HOME");
    credentials_file_ = file_path(env, home, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    config_file_ = file_path(env, home, "AWS_CONFIG_FILE", "config");
  }

  std::optional<Credentials> load() override {
    std::vector<std::string> files_read;
    bool profile_seen = false;
    // The config file names profiles "[profile x]"; "default" may also stand alone.
    const std::pair<const std::optional<fs::path>&, std::vector<std::string>> files[] = {
        {credentials_file_, {profile_}}, {config_file_, config_section_names()}};
    for (const auto& [path, sections] : files) {
      const auto file = path ? detail::read_ini_file(*path) : std::nullopt;
      if (!file) continue;
      files_read.push_back(path->string());
      for (const std::string& name : sections) {
        if (const auto it = file->sections.find(name); it != file->sections.end()) {
          profile_seen = true;
          if (auto found = from_section(it->second, *path)) return found;
        }
      }
    }
    if (!profile_seen && explicit_profile_) {
      std::string where = files_read.empty() ? std::string("no credentials or config file exists")
                                             : "file " + files_read.front();
      if (files_read.size() > 1) where += " or file " + files_read[1];
      throw ConfigurationError("unknown profile \"" + profile_ + "\" (from AWS_PROFILE) in " +
                               where);
    }
    return std::nullopt;
  }

  [[nodiscard]] std::string name() const override {
    return "profile \"" + profile_ + "\" in the shared files";
  }

  [[nodiscard]] std::string tried() const override {
    std::string text = "profile \"" + profile_ + "\" in the shared files (";
    text += credentials_file_ ? credentials_file_->string() : std::string("no credentials file");
    text += ", ";
    text += config_file_ ? config_file_->string() : std::string("no config file");
    return text + ")";
  }

 private:
  static std::optional<fs::path> file_path(const EnvLookup& env,
                                           const std::optional<std::string>& home,
                                           const std::string& variable, const std::string& name) {
    if (auto value = non_empty(env, variable)) {
      if (home && value->rfind("~/", 0) == 0) return fs::path(*home) / value->substr(2);
      return fs::path(*value);
    }
    if (!home) return std::nullopt;
    return fs::path(*home) / ".aws" / name;
  }

  [[nodiscard]] std::vector<std::string> config_section_names() const {
    if (profile_ == "default") return {"default", "profile default"};
    return {"profile " + profile_};
  }

  std::optional<Credentials> from_section(const detail::IniSection& section,
                                          const fs::path& file) const {
    const auto key_id = section.find("aws_access_key_id");
    const auto secret = section.find("aws_secret_access_key");
    if (key_id == section.end() && secret == section.end()) return std::nullopt;
    if (key_id == section.end() || key_id->second.empty()) {
      throw ConfigurationError("profile \"" + profile_ + "\" in file " + file.string() +
                               " has aws_secret_access_key but no aws_access_key_id");
    }
    if (secret == section.end() || secret->second.empty()) {
      throw ConfigurationError("profile \"" + profile_ + "\" in file " + file.string() +
                               " has aws_access_key_id but no aws_secret_access_key");
    }
    Credentials credentials{key_id->second, secret->second, "", std::nullopt};
    if (const auto token = section.find("aws_session_token"); token != section.end()) {
      credentials.session_token = token->second;
    } else if (const auto legacy = section.find("aws_security_token"); legacy != section.end()) {
      credentials.session_token = legacy->second;
    }
    return credentials;
  }

  std::string profile_;
  bool explicit_profile_ = false;
  std::optional<fs::path> credentials_file_;
  std::optional<fs::path> config_file_;
};

bool plain_http_allowed(const std::string& host) {
  // Plain http would send the token in clear: only to this machine or the link-local
  // container agents of ECS and EKS, as the SDKs allow.
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23";
}

class ContainerSource : public Source {
 public:
  ContainerSource(HttpTransport& http, EnvLookup env, CredentialsChainOptions options)
      : http_(http), env_(std::move(env)), options_(options) {}

  std::optional<Credentials> load() override {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::system_clock::now();
    if (cached_ && !needs_refresh(*cached_, now)) return cached_;
    const auto url = endpoint_url();
    if (!url) return std::nullopt;
    try {
      cached_ = fetch(*url);
    } catch (const ConfigurationError& error) {
      // Credentials that are due for refresh but still valid serve until they expire.
      if (cached_ && cached_->expiration && now < *cached_->expiration) {
        log::warning("credentials", "container credentials refresh failed; using the current ones",
                     {{"error", error.what()}});
        return cached_;
      }
      throw;
    }
    return cached_;
  }

  [[nodiscard]] std::string name() const override { return "container credentials endpoint"; }

  [[nodiscard]] std::string tried() const override {
    return "container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI and "
           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI not set)";
  }

 private:
  [[nodiscard]] bool needs_refresh(const Credentials& credentials,
                                   std::chrono::system_clock::time_point now) const {
    return credentials.expiration &&
           now + options_.refresh_before_expiry >= *credentials.expiration;
  }

  [[nodiscard]] std::optional<std::string> endpoint_url() const {
    if (const auto relative = non_empty(env_, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
      const std::string path = relative->front() == '/' ? *relative : "/" + *relative;
      return "http://169.254.170.2" + path;
    }
    const auto full = non_empty(env_, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (!full) return std::nullopt;
    const auto parts = detail::split_url(*full);
    if (!parts) {
      throw ConfigurationError("AWS_CONTAINER_CREDENTIALS_FULL_URI is not a valid http(s) URL: " +
                               detail::url_without_query(*full));
    }
    if (parts->scheme == "http" && !plain_http_allowed(parts->host)) {
      throw ConfigurationError(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI must use https unless its host is a loopback or "
          "container agent address: " +
          detail::url_without_query(*full));
    }
    return *full;
  }

  [[nodiscard]] std::optional<std::string> authorization_token() const {
    if (const auto file = non_empty(env_, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
      std::ifstream in(*file, std::ios::binary);
      if (!in) {
        throw ConfigurationError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *file);
      }
      std::ostringstream text;
      text << in.rdbuf();
      std::string token = text.str();
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
      check_token(token, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *file);
      return token;
    }
    if (auto token = non_empty(env_, "AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
      check_token(*token, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
      return token;
    }
    return std::nullopt;
  }

  static void check_token(const std::string& token, const std::string& source) {
    if (token.find_first_of("\r\n") != std::string::npos) {
      throw ConfigurationError("the container authorization token from " + source +
                               " holds a line break");
    }
  }

  Credentials fetch(const std::string& url) {
    const std::string safe_url = detail::url_without_query(url);
    HttpRequest request{"GET", url, {{"Accept", "application/json"}}, ""};
    if (const auto token = authorization_token())
      request.headers.emplace_back("Authorization", *token);

    // One quick second try: the agent may be briefly busy at container start.
    HttpResponse response;
    for (int attempt = 1;; ++attempt) {
      try {
        response = http_.send(request, options_.container_timeouts);
        if (response.status < 500 || attempt == 2) break;
      } catch (const TransportError& error) {
        if (attempt == 2) {
          throw ConfigurationError("container credentials endpoint " + safe_url +
                                   " could not be reached: " + error.message());
        }
      }
    }
    if (response.status != 200) {
      throw ConfigurationError("container credentials endpoint " + safe_url + " returned HTTP " +
                               std::to_string(response.status));
    }
    return parse_answer(response.body, safe_url);
  }

  static Credentials parse_answer(const std::string& body, const std::string& safe_url) {
    const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object()) {
      throw ConfigurationError("container credentials endpoint " + safe_url +
                               " returned a body that is not a JSON object");
    }
    auto text_field = [&](const char* name, bool required) -> std::string {
      const auto it = json.find(name);
      if (it == json.end() || it->is_null()) {
        if (required) {
          throw ConfigurationError("container credentials endpoint " + safe_url + " answer lacks " +
                                   name);
        }
        return {};
      }
      if (!it->is_string() || (required && it->get_ref<const std::string&>().empty())) {
        throw ConfigurationError("container credentials endpoint " + safe_url +
                                 " answer has a bad " + name);
      }
      return it->get<std::string>();
    };
    Credentials credentials{text_field("AccessKeyId", true), text_field("SecretAccessKey", true),
                            text_field("Token", false), std::nullopt};
    if (const std::string expiration = text_field("Expiration", false); !expiration.empty()) {
      credentials.expiration = detail::parse_iso8601_utc(expiration);
      if (!credentials.expiration) {
        throw ConfigurationError("container credentials endpoint " + safe_url +
                                 " answer has an Expiration that is not an ISO 8601 UTC time");
      }
    }
    return credentials;
  }

  HttpTransport& http_;
  EnvLookup env_;
  CredentialsChainOptions options_;
  std::mutex mutex_;
  std::optional<Credentials> cached_;
};

// Static sources (environment, files) are read once; the container source keeps its own
// cache and refreshes it.
class DefaultChain : public CredentialsProvider {
 public:
  DefaultChain(std::vector<std::unique_ptr<Source>> sources, std::chrono::seconds warning_window)
      : sources_(std::move(sources)), warning_window_(warning_window) {}

  Credentials get() override {
    Source* source = nullptr;
    Credentials credentials = find(source);
    warn_if_expiring(credentials, *source);
    return credentials;
  }

 private:
  Credentials find(Source*& source) {
    Source* chosen = nullptr;
    {
      std::lock_guard lock(mutex_);
      source = chosen_;
      if (static_credentials_) return *static_credentials_;
      chosen = chosen_;
      if (chosen == nullptr) {
        std::string tried;
        for (std::size_t i = 0; i < sources_.size(); ++i) {
          if (auto credentials = sources_[i]->load()) {
            chosen_ = sources_[i].get();
            source = chosen_;
            // Only the last source (the container) refreshes; the others never change.
            if (i + 1 < sources_.size()) static_credentials_ = credentials;
            return *credentials;
          }
          tried += (tried.empty() ? "" : "; ") + sources_[i]->tried();
        }
        throw ConfigurationError("no AWS credentials found; tried: " + tried);
      }
    }
    // The container source locks for itself, so other callers are not held up here.
    if (auto credentials = chosen->load()) return *credentials;
    throw ConfigurationError("the container credentials endpoint is no longer configured");
  }

  // Once per expiration: the same credentials are handed out for every request.
  void warn_if_expiring(const Credentials& credentials, const Source& source) {
    const auto warning =
        credentials_expiry_warning(credentials, std::chrono::system_clock::now(), warning_window_);
    if (!warning) return;
    {
      std::lock_guard lock(mutex_);
      if (warned_for_ == credentials.expiration) return;
      warned_for_ = credentials.expiration;
    }
    log::warning("credentials", *warning, {{"credentials_source", source.name()}});
  }

  std::mutex mutex_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::chrono::seconds warning_window_;
  Source* chosen_ = nullptr;
  std::optional<Credentials> static_credentials_;
  std::optional<std::chrono::system_clock::time_point> warned_for_;
};

}  // namespace

std::optional<std::string> credentials_expiry_warning(const Credentials& credentials,
                                                      std::chrono::system_clock::time_point now,
                                                      std::chrono::seconds window) {
  if (!credentials.expiration || *credentials.expiration > now + window) return std::nullopt;
  // In seconds before the difference: an expiration centuries away from now (a service may
  // send any year) would overflow a difference in nanoseconds.
  using std::chrono::duration_cast;
  using std::chrono::seconds;
  const auto left = duration_cast<seconds>(credentials.expiration->time_since_epoch()).count() -
                    duration_cast<seconds>(now.time_since_epoch()).count();
  const std::string when = detail::format_iso8601_utc(*credentials.expiration);
  if (left <= 0) {
    return "AWS credentials expired at " + when + " (" + std::to_string(-left) +
           " s ago): requests will be refused";
  }
  return "AWS credentials expire at " + when + " (in " + std::to_string(left) + " s)";
}

std::unique_ptr<CredentialsProvider> make_default_credentials_chain(HttpTransport& http) {
  return make_default_credentials_chain(http, process_env());
}

std::unique_ptr<CredentialsProvider> make_default_credentials_chain(
    HttpTransport& http, EnvLookup env, CredentialsChainOptions options) {
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::make_unique<EnvironmentSource>(env));
  sources.push_back(std::make_unique<ProfileSource>(env));
  sources.push_back(std::make_unique<ContainerSource>(http, env, options));
  return std::make_unique<DefaultChain>(std::move(sources), options.refresh_before_expiry);
}

}  // namespace ssc::aws
