#include "aws/curl_transport.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "aws/aws_error.hpp"
#include "test_http_server.hpp"

using namespace ssc::aws;
using ssc::test::ScriptedResponse;
using ssc::test::TestHttpServer;

namespace {

TEST(CurlTransport, SendsRequestAndReadsAnswer) {
  TestHttpServer server;
  server.enqueue({201, {{"X-Amzn-RequestId", "req-1"}, {"Content-Type", "text/plain"}}, "hello"});
  CurlTransport transport;
  HttpRequest request{"POST",
                      server.url() + "/path?a=b",
                      {{"X-Custom", "v"}, {"Empty", ""}},
                      std::string("body\0with nul", 13)};
  const HttpResponse response = transport.send(request, {});

  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "hello");
  EXPECT_EQ(response.header("x-amzn-requestid"), "req-1");  // names lower-cased
  EXPECT_EQ(response.header("content-type"), "text/plain");

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/path?a=b");
  EXPECT_EQ(requests[0].header("x-custom"), "v");
  EXPECT_EQ(requests[0].header_count("empty"), 1u);
  EXPECT_EQ(requests[0].body, std::string("body\0with nul", 13));
  EXPECT_EQ(requests[0].header_count("expect"), 0u);
}

TEST(CurlTransport, SupportsGetAndOtherMethods) {
  TestHttpServer server;
  CurlTransport transport;
  transport.send({"GET", server.url() + "/g", {}, ""}, {});
  transport.send({"DELETE", server.url() + "/d", {}, "x"}, {});
  transport.send({"PUT", server.url() + "/p", {}, "payload"}, {});
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].body, "");
  EXPECT_EQ(requests[1].method, "DELETE");
  EXPECT_EQ(requests[1].body, "x");
  EXPECT_EQ(requests[2].method, "PUT");
  EXPECT_EQ(requests[2].body, "payload");
}

TEST(CurlTransport, ReusesOneConnectionForConsecutiveRequests) {
  TestHttpServer server;
  CurlTransport transport;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(transport.send({"POST", server.url() + "/", {}, "n"}, {}).status, 200);
  }
  EXPECT_EQ(server.request_count(), 5u);
  EXPECT_EQ(server.accepted_connections(), 1);
}

TEST(CurlTransport, ReconnectsWhenTheServerClosed) {
  TestHttpServer server;
  ScriptedResponse closing;
  closing.close_after = true;
  server.enqueue(closing);
  CurlTransport transport;
  transport.send({"GET", server.url() + "/", {}, ""}, {});
  transport.send({"GET", server.url() + "/", {}, ""}, {});
  EXPECT_EQ(server.accepted_connections(), 2);
}

TEST(CurlTransport, RefusedConnectionIsTransportErrorNamingUrlWithoutQuery) {
  const int port = ssc::test::refused_port();
  CurlTransport transport;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/queue";
  try {
    transport.send({"GET", url + "?X-Amz-Security-Token=SECRETTOKEN", {}, ""}, {});
    FAIL() << "expected TransportError";
  } catch (const TransportError& error) {
    const std::string what = error.what();
    EXPECT_NE(what.find(url), std::string::npos) << what;
    EXPECT_EQ(what.find("SECRETTOKEN"), std::string::npos) << what;
    EXPECT_TRUE(error.retryable());
    EXPECT_EQ(error.http_status(), 0);
  }
}

TEST(CurlTransport, TotalTimeoutGivesTransportError) {
  TestHttpServer server;
  ScriptedResponse slow;
  slow.delay = std::chrono::milliseconds(3000);
  server.set_fallback(slow);
  CurlTransport transport;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(transport.send({"GET", server.url() + "/", {}, ""},
                              {std::chrono::milliseconds(500), std::chrono::milliseconds(200)}),
               TransportError);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2000));
}

TEST(CurlTransport, HttpErrorStatusIsAnAnswerNotAnException) {
  TestHttpServer server;
  server.enqueue({503, {}, "busy"});
  CurlTransport transport;
  const auto response = transport.send({"GET", server.url() + "/", {}, ""}, {});
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.body, "busy");
}

}  // namespace
