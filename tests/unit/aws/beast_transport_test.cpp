#include "aws/beast_transport.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "aws/aws_error.hpp"
#include "test_http_server.hpp"

using namespace ssc::aws;
using ssc::test::ScriptedResponse;
using ssc::test::TestHttpServer;

namespace {

// A server that reads the request and drops the connection without a byte of answer.
ScriptedResponse hanging_up() {
  ScriptedResponse response;
  response.hang_up = true;
  return response;
}

TEST(BeastTransport, SendsRequestAndReadsAnswer) {
  TestHttpServer server;
  server.enqueue({201, {{"X-Amzn-RequestId", "req-1"}, {"Content-Type", "text/plain"}}, "hello"});
  BeastTransport transport;
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

TEST(BeastTransport, SupportsGetAndOtherMethods) {
  TestHttpServer server;
  BeastTransport transport;
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

TEST(BeastTransport, ReusesOneConnectionForConsecutiveRequests) {
  TestHttpServer server;
  BeastTransport transport;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(transport.send({"POST", server.url() + "/", {}, "n"}, {}).status, 200);
  }
  EXPECT_EQ(server.request_count(), 5u);
  EXPECT_EQ(server.accepted_connections(), 1);
}

TEST(BeastTransport, ReconnectsWhenTheServerClosed) {
  TestHttpServer server;
  ScriptedResponse closing;
  closing.close_after = true;
  server.enqueue(closing);
  BeastTransport transport;
  transport.send({"GET", server.url() + "/", {}, ""}, {});
  transport.send({"GET", server.url() + "/", {}, ""}, {});
  EXPECT_EQ(server.accepted_connections(), 2);
}

TEST(BeastTransport, RefusedConnectionIsTransportErrorNamingUrlWithoutQuery) {
  const int port = ssc::test::refused_port();
  BeastTransport transport;
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

TEST(BeastTransport, TotalTimeoutGivesTransportError) {
  TestHttpServer server;
  ScriptedResponse slow;
  slow.delay = std::chrono::milliseconds(3000);
  server.set_fallback(slow);
  BeastTransport transport;
  const auto started = std::chrono::steady_clock::now();
  EXPECT_THROW(transport.send({"GET", server.url() + "/", {}, ""},
                              {std::chrono::milliseconds(500), std::chrono::milliseconds(200)}),
               TransportError);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2000));
}

TEST(BeastTransport, ATlsHandshakeThatNeverAnswersEndsByTheConnectTimeout) {
  // A listening socket that is never served: the kernel completes the TCP connection, and
  // no TLS answer ever comes.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const std::string url = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
  BeastTransport transport;
  try {
    transport.send({"GET", url + "/", {}, ""},
                   {std::chrono::milliseconds(200), std::chrono::milliseconds(5000)});
    FAIL() << "expected TransportError";
  } catch (const TransportError& error) {
    EXPECT_NE(std::string(error.what()).find("TLS handshake: timed out"), std::string::npos)
        << error.what();
  }
}

TEST(BeastTransport, HttpErrorStatusIsAnAnswerNotAnException) {
  TestHttpServer server;
  server.enqueue({503, {}, "busy"});
  BeastTransport transport;
  const auto response = transport.send({"GET", server.url() + "/", {}, ""}, {});
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.body, "busy");
}

TEST(BeastTransport, RepeatsOnceOnAFreshConnectionWhenAKeptOneDiesUnanswered) {
  TestHttpServer server;
  server.enqueue({200, {}, "first"});
  const ScriptedResponse hang_up = hanging_up();
  server.enqueue(hang_up);
  server.enqueue({200, {}, "second"});
  BeastTransport transport;
  EXPECT_EQ(transport.send({"POST", server.url() + "/", {}, "1"}, {}).body, "first");
  // The kept connection looks alive when the request goes out; the server then drops it.
  EXPECT_EQ(transport.send({"POST", server.url() + "/", {}, "2"}, {}).body, "second");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].body, "2");
  EXPECT_EQ(requests[2].body, "2");  // the same request, repeated
  EXPECT_EQ(server.accepted_connections(), 2);
}

TEST(BeastTransport, AFreshConnectionThatDiesUnansweredIsNotRepeated) {
  TestHttpServer server;
  const ScriptedResponse hang_up = hanging_up();
  server.enqueue(hang_up);
  server.enqueue(hang_up);
  BeastTransport transport;
  EXPECT_THROW(transport.send({"POST", server.url() + "/", {}, "x"}, {}), TransportError);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(BeastTransport, ARepeatIsMadeOnceOnly) {
  TestHttpServer server;
  server.enqueue({200, {}, "ok"});
  const ScriptedResponse hang_up = hanging_up();
  server.enqueue(hang_up);
  server.enqueue(hang_up);
  BeastTransport transport;
  transport.send({"POST", server.url() + "/", {}, "1"}, {});
  EXPECT_THROW(transport.send({"POST", server.url() + "/", {}, "2"}, {}), TransportError);
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(BeastTransport, DoesNotReuseAConnectionTheServerClosedWithoutSayingSo) {
  TestHttpServer server;
  ScriptedResponse closing;
  closing.close_silently = true;
  server.enqueue(closing);
  BeastTransport transport;
  transport.send({"GET", server.url() + "/", {}, ""}, {});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // let the FIN arrive
  EXPECT_EQ(transport.send({"GET", server.url() + "/", {}, ""}, {}).status, 200);
  EXPECT_EQ(server.accepted_connections(), 2);
  EXPECT_EQ(server.request_count(), 2u);  // nothing was sent on the dead connection
}

TEST(BeastTransport, ThreadsShareThePoolWithoutSharingAConnection) {
  TestHttpServer server;
  ScriptedResponse slow;
  slow.delay = std::chrono::milliseconds(10);
  server.set_fallback(slow);
  BeastTransport transport(14);
  constexpr int kThreads = 10;
  constexpr int kRounds = 5;
  std::atomic<int> answered{0};
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < kRounds; ++i) {
          if (transport.send({"POST", server.url() + "/", {}, "n"}, {}).status == 200) ++answered;
        }
      });
    }
  }
  EXPECT_EQ(answered.load(), kThreads * kRounds);
  EXPECT_EQ(server.request_count(), static_cast<std::size_t>(kThreads * kRounds));
  EXPECT_LE(server.accepted_connections(), kThreads);  // kept and reused, one per thread at most
}

TEST(BeastTransport, AUrlItCannotUseIsAConfigurationError) {
  BeastTransport transport;
  EXPECT_THROW(transport.send({"GET", "ftp://127.0.0.1/x", {}, ""}, {}), ConfigurationError);
}

}  // namespace
