#include "runtime/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace ssc::runtime {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

using Env = std::map<std::string, std::string>;

aws::EnvLookup lookup(const Env& env) {
  return [env](const std::string& name) -> std::optional<std::string> {
    const auto found = env.find(name);
    if (found == env.end()) return std::nullopt;
    return found->second;
  };
}

const Env kRequired = {{"MONITORING_SNS_TOPIC_ARN", "arn:aws:sns:eu-west-2:123456789012:topic"},
                       {"EXPORT_STATE_SQS_QUEUE_URL", "http://sqs/queue.fifo"}};

Config resolve(const Env& env, std::vector<std::string> args = {}) {
  CLI::App app;
  ConfigFlags flags;
  add_config_flags(app, flags);
  args.insert(args.begin(), "prog");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return resolve_config(flags, lookup(env));
}

std::string error_of(const Env& env, std::vector<std::string> args = {}) {
  try {
    resolve(env, std::move(args));
  } catch (const ConfigurationError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(Config, DefaultsOfSpecSection8) {
  const auto config = resolve(kRequired);
  EXPECT_EQ(config.monitoring_sns_topic_arn, "arn:aws:sns:eu-west-2:123456789012:topic");
  EXPECT_EQ(config.export_state_sqs_queue_url, "http://sqs/queue.fifo");
  EXPECT_EQ(config.export_status_table, "UCExportToCrownStatus");
  EXPECT_EQ(config.product_status_table, "data_pipeline_metadata");
  EXPECT_EQ(config.file_receipts_table, "snapshot_sender_status_checker_file_receipts");
  EXPECT_EQ(config.file_receipts_expiry_days, 30);
  EXPECT_EQ(config.aws_region, "eu-west-2");
  EXPECT_EQ(config.aws_profile, "default");
  EXPECT_FALSE(config.aws_profile_named);
  EXPECT_EQ(config.environment, "NOT_SET");
  EXPECT_EQ(config.application, "NOT_SET");
  EXPECT_EQ(config.log_level, log::Level::Info);
  EXPECT_FALSE(config.pushgateway_hostname.has_value());
  EXPECT_EQ(config.pushgateway_port, 9091);
  EXPECT_EQ(config.metrics_scrape_interval_seconds, 70);
}

TEST(Config, ReadsEveryVariable) {
  Env env = kRequired;
  env.insert({{"DYNAMO_DB_EXPORT_STATUS_TABLE_NAME", "exports"},
              {"DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME", "products"},
              {"DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME", "receipts"},
              {"FILE_RECEIPTS_EXPIRY_DAYS", "14"},
              {"AWS_REGION", "eu-west-1"},
              {"AWS_PROFILE", "ops"},
              {"ENVIRONMENT", "dev"},
              {"APPLICATION", "ssc"},
              {"LOG_LEVEL", "debug"},
              {"PUSHGATEWAY_HOSTNAME", "gw"},
              {"PUSHGATEWAY_PORT", "9092"},
              {"METRICS_SCRAPE_INTERVAL_SECONDS", "0"}});
  const auto config = resolve(env);
  EXPECT_EQ(config.export_status_table, "exports");
  EXPECT_EQ(config.product_status_table, "products");
  EXPECT_EQ(config.file_receipts_table, "receipts");
  EXPECT_EQ(config.file_receipts_expiry_days, 14);
  EXPECT_EQ(config.aws_region, "eu-west-1");
  EXPECT_EQ(config.aws_profile, "ops");
  EXPECT_TRUE(config.aws_profile_named);
  EXPECT_EQ(config.environment, "dev");
  EXPECT_EQ(config.application, "ssc");
  EXPECT_EQ(config.log_level, log::Level::Debug);
  EXPECT_EQ(config.pushgateway_hostname, "gw");
  EXPECT_EQ(config.pushgateway_port, 9092);
  EXPECT_EQ(config.metrics_scrape_interval_seconds, 0);
}

TEST(Config, FlagsOverrideTheEnvironment) {
  Env env = kRequired;
  env.insert({{"AWS_REGION", "eu-west-1"},
              {"LOG_LEVEL", "ERROR"},
              {"PUSHGATEWAY_HOSTNAME", "env-gw"},
              {"DYNAMO_DB_EXPORT_STATUS_TABLE_NAME", "env-table"}});
  const auto config = resolve(env, {"--monitoring-sns-topic-arn",
                                    "arn:aws:sns:eu-west-2:123456789012:flag",
                                    "--export-state-sqs-queue-url",
                                    "https://sqs.eu-west-2.amazonaws.com/123456789012/flag.fifo",
                                    "--dynamo-db-export-status-table-name",
                                    "t_1",
                                    "--dynamo-db-product-status-table-name",
                                    "t_2",
                                    "--dynamo-db-file-receipts-table-name",
                                    "t_3",
                                    "--file-receipts-expiry-days",
                                    "7",
                                    "--aws-region",
                                    "us-east-1",
                                    "--aws-profile",
                                    "p",
                                    "--environment",
                                    "e",
                                    "--application",
                                    "a",
                                    "--log-level",
                                    "warning",
                                    "--pushgateway-hostname",
                                    "flag-gw",
                                    "--pushgateway-port",
                                    "1234",
                                    "--metrics-scrape-interval-seconds",
                                    "5"});
  EXPECT_EQ(config.monitoring_sns_topic_arn, "arn:aws:sns:eu-west-2:123456789012:flag");
  EXPECT_EQ(config.export_state_sqs_queue_url,
            "https://sqs.eu-west-2.amazonaws.com/123456789012/flag.fifo");
  EXPECT_EQ(config.export_status_table, "t_1");
  EXPECT_EQ(config.product_status_table, "t_2");
  EXPECT_EQ(config.file_receipts_table, "t_3");
  EXPECT_EQ(config.file_receipts_expiry_days, 7);
  EXPECT_EQ(config.aws_region, "us-east-1");
  EXPECT_EQ(config.aws_profile, "p");
  EXPECT_EQ(config.environment, "e");
  EXPECT_EQ(config.application, "a");
  EXPECT_EQ(config.log_level, log::Level::Warning);
  EXPECT_EQ(config.pushgateway_hostname, "flag-gw");
  EXPECT_EQ(config.pushgateway_port, 1234);
  EXPECT_EQ(config.metrics_scrape_interval_seconds, 5);
}

TEST(Config, RequiredSettingsMayComeFromFlagsAlone) {
  const auto config =
      resolve({}, {"--monitoring-sns-topic-arn", "arn:aws:sns:eu-west-2:123456789012:t",
                   "--export-state-sqs-queue-url", "http://127.0.0.1:1/123456789012/q.fifo"});
  EXPECT_EQ(config.monitoring_sns_topic_arn, "arn:aws:sns:eu-west-2:123456789012:t");
}

TEST(Config, RegionFallsBackToAwsDefaultRegion) {
  Env env = kRequired;
  env["AWS_DEFAULT_REGION"] = "ap-south-1";
  EXPECT_EQ(resolve(env).aws_region, "ap-south-1");
  env["AWS_REGION"] = "eu-central-1";
  EXPECT_EQ(resolve(env).aws_region, "eu-central-1");
}

TEST(Config, MissingRequiredSettingsAreNamedWithTheirFlags) {
  EXPECT_THAT(error_of({}),
              AllOf(HasSubstr("MONITORING_SNS_TOPIC_ARN (--monitoring-sns-topic-arn)"),
                    HasSubstr("EXPORT_STATE_SQS_QUEUE_URL (--export-state-sqs-queue-url)"),
                    HasSubstr("required")));
  Env env = kRequired;
  env["MONITORING_SNS_TOPIC_ARN"] = "";  // empty counts as unset
  EXPECT_THAT(error_of(env), HasSubstr("MONITORING_SNS_TOPIC_ARN (--monitoring-sns-topic-arn)"));
}

TEST(Config, BadValuesAreNamedWithTheirFlags) {
  Env env = kRequired;
  env["PUSHGATEWAY_PORT"] = "ninety";
  EXPECT_THAT(error_of(env),
              AllOf(HasSubstr("PUSHGATEWAY_PORT (--pushgateway-port)"), HasSubstr("\"ninety\"")));
  EXPECT_THAT(error_of(kRequired, {"--pushgateway-port", "70000"}),
              HasSubstr("PUSHGATEWAY_PORT (--pushgateway-port)"));
  EXPECT_THAT(error_of(kRequired, {"--pushgateway-port", "9091x"}),
              HasSubstr("PUSHGATEWAY_PORT (--pushgateway-port)"));

  env = kRequired;
  env["LOG_LEVEL"] = "LOUD";
  EXPECT_THAT(error_of(env), AllOf(HasSubstr("LOG_LEVEL (--log-level)"), HasSubstr("\"LOUD\"")));

  env = kRequired;
  env["METRICS_SCRAPE_INTERVAL_SECONDS"] = "-1";
  EXPECT_THAT(error_of(env),
              HasSubstr("METRICS_SCRAPE_INTERVAL_SECONDS (--metrics-scrape-interval-seconds)"));

  for (const char* days : {"0", "1826", "thirty"}) {
    EXPECT_THAT(error_of(kRequired, {"--file-receipts-expiry-days", days}),
                HasSubstr("FILE_RECEIPTS_EXPIRY_DAYS (--file-receipts-expiry-days)"));
  }

  EXPECT_THAT(error_of(kRequired, {"--aws-region", "Not A Region"}),
              AllOf(HasSubstr("AWS_REGION"), HasSubstr("--aws-region")));
}

// The README's old example (ARN, URL) and a standard queue were accepted and failed later,
// per message, after the row had moved.
TEST(Config, NamesAwsWouldRefuseAreNamedWithTheirSetting) {
  Env env = kRequired;
  env["MONITORING_SNS_TOPIC_ARN"] = "ARN";
  env["EXPORT_STATE_SQS_QUEUE_URL"] = "URL";
  EXPECT_THAT(error_of(env),
              AllOf(HasSubstr("MONITORING_SNS_TOPIC_ARN (--monitoring-sns-topic-arn) must be an "
                              "SNS topic ARN"),
                    HasSubstr("got \"ARN\""),
                    HasSubstr("EXPORT_STATE_SQS_QUEUE_URL (--export-state-sqs-queue-url) must be "
                              "the URL of a FIFO queue"),
                    HasSubstr("got \"URL\"")));

  env = kRequired;
  env["EXPORT_STATE_SQS_QUEUE_URL"] = "https://sqs.eu-west-2.amazonaws.com/123456789012/standard";
  EXPECT_THAT(error_of(env), HasSubstr("EXPORT_STATE_SQS_QUEUE_URL"));

  for (const char* variable :
       {"DYNAMO_DB_EXPORT_STATUS_TABLE_NAME", "DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME",
        "DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME"}) {
    env = kRequired;
    env[variable] = "no spaces allowed";
    EXPECT_THAT(error_of(env), AllOf(HasSubstr(std::string(variable) + " (--dynamo-db-"),
                                     HasSubstr("must be a DynamoDB table name")))
        << variable;
  }
}

TEST(Config, ReportsEveryProblemAtOnce) {
  const auto message = error_of({{"LOG_LEVEL", "x"}, {"PUSHGATEWAY_PORT", "y"}});
  EXPECT_THAT(message,
              AllOf(HasSubstr("MONITORING_SNS_TOPIC_ARN"), HasSubstr("LOG_LEVEL"),
                    HasSubstr("PUSHGATEWAY_PORT"), HasSubstr("EXPORT_STATE_SQS_QUEUE_URL")));
}

TEST(Config, DescribeNamesEverySettingButNoCredential) {
  const auto fields = describe(resolve(kRequired));
  EXPECT_EQ(fields.at("aws_region"), "eu-west-2");
  EXPECT_EQ(fields.at("config_log_level"), "INFO");
  for (const auto& [name, value] : fields) {
    EXPECT_THAT(name, ::testing::Not(HasSubstr("secret")));
    EXPECT_THAT(name, ::testing::Not(HasSubstr("key")));
  }
}

}  // namespace
TEST(Config, ACommandIsNotRefusedForARequiredSettingItDoesNotUse) {
  EXPECT_NO_THROW(resolve_config({}, lookup({}), RequiredSettings{false, false}));
  const Config config = resolve_config({}, lookup(kRequired), RequiredSettings{false, false});
  EXPECT_EQ(config.export_state_sqs_queue_url, "http://sqs/queue.fifo");
  try {
    resolve_config({}, lookup({}), RequiredSettings{false, true});
    ADD_FAILURE() << "the queue is required";
  } catch (const ConfigurationError& error) {
    EXPECT_THAT(error.what(), HasSubstr("EXPORT_STATE_SQS_QUEUE_URL"));
    EXPECT_THAT(error.what(), Not(HasSubstr("MONITORING_SNS_TOPIC_ARN")));
  }
}

}  // namespace ssc::runtime
