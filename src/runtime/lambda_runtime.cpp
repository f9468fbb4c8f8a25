#include "runtime/lambda_runtime.hpp"

#include <cxxabi.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <typeinfo>
#include <utility>

#include "aws/aws_error.hpp"
#include "log/log.hpp"

namespace ssc::runtime {

namespace {

constexpr std::string_view kModule = "lambda_runtime";
constexpr const char* kApi = "/2018-06-01/runtime";

// The next invocation may be hours away: the Runtime API answers when there is one.
constexpr aws::HttpTimeouts kLongPoll{std::chrono::milliseconds{2000},
                                      std::chrono::hours{24 * 365}};
// The API is local to the execution environment; it answers posts at once.
constexpr aws::HttpTimeouts kPost{std::chrono::milliseconds{2000},
                                  std::chrono::milliseconds{30000}};

}  // namespace

RuntimeApiClient::RuntimeApiClient(aws::HttpTransport& http, std::string address)
    : http_(http), base_url_("http://" + std::move(address) + kApi) {}

Invocation RuntimeApiClient::next() {
  const auto response = http_.send({"GET", base_url_ + "/invocation/next", {}, ""}, kLongPoll);
  if (response.status != 200) {
    throw RuntimeApiError("Runtime API: next invocation answered HTTP " +
                          std::to_string(response.status) + ": " + response.body.substr(0, 300));
  }
  Invocation invocation;
  invocation.request_id = response.header("lambda-runtime-aws-request-id");
  if (invocation.request_id.empty()) {
    throw RuntimeApiError("Runtime API: next invocation has no Lambda-Runtime-Aws-Request-Id");
  }
  const auto deadline = response.header("lambda-runtime-deadline-ms");
  // from_chars, not strtoll: a number too large for 64 bits is refused, not read as the
  // largest one.
  std::int64_t parsed = 0;
  const char* const end = deadline.data() + deadline.size();
  const auto [stop, problem] = std::from_chars(deadline.data(), end, parsed);
  if (deadline.empty() || problem != std::errc() || stop != end || parsed <= 0) {
    throw RuntimeApiError(
        "Runtime API: next invocation has no valid Lambda-Runtime-Deadline-Ms: \"" + deadline +
        "\"");
  }
  invocation.deadline_ms = parsed;
  invocation.event = response.body;
  return invocation;
}

void RuntimeApiClient::post(const std::string& path, const std::string& body,
                            aws::Headers headers) {
  headers.emplace_back("Content-Type", "application/json");
  const aws::HttpRequest request{"POST", base_url_ + path, std::move(headers), body};
  const auto response = http_.send(request, kPost);
  if (response.status < 200 || response.status >= 300) {
    throw RuntimeApiError("Runtime API: POST " + path + " answered HTTP " +
                          std::to_string(response.status) + ": " + response.body.substr(0, 300));
  }
}

void RuntimeApiClient::respond(const std::string& request_id, const std::string& body) {
  post("/invocation/" + request_id + "/response", body, {});
}

void RuntimeApiClient::fail(const std::string& request_id, const std::string& error_type,
                            const std::string& message) {
  post("/invocation/" + request_id + "/error", error_document(error_type, message),
       {{"Lambda-Runtime-Function-Error-Type", error_type}});
}

void RuntimeApiClient::init_error(const std::string& error_type, const std::string& message) {
  post("/init/error", error_document(error_type, message),
       {{"Lambda-Runtime-Function-Error-Type", error_type}});
}

std::string error_document(const std::string& error_type, const std::string& message) {
  return nlohmann::json{
      {"errorMessage", message}, {"errorType", error_type}, {"stackTrace", nlohmann::json::array()}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string error_type_of(const std::exception& error) {
  const char* mangled = typeid(error).name();
  int status = 0;
  const std::unique_ptr<char, decltype(&std::free)> demangled(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
  std::string name = (status == 0 && demangled) ? demangled.get() : mangled;
  if (const auto colon = name.rfind("::"); colon != std::string::npos) name.erase(0, colon + 2);
  return name;
}

void serve(RuntimeApiClient& client, const InvocationHandler& handler) {
  for (;;) {
    const auto invocation = client.next();
    const log::LogContext context({{"aws_request_id", invocation.request_id}});
    std::string response;
    try {
      response = handler(invocation.event, invocation.deadline_ms);
    } catch (const std::exception& error) {
      const auto type = error_type_of(error);
      log::error(kModule, "invocation failed", {{"error_type", type}, {"error", error.what()}});
      client.fail(invocation.request_id, type, error.what());
      continue;
    } catch (...) {
      log::error(kModule, "invocation failed with an unknown exception");
      client.fail(invocation.request_id, "UnknownError", "unknown exception");
      continue;
    }
    client.respond(invocation.request_id, response);
  }
}

}  // namespace ssc::runtime
