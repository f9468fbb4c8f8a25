// The export-state queue's adapter: what it sends, through the real SQS client.
#include "adapters/sqs_export_state_queue.hpp"

#include <gtest/gtest.h>

#include "../aws/scripted_transport.hpp"

namespace {

TEST(SqsTest, ExportStateQueueAdapterSendsToItsQueue) {
  constexpr const char* kQueue = "http://127.0.0.1:9/123456789012/export-state.fifo";
  ssc::test::FixedCredentials credentials;
  ssc::test::ScriptedTransport transport;
  ssc::aws::SqsClient client(ssc::test::test_endpoint("sqs"), credentials, transport,
                             ssc::test::fast_policy());
  transport.reply_json(200, {{"MessageId", "m"}});
  ssc::adapters::SqsExportStateQueue queue(client, kQueue);
  queue.send("body", "group", "dedup", ssc::test::in_a_minute());
  EXPECT_EQ(transport.body(0), (nlohmann::json{{"QueueUrl", kQueue},
                                               {"MessageBody", "body"},
                                               {"MessageGroupId", "group"},
                                               {"MessageDeduplicationId", "dedup"}}));
}

}  // namespace
