// The monitoring topic's adapter: what it publishes, through the real SNS client.
#include "adapters/sns_monitoring.hpp"

#include <gtest/gtest.h>

#include "../aws/scripted_transport.hpp"

namespace {

TEST(SnsTest, MonitoringAdapterPublishesToItsTopic) {
  ssc::test::FixedCredentials credentials;
  ssc::test::ScriptedTransport transport;
  ssc::aws::SnsClient client(ssc::test::test_endpoint("sns"), credentials, transport,
                             ssc::test::fast_policy());
  transport.reply(200,
                  "<PublishResponse><PublishResult><MessageId>m</MessageId></PublishResult>"
                  "</PublishResponse>");
  ssc::adapters::SnsMonitoring monitoring(client, "arn:t");
  monitoring.publish("hello", ssc::test::in_a_minute());
  EXPECT_EQ(transport.requests[0].body,
            "Action=Publish&Version=2010-03-31&TopicArn=arn%3At&Message=hello");
}

}  // namespace
