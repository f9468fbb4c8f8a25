// Monitoring notifications (SPEC section 6) on SNS. Thread-safe as its client is: the topic
// is fixed at construction.
#pragma once

#include <string>

#include "aws/sns.hpp"
#include "core/ports.hpp"

namespace ssc::adapters {

class SnsMonitoring final : public core::Monitoring {
 public:
  // `client` must outlive this object.
  SnsMonitoring(aws::SnsClient& client, std::string topic_arn);

  void publish(const std::string& message, core::Deadline deadline) override;

 private:
  aws::SnsClient& client_;
  std::string topic_arn_;
};

}  // namespace ssc::adapters
