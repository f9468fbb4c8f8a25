// The settings of SPEC section 8: environment variables with their defaults, each of which
// a command-line flag (named as in the original) may override.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "aws/aws_error.hpp"
#include "aws/endpoints.hpp"
#include "log/log.hpp"

namespace ssc::runtime {

// A setting is missing or malformed; the message names the variable and its flag. The AWS
// layer's own type: one configuration error for both.
using aws::ConfigurationError;

struct Config {
  std::string monitoring_sns_topic_arn;
  std::string export_state_sqs_queue_url;
  std::string export_status_table = "UCExportToCrownStatus";
  std::string product_status_table = "data_pipeline_metadata";
  std::string file_receipts_table = "snapshot_sender_status_checker_file_receipts";
  // How long a file's receipt is kept (its ExpiresAt): past it no redelivery of the file
  // can come, and a later one would be counted again.
  std::int64_t file_receipts_expiry_days = 30;
  std::string aws_region = "eu-west-2";
  std::string aws_profile = "default";
  // Named by flag or variable. Only then is the profile handed to the credentials chain,
  // which treats a named profile that no file holds as an error, whereas the implicit
  // "default" may be absent (credentials then come from the container endpoint).
  bool aws_profile_named = false;
  std::string environment = "NOT_SET";
  std::string application = "NOT_SET";
  log::Level log_level = log::Level::Info;
  std::optional<std::string> pushgateway_hostname;  // unset: no pushing
  int pushgateway_port = 9091;
  std::int64_t metrics_scrape_interval_seconds = 70;
};

// Values given on the command line; a given one wins over its environment variable.
struct ConfigFlags {
  std::optional<std::string> monitoring_sns_topic_arn;
  std::optional<std::string> export_state_sqs_queue_url;
  std::optional<std::string> export_status_table;
  std::optional<std::string> product_status_table;
  std::optional<std::string> file_receipts_table;
  std::optional<std::string> file_receipts_expiry_days;
  std::optional<std::string> aws_region;
  std::optional<std::string> aws_profile;
  std::optional<std::string> environment;
  std::optional<std::string> application;
  std::optional<std::string> log_level;
  std::optional<std::string> pushgateway_hostname;
  std::optional<std::string> pushgateway_port;
  std::optional<std::string> metrics_scrape_interval_seconds;
};

// Adds --monitoring-sns-topic-arn, ..., --metrics-scrape-interval-seconds to `app`, writing
// into `flags` (which must outlive the parse).
void add_config_flags(CLI::App& app, ConfigFlags& flags);

// Which of SPEC section 8's required settings a command uses: the Lambda, `invoke` and
// `finish-effects` both; `status` neither (it only reads the tables); `resend-export-state`
// the queue. A command is not refused for a setting it never uses.
struct RequiredSettings {
  bool monitoring_sns_topic_arn = true;
  bool export_state_sqs_queue_url = true;
};

// Flags, then the environment, then the defaults. An empty variable counts as unset.
// Throws ConfigurationError listing every problem, each with its variable and flag: among
// them a topic ARN, queue URL or table name that AWS would refuse (runtime/resource_names).
Config resolve_config(const ConfigFlags& flags, const aws::EnvLookup& env,
                      RequiredSettings required = {});

// The settings as log fields (for the DEBUG line at start). The configuration holds no
// credential, and this names none.
log::Fields describe(const Config& config);

}  // namespace ssc::runtime
