#include "aws/sns.hpp"

#include <pugixml.hpp>
#include <string>
#include <utility>
#include <vector>

#include "aws/detail/error_parsers.hpp"
#include "aws/detail/uri.hpp"

namespace ssc::aws {
namespace {

constexpr const char* kService = "sns";
constexpr const char* kVersion = "2010-03-31";

}  // namespace

SnsClient::SnsClient(ServiceEndpoint endpoint, CredentialsProvider& credentials,
                     HttpTransport& http, RetryPolicy policy, HttpTimeouts timeouts)
    : client_(std::move(endpoint), credentials, http, policy, detail::query_error_parser(kService),
              timeouts) {}

PublishResult SnsClient::publish(const PublishRequest& request, Deadline deadline) {
  std::vector<std::pair<std::string, std::string>> parameters = {{"Action", "Publish"},
                                                                 {"Version", kVersion},
                                                                 {"TopicArn", request.topic_arn},
                                                                 {"Message", request.message}};
  if (!request.subject.empty()) parameters.emplace_back("Subject", request.subject);
  if (!request.message_group_id.empty()) {
    parameters.emplace_back("MessageGroupId", request.message_group_id);
  }
  if (!request.deduplication_id.empty()) {
    parameters.emplace_back("MessageDeduplicationId", request.deduplication_id);
  }

  HttpRequest http;
  http.method = "POST";
  http.url = "/";
  http.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  http.body = detail::form_encode(parameters);
  const HttpResponse response =
      client_.call(std::move(http), "Publish", "topic " + request.topic_arn, deadline).response;

  pugi::xml_document document;
  if (!document.load_buffer(response.body.data(), response.body.size())) {
    throw detail::malformed_response(kService, response, "an XML <PublishResponse>");
  }
  const pugi::xml_node root = document.child("PublishResponse");
  const std::string message_id = root.child("PublishResult").child_value("MessageId");
  if (!root || message_id.empty()) {
    throw detail::malformed_response(kService, response, "a <PublishResponse> with a MessageId");
  }
  return {message_id, root.child("ResponseMetadata").child_value("RequestId")};
}

}  // namespace ssc::aws
