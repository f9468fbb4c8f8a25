#include "runtime/resource_names.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ssc::runtime {
namespace {

TEST(TableName, DynamoDbsRule) {
  EXPECT_FALSE(table_name_problem("UCExportToCrownStatus"));
  EXPECT_FALSE(table_name_problem("data_pipeline_metadata"));
  EXPECT_FALSE(table_name_problem("a.b-c_9"));
  EXPECT_FALSE(table_name_problem("abc"));
  EXPECT_FALSE(table_name_problem(std::string(255, 'x')));
  EXPECT_TRUE(table_name_problem("ab"));
  EXPECT_TRUE(table_name_problem(std::string(256, 'x')));
  EXPECT_TRUE(table_name_problem("with space"));
  EXPECT_TRUE(table_name_problem("slash/table"));
  EXPECT_TRUE(table_name_problem("tablé"));
}

TEST(FifoQueueUrl, AwsAndLocalEndpoints) {
  EXPECT_FALSE(fifo_queue_url_problem("https://sqs.eu-west-2.amazonaws.com/123456789012/a.fifo"));
  EXPECT_FALSE(fifo_queue_url_problem("http://127.0.0.1:4566/123456789012/export-state_1.fifo"));
  EXPECT_FALSE(fifo_queue_url_problem("http://localhost:5000/queue/q.fifo"));
  EXPECT_TRUE(fifo_queue_url_problem("URL"));
  EXPECT_TRUE(fifo_queue_url_problem("export-state.fifo"));
  EXPECT_TRUE(fifo_queue_url_problem("https://sqs.eu-west-2.amazonaws.com/123456789012/standard"));
  EXPECT_TRUE(fifo_queue_url_problem("https://sqs.eu-west-2.amazonaws.com/123456789012/.fifo"));
  EXPECT_TRUE(fifo_queue_url_problem("https://sqs.eu-west-2.amazonaws.com/1/a.fifo?x=1"));
  EXPECT_TRUE(fifo_queue_url_problem("https://sqs.eu-west-2.amazonaws.com/1/a b.fifo"));
  EXPECT_TRUE(fifo_queue_url_problem("ftp://host/1/a.fifo"));
  EXPECT_TRUE(fifo_queue_url_problem("https:///1/a.fifo"));
  EXPECT_TRUE(fifo_queue_url_problem("https://host/1/" + std::string(76, 'q') + ".fifo"));
  EXPECT_FALSE(fifo_queue_url_problem("https://host/1/" + std::string(75, 'q') + ".fifo"));
}

TEST(SnsTopicArn, PartitionRegionAccountName) {
  EXPECT_FALSE(sns_topic_arn_problem("arn:aws:sns:eu-west-2:123456789012:monitoring"));
  EXPECT_FALSE(sns_topic_arn_problem("arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b-c"));
  EXPECT_FALSE(sns_topic_arn_problem("arn:aws-cn:sns:cn-north-1:123456789012:t.fifo"));
  EXPECT_TRUE(sns_topic_arn_problem("ARN"));
  EXPECT_TRUE(sns_topic_arn_problem("arn:aws:sqs:eu-west-2:123456789012:monitoring"));
  EXPECT_TRUE(sns_topic_arn_problem("arn:aws:sns:eu-west-2:1:monitoring"));
  EXPECT_TRUE(sns_topic_arn_problem("arn:aws:sns:eu-west-2:123456789012:"));
  EXPECT_TRUE(sns_topic_arn_problem("arn:aws:sns:eu-west-2:123456789012:a:b"));
  EXPECT_TRUE(sns_topic_arn_problem("arn:aws:sns:Europe:123456789012:t"));
  EXPECT_TRUE(sns_topic_arn_problem("arn:amazon:sns:eu-west-2:123456789012:t"));
  EXPECT_TRUE(sns_topic_arn_problem("arn:aws:sns:eu-west-2:123456789012:has space"));
  EXPECT_FALSE(
      sns_topic_arn_problem("arn:aws:sns:eu-west-2:123456789012:" + std::string(256, 't')));
  EXPECT_TRUE(sns_topic_arn_problem("arn:aws:sns:eu-west-2:123456789012:" + std::string(257, 't')));
}

}  // namespace
}  // namespace ssc::runtime
