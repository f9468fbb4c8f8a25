// Error answers of the wire protocols these clients speak, turned into AwsError. Every
// answer becomes an error with a code, never a crash: a body that is not what the
// protocol promises becomes "MalformedResponse" naming the service and the HTTP status.
#pragma once

#include <string>

#include "aws/aws_client.hpp"
#include "aws/aws_error.hpp"
#include "aws/http.hpp"

namespace ssc::aws::detail {

// The code given to an answer whose body is not the JSON or XML its protocol promises.
inline constexpr const char* kMalformedResponse = "MalformedResponse";

// Builds an AwsError whose retryable flag is decided here, by the shared retry rules
// (is_retryable), and nowhere else.
AwsError make_service_error(std::string code, std::string message, std::string request_id,
                            long http_status);

// An answer (2xx or not) whose body could not be read: `why` says what was wrong.
AwsError malformed_response(const std::string& service, const HttpResponse& response,
                            const std::string& why);

// AWS JSON 1.0 protocol (DynamoDB, SQS): code from "__type" (the part after '#'),
// message from "message" or "Message", request id from x-amzn-requestid. When the
// x-amzn-query-error header is present (SQS), its code wins, as in the AWS SDKs: it is
// the code the service documents for its query API ("AWS.SimpleQueueService....").
AwsError parse_json_error(const std::string& service, const HttpResponse& response);

// AWS query protocol (SNS): <ErrorResponse><Error><Code>, <Message></Error>
// <RequestId></ErrorResponse>.
AwsError parse_query_error(const std::string& service, const HttpResponse& response);

ErrorParser json_error_parser(std::string service);
ErrorParser query_error_parser(std::string service);

}  // namespace ssc::aws::detail
