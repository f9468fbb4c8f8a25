// The export-state queue (SPEC section 3) on SQS: the FIFO queue the snapshot sender reads.
// Thread-safe as its client is: the queue URL is fixed at construction.
#pragma once

#include <string>

#include "aws/sqs.hpp"
#include "core/ports.hpp"

namespace ssc::adapters {

class SqsExportStateQueue final : public core::ExportStateQueue {
 public:
  // `client` must outlive the queue.
  SqsExportStateQueue(aws::SqsClient& client, std::string queue_url);

  // An empty group or deduplication id is left out of the request (standard queues,
  // content-based deduplication).
  void send(const std::string& body, const std::string& message_group_id,
            const std::string& deduplication_id, core::Deadline deadline) override;

 private:
  aws::SqsClient& client_;
  std::string queue_url_;
};

}  // namespace ssc::adapters
