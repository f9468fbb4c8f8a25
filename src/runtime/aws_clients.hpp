// One HTTP transport, the credentials chain (with the configured profile) and one client per
// AWS service, built from the configuration: what the Lambda and the operator commands share.
#pragma once

#include <cstddef>
#include <memory>

#include "aws/beast_transport.hpp"
#include "aws/credentials.hpp"
#include "aws/dynamodb.hpp"
#include "aws/sns.hpp"
#include "aws/sqs.hpp"
#include "runtime/config.hpp"

namespace ssc::runtime {

// Members in dependency order: each refers only to those above it. Not copyable or movable
// (the clients hold references to the transport and the credentials).
struct AwsClients {
  // `max_idle_connections`: connections kept open between requests (one per request made
  // at once). Throws aws::ConfigurationError for a bad endpoint or profile.
  AwsClients(const Config& config, std::size_t max_idle_connections);
  AwsClients(const AwsClients&) = delete;
  AwsClients& operator=(const AwsClients&) = delete;

  aws::BeastTransport http;
  std::unique_ptr<aws::CredentialsProvider> credentials;
  aws::DynamoDbClient dynamodb;
  aws::SqsClient sqs;
  aws::SnsClient sns;
};

}  // namespace ssc::runtime
