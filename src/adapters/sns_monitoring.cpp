#include "adapters/sns_monitoring.hpp"

#include <utility>

namespace ssc::adapters {

SnsMonitoring::SnsMonitoring(aws::SnsClient& client, std::string topic_arn)
    : client_(client), topic_arn_(std::move(topic_arn)) {}

void SnsMonitoring::publish(const std::string& message, core::Deadline deadline) {
  aws::PublishRequest request;
  request.topic_arn = topic_arn_;
  request.message = message;
  client_.publish(request, deadline);
}

}  // namespace ssc::adapters
