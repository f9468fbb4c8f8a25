#include "adapters/sqs_export_state_queue.hpp"

#include <utility>

namespace ssc::adapters {

SqsExportStateQueue::SqsExportStateQueue(aws::SqsClient& client, std::string queue_url)
    : client_(client), queue_url_(std::move(queue_url)) {}

void SqsExportStateQueue::send(const std::string& body, const std::string& message_group_id,
                               const std::string& deduplication_id, core::Deadline deadline) {
  aws::SendMessageRequest request;
  request.queue_url = queue_url_;
  request.body = body;
  request.message_group_id = message_group_id;
  request.deduplication_id = deduplication_id;
  client_.send_message(request, deadline);
}

}  // namespace ssc::adapters
