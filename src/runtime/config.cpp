#include "runtime/config.hpp"

#include <charconv>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/aws_error.hpp"
#include "runtime/resource_names.hpp"

namespace ssc::runtime {

namespace {

struct Setting {
  const char* variable;
  const char* flag;
  std::optional<std::string> ConfigFlags::*given;
  const char* help;
};

// One row per setting, so a variable and its flag are named together everywhere.
const Setting kSettings[] = {
    {"MONITORING_SNS_TOPIC_ARN", "--monitoring-sns-topic-arn",
     &ConfigFlags::monitoring_sns_topic_arn, "SNS topic for monitoring messages (required)"},
    {"EXPORT_STATE_SQS_QUEUE_URL", "--export-state-sqs-queue-url",
     &ConfigFlags::export_state_sqs_queue_url,
     "FIFO queue the snapshot sender reads the success-file requests from (required)"},
    {"DYNAMO_DB_EXPORT_STATUS_TABLE_NAME", "--dynamo-db-export-status-table-name",
     &ConfigFlags::export_status_table, "export status table [UCExportToCrownStatus]"},
    {"DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME", "--dynamo-db-product-status-table-name",
     &ConfigFlags::product_status_table, "product status table [data_pipeline_metadata]"},
    {"DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME", "--dynamo-db-file-receipts-table-name",
     &ConfigFlags::file_receipts_table,
     "file receipts table, one item per counted file "
     "[snapshot_sender_status_checker_file_receipts]"},
    {"FILE_RECEIPTS_EXPIRY_DAYS", "--file-receipts-expiry-days",
     &ConfigFlags::file_receipts_expiry_days,
     "days a file's receipt is kept (its ExpiresAt) against redeliveries [30]"},
    {"AWS_REGION", "--aws-region", &ConfigFlags::aws_region,
     "AWS region (then AWS_DEFAULT_REGION) [eu-west-2]"},
    {"AWS_PROFILE", "--aws-profile", &ConfigFlags::aws_profile,
     "profile of the shared AWS files [default]"},
    {"ENVIRONMENT", "--environment", &ConfigFlags::environment,
     "environment named in every log line [NOT_SET]"},
    {"APPLICATION", "--application", &ConfigFlags::application,
     "application named in every log line [NOT_SET]"},
    {"LOG_LEVEL", "--log-level", &ConfigFlags::log_level,
     "DEBUG, INFO, WARNING, ERROR or CRITICAL [INFO]"},
    {"PUSHGATEWAY_HOSTNAME", "--pushgateway-hostname", &ConfigFlags::pushgateway_hostname,
     "Prometheus push gateway host; unset: metrics are not pushed"},
    {"PUSHGATEWAY_PORT", "--pushgateway-port", &ConfigFlags::pushgateway_port,
     "push gateway port [9091]"},
    {"METRICS_SCRAPE_INTERVAL_SECONDS", "--metrics-scrape-interval-seconds",
     &ConfigFlags::metrics_scrape_interval_seconds,
     "wait before deleting a finished run's metrics [70]"},
};

const Setting& setting(std::optional<std::string> ConfigFlags::*given) {
  for (const auto& s : kSettings) {
    if (s.given == given) return s;
  }
  throw std::logic_error("unknown setting");
}

std::string name_of(const Setting& s) { return std::string(s.variable) + " (" + s.flag + ")"; }

std::optional<std::int64_t> parse_integer(const std::string& text) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

class Resolver {
 public:
  Resolver(const ConfigFlags& flags, const aws::EnvLookup& env) : flags_(flags), env_(env) {}

  // The flag's value, else the variable's; empty counts as unset.
  std::optional<std::string> raw(std::optional<std::string> ConfigFlags::*given) const {
    if (const auto& value = flags_.*given; value && !value->empty()) return value;
    if (auto value = env_(setting(given).variable); value && !value->empty()) return value;
    return std::nullopt;
  }

  void text(std::optional<std::string> ConfigFlags::*given, std::string& into) const {
    if (auto value = raw(given)) into = std::move(*value);
  }

  void required(std::optional<std::string> ConfigFlags::*given, std::string& into) {
    if (auto value = raw(given)) {
      into = std::move(*value);
    } else {
      problem(given, "is required and not set");
    }
  }

  template <typename Int>
  void integer(std::optional<std::string> ConfigFlags::*given, Int& into, std::int64_t low,
               std::int64_t high) {
    const auto value = raw(given);
    if (!value) return;
    const auto parsed = parse_integer(*value);
    if (!parsed || *parsed < low || *parsed > high) {
      problem(given, "must be a whole number from " + std::to_string(low) + " to " +
                         std::to_string(high) + ", got \"" + *value + "\"");
      return;
    }
    into = static_cast<Int>(*parsed);
  }

  // `into` when `check` finds nothing wrong with it, else a problem that shows the value.
  void checked(std::optional<std::string> ConfigFlags::*given, const std::string& into,
               std::optional<std::string> (*check)(std::string_view)) {
    if (const auto wrong = check(into)) problem(given, *wrong + ", got \"" + into + "\"");
  }

  void problem(std::optional<std::string> ConfigFlags::*given, const std::string& what) {
    problems_.push_back(name_of(setting(given)) + " " + what);
  }
  void problem(const std::string& what) { problems_.push_back(what); }

  void finish() const {
    if (problems_.empty()) return;
    std::string message;
    for (const auto& problem : problems_) message += (message.empty() ? "" : "; ") + problem;
    throw ConfigurationError("configuration error: " + message);
  }

