#include "aws/detail/error_parsers.hpp"

#include <gtest/gtest.h>

using ssc::aws::AwsError;
using ssc::aws::HttpResponse;
using ssc::aws::detail::parse_json_error;
using ssc::aws::detail::parse_query_error;

namespace {

TEST(JsonErrorParser, TakesCodeAfterHashMessageAndRequestId) {
  const HttpResponse response{
      400,
      {{"x-amzn-requestid", "REQ123"}},
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
      R"("message":"Requested resource not found"})"};
  const AwsError error = parse_json_error("dynamodb", response);
  EXPECT_EQ(error.code(), "ResourceNotFoundException");
  EXPECT_EQ(error.message(), "Requested resource not found");
  EXPECT_EQ(error.request_id(), "REQ123");
  EXPECT_EQ(error.http_status(), 400);
  EXPECT_FALSE(error.retryable());
}

TEST(JsonErrorParser, ReadsCapitalisedMessage) {
  const HttpResponse response{400, {}, R"({"__type":"ValidationException","Message":"bad"})"};
  const AwsError error = parse_json_error("dynamodb", response);
  EXPECT_EQ(error.code(), "ValidationException");
  EXPECT_EQ(error.message(), "bad");
}

TEST(JsonErrorParser, ThrottlingIsRetryable) {
  const HttpResponse response{
      400, {}, R"({"__type":"x#ProvisionedThroughputExceededException","message":"slow down"})"};
  EXPECT_TRUE(parse_json_error("dynamodb", response).retryable());
}

TEST(JsonErrorParser, QueryErrorHeaderGivesTheCode) {
  const HttpResponse response{
      400,
      {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"},
       {"x-amzn-requestid", "R1"}},
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"no queue"})"};
  const AwsError error = parse_json_error("sqs", response);
  EXPECT_EQ(error.code(), "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(error.message(), "no queue");
  EXPECT_EQ(error.request_id(), "R1");
}

TEST(JsonErrorParser, HtmlFromAProxyIsMalformedAndNamesServiceAndStatus) {
  const HttpResponse response{502, {}, "<html><body>Bad Gateway</body></html>"};
  const AwsError error = parse_json_error("dynamodb", response);
  EXPECT_EQ(error.code(), "MalformedResponse");
  EXPECT_NE(error.message().find("dynamodb"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("502"), std::string::npos) << error.message();
  EXPECT_NE(error.message().find("Bad Gateway"), std::string::npos) << error.message();
  EXPECT_TRUE(error.retryable());  // a 5xx stays worth retrying, whatever its body
}

TEST(JsonErrorParser, MalformedClientErrorIsNotRetryable) {
  const HttpResponse response{403, {}, "Forbidden"};
  const AwsError error = parse_json_error("sqs", response);
  EXPECT_EQ(error.code(), "MalformedResponse");
  EXPECT_FALSE(error.retryable());
}

TEST(JsonErrorParser, EmptyBodyFallsBackToTheStatus) {
  EXPECT_EQ(parse_json_error("dynamodb", {500, {}, ""}).code(), "InternalFailure");
  EXPECT_TRUE(parse_json_error("dynamodb", {500, {}, ""}).retryable());
  EXPECT_EQ(parse_json_error("dynamodb", {429, {}, ""}).code(), "Throttling");
  EXPECT_TRUE(parse_json_error("dynamodb", {429, {}, ""}).retryable());
  EXPECT_EQ(parse_json_error("dynamodb", {404, {}, ""}).code(), "HttpStatus404");
}

TEST(JsonErrorParser, LongBodiesAreCutInTheMessage) {
  const AwsError error = parse_json_error("sqs", {400, {}, std::string(10000, 'x')});
  EXPECT_LT(error.message().size(), 400u);
}

TEST(QueryErrorParser, ReadsErrorResponse) {
  const HttpResponse response{
      404,
      {},
      "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error>"
      "<Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message>"
      "</Error><RequestId>abc-123</RequestId></ErrorResponse>"};
  const AwsError error = parse_query_error("sns", response);
  EXPECT_EQ(error.code(), "NotFound");
  EXPECT_EQ(error.message(), "Topic does not exist");
  EXPECT_EQ(error.request_id(), "abc-123");
  EXPECT_FALSE(error.retryable());
}

TEST(QueryErrorParser, ThrottlingIsRetryable) {
  const HttpResponse response{
      400,
      {},
      "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message>"
      "</Error><RequestId>r</RequestId></ErrorResponse>"};
  EXPECT_TRUE(parse_query_error("sns", response).retryable());
}

TEST(QueryErrorParser, NotXmlIsMalformed) {
  const AwsError error = parse_query_error("sns", {503, {}, "{\"oops\": true"});
  EXPECT_EQ(error.code(), "MalformedResponse");
  EXPECT_NE(error.message().find("sns"), std::string::npos);
  EXPECT_NE(error.message().find("503"), std::string::npos);
  EXPECT_TRUE(error.retryable());
}

TEST(QueryErrorParser, XmlWithoutAnErrorIsMalformed) {
  EXPECT_EQ(parse_query_error("sns", {400, {}, "<Other/>"}).code(), "MalformedResponse");
}

}  // namespace
