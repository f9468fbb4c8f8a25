#include "runtime/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "aws/aws_error.hpp"
#include "aws/beast_transport.hpp"
#include "aws/env.hpp"
#include "log/log.hpp"
#include "runtime/app.hpp"
#include "runtime/cli_operator.hpp"
#include "runtime/config.hpp"
#include "runtime/lambda_runtime.hpp"
#include "runtime/system_clock.hpp"

#ifndef SSC_VERSION
#define SSC_VERSION "unknown"
#endif

namespace ssc::runtime {

namespace {

constexpr std::string_view kModule = "cli";

struct InvokeOptions {
  std::optional<std::string> event_file;
  int timeout_seconds = 900;  // Lambda's longest timeout: bounds every retry budget
};

// Logging before the configuration is known still names the environment and application
// when the environment gives them.
void configure_early_logging() {
  log::Settings settings;
  if (const char* env = std::getenv("ENVIRONMENT"); env && *env) settings.environment = env;
  if (const char* app = std::getenv("APPLICATION"); app && *app) settings.application = app;
  log::configure(settings);
}

std::string read_event(const InvokeOptions& options) {
  if (!options.event_file) {
    return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  }
  std::ifstream in(*options.event_file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the event file " + *options.event_file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int run_invoke(const ConfigFlags& flags, const InvokeOptions& options) {
  std::string event;
  std::unique_ptr<Application> app;
  try {
    event = read_event(options);
    app = std::make_unique<Application>(load_config(flags));
  } catch (const std::exception& error) {
    // stderr holds JSON lines only (SPEC section 9): the error is one of them.
    log::error(kModule, error.what(), {{"error_type", error_type_of(error)}});
    return kExitUsage;
  }
  const std::int64_t deadline_ms =
      SystemClock{}.now_ms() + static_cast<std::int64_t>(options.timeout_seconds) * 1000;
  try {
    std::cout << app->handle(event, deadline_ms) << std::endl;
    return kExitOk;
  } catch (const std::exception& error) {
    log::error(kModule, "invocation failed", {{"error", error.what()}});
    // What Lambda answers for a failed invocation.
    std::cout << error_document(error_type_of(error), error.what()) << std::endl;
    return kExitFailed;
  }
}

int run_lambda(const ConfigFlags& flags) {
  const char* address = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (address == nullptr || *address == '\0') {
    std::cerr << "snapshot-sender-status-checker: AWS_LAMBDA_RUNTIME_API is not set; "
                 "`lambda` runs only inside Lambda (or its Runtime Interface Emulator)\n";
    return kExitUsage;
  }
  aws::BeastTransport runtime_http(1);
  RuntimeApiClient client(runtime_http, address);

  std::unique_ptr<Application> app;
  try {
    app = std::make_unique<Application>(load_config(flags));
  } catch (const std::exception& error) {
    log::critical(kModule, "initialisation failed", {{"error", error.what()}});
    try {
      client.init_error(error_type_of(error), error.what());
    } catch (const std::exception& post_error) {
      log::critical(kModule, "reporting the init error failed", {{"error", post_error.what()}});
    }
    return kExitUsage;
  }

  try {
    serve(client, [&app](const std::string& event, std::int64_t deadline_ms) {
      return app->handle(event, deadline_ms);
    });
  } catch (const std::exception& error) {
    log::critical(kModule, "the Lambda Runtime API failed", {{"error", error.what()}});
  }
  return kExitFailed;
}

}  // namespace

Config load_config(const ConfigFlags& flags, RequiredSettings required) {
  auto config = resolve_config(flags, aws::process_env(), required);
  log::configure({config.log_level, config.environment, config.application});
  log::debug(kModule, "configuration", describe(config));
  return config;
}

int run_cli(int argc, char** argv) {
  configure_early_logging();

  CLI::App cli{
      "snapshot-sender-status-checker: counts the files of a snapshot sender run and reports "
      "when its collections are received and successful.\n"
      "Settings come from the environment; each flag below overrides its variable."};
  cli.set_version_flag("--version", std::string("snapshot-sender-status-checker ") + SSC_VERSION);
  cli.fallthrough();
  cli.require_subcommand(0, 1);

  ConfigFlags flags;
  add_config_flags(cli, flags);

  cli.add_subcommand("lambda",
                     "serve invocations from the Lambda Runtime API "
                     "(the default when AWS_LAMBDA_RUNTIME_API is set)");
  auto* invoke = cli.add_subcommand(
      "invoke", "handle one event, print the response JSON on stdout (logs go to stderr)");
  InvokeOptions options;
  invoke
      ->add_option_function<std::string>(
          "--event", [&options](const std::string& file) { options.event_file = file; },
          "file holding the event JSON (default: standard input)")
      ->type_name("FILE");
  invoke
      ->add_option("--timeout-seconds", options.timeout_seconds,
                   "the invocation's deadline, which bounds every retry")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();

  OperatorOptions operator_options;
  add_operator_commands(cli, operator_options);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = cli.exit(error);  // prints help, version or the error
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (invoke->parsed()) return run_invoke(flags, options);
  if (const auto code = run_operator_command(flags, operator_options)) return *code;
  if (cli.got_subcommand("lambda")) return run_lambda(flags);
  if (const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API"); api && *api) {
    return run_lambda(flags);
  }
  std::cerr << "snapshot-sender-status-checker: no command given, and AWS_LAMBDA_RUNTIME_API "
               "is not set: use `invoke`, `lambda` or an operator command (`status`, ...)\n\n"
            << cli.help();
  return kExitUsage;
}

}  // namespace ssc::runtime