 private:
  const ConfigFlags& flags_;
  const aws::EnvLookup& env_;
  std::vector<std::string> problems_;
};

}  // namespace

void add_config_flags(CLI::App& app, ConfigFlags& flags) {
  for (const auto& s : kSettings) {
    auto* target = &(flags.*s.given);
    app.add_option_function<std::string>(
           s.flag, [target](const std::string& value) { *target = value; },
           std::string(s.help) + " (env " + s.variable + ")")
        ->type_name("VALUE");
  }
}

namespace {

// The queue, the topic and the tables: required or not as the command uses them, and
// checked before any message is touched.
void resolve_destinations(Resolver& resolve, Config& config, RequiredSettings required) {
  if (required.monitoring_sns_topic_arn) {
    resolve.required(&ConfigFlags::monitoring_sns_topic_arn, config.monitoring_sns_topic_arn);
  } else {
    resolve.text(&ConfigFlags::monitoring_sns_topic_arn, config.monitoring_sns_topic_arn);
  }
  if (required.export_state_sqs_queue_url) {
    resolve.required(&ConfigFlags::export_state_sqs_queue_url, config.export_state_sqs_queue_url);
  } else {
    resolve.text(&ConfigFlags::export_state_sqs_queue_url, config.export_state_sqs_queue_url);
  }
  resolve.text(&ConfigFlags::export_status_table, config.export_status_table);
  resolve.text(&ConfigFlags::product_status_table, config.product_status_table);
  resolve.text(&ConfigFlags::file_receipts_table, config.file_receipts_table);
  // SQS keeps a message for 14 days at most; DynamoDB's TTL ignores an ExpiresAt more
  // than five years old, so a much longer expiry would be kept for ever in effect.
  resolve.integer(&ConfigFlags::file_receipts_expiry_days, config.file_receipts_expiry_days, 1,
                  1825);
  // Before any message is touched: a name AWS would refuse fails every message, and only
  // after a row has moved.
  if (!config.monitoring_sns_topic_arn.empty()) {
    resolve.checked(&ConfigFlags::monitoring_sns_topic_arn, config.monitoring_sns_topic_arn,
                    sns_topic_arn_problem);
  }
  if (!config.export_state_sqs_queue_url.empty()) {
    resolve.checked(&ConfigFlags::export_state_sqs_queue_url, config.export_state_sqs_queue_url,
                    fifo_queue_url_problem);
  }
  resolve.checked(&ConfigFlags::export_status_table, config.export_status_table,
                  table_name_problem);
  resolve.checked(&ConfigFlags::product_status_table, config.product_status_table,
                  table_name_problem);
  resolve.checked(&ConfigFlags::file_receipts_table, config.file_receipts_table,
                  table_name_problem);
}

}  // namespace

Config resolve_config(const ConfigFlags& flags, const aws::EnvLookup& env,
                      RequiredSettings required) {
  Config config;
  Resolver resolve(flags, env);
  resolve_destinations(resolve, config, required);
  if (auto profile = resolve.raw(&ConfigFlags::aws_profile)) {
    config.aws_profile = std::move(*profile);
    config.aws_profile_named = true;
  }
  resolve.text(&ConfigFlags::environment, config.environment);
  resolve.text(&ConfigFlags::application, config.application);

  // The AWS layer's own rule (AWS_REGION, then AWS_DEFAULT_REGION, then eu-west-2, and
  // its check of the name), with the flag standing in for AWS_REGION.
  try {
    const auto& region_flag = flags.aws_region;
    config.aws_region =
        aws::resolve_region([&](const std::string& name) -> std::optional<std::string> {
          if (name == "AWS_REGION" && region_flag && !region_flag->empty()) return region_flag;
          return env(name);
        });
  } catch (const ConfigurationError& error) {
    resolve.problem(std::string(error.what()) + " (flag --aws-region)");
  }

  if (const auto level = resolve.raw(&ConfigFlags::log_level)) {
    if (const auto parsed = log::parse_level(*level)) {
      config.log_level = *parsed;
    } else {
      resolve.problem(&ConfigFlags::log_level,
                      "must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got \"" + *level + "\"");
    }
  }

  config.pushgateway_hostname = resolve.raw(&ConfigFlags::pushgateway_hostname);
  resolve.integer(&ConfigFlags::pushgateway_port, config.pushgateway_port, 1, 65535);
  // A day is far beyond any Lambda's life; a larger value is a typo.
  resolve.integer(&ConfigFlags::metrics_scrape_interval_seconds,
                  config.metrics_scrape_interval_seconds, 0, 86400);
  resolve.finish();
  return config;
}

log::Fields describe(const Config& config) {
  static const char* const kLevelNames[] = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};
  const auto level_index = static_cast<int>(config.log_level) / 10 - 1;
  return {
      {"monitoring_sns_topic_arn", config.monitoring_sns_topic_arn},
      {"export_state_sqs_queue_url", config.export_state_sqs_queue_url},
      {"dynamo_db_export_status_table_name", config.export_status_table},
      {"dynamo_db_product_status_table_name", config.product_status_table},
      {"dynamo_db_file_receipts_table_name", config.file_receipts_table},
      {"file_receipts_expiry_days", std::to_string(config.file_receipts_expiry_days)},
      {"aws_region", config.aws_region},
      {"aws_profile", config.aws_profile},
      {"config_environment", config.environment},
      {"config_application", config.application},
      {"config_log_level", kLevelNames[level_index]},
      {"pushgateway_hostname", config.pushgateway_hostname.value_or("")},
      {"pushgateway_port", std::to_string(config.pushgateway_port)},
      {"metrics_scrape_interval_seconds", std::to_string(config.metrics_scrape_interval_seconds)},
  };
}

}  // namespace ssc::runtime
