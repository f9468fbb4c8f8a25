// The AWS JSON 1.0 protocol that DynamoDB and SQS both speak: one POST to "/", the
// operation named in X-Amz-Target, a JSON object each way.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "aws/aws_client.hpp"
#include "aws/json_request.hpp"

namespace ssc::aws::detail {

// What a JSON request is made on, for its errors: "table <TableName>", the tables of a
// transaction's TransactItems ("tables A, B" when more than one), "queue <QueueUrl>"; empty
// when it names none.
std::string resource_of(const nlohmann::json& request);

// The answer's JSON object (an empty answer is an empty object), and AwsClient's refusal
// and attempts (aws/aws_client.hpp). A refusal's body is its error object.
struct JsonAnswer {
  nlohmann::json body;
  std::optional<AwsError> refusal;
  int attempts = 0;
};

// Calls `target_prefix + operation`. Throws AwsError, MalformedResponse when a 2xx answer is
// not a JSON object. Ends by `deadline`.
JsonAnswer call_json_protocol(AwsClient& client, const std::string& service,
                              std::string_view target_prefix, std::string_view operation,
                              JsonRequest request, Deadline deadline);

}  // namespace ssc::aws::detail
