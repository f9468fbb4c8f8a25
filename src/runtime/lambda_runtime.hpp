// A custom runtime on the Lambda Runtime API (version 2018-06-01): fetch the next
// invocation, hand its event to the handler, post the answer or the error, forever.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "aws/http.hpp"

namespace ssc::runtime {

// The Runtime API refused a call or could not be reached: the execution environment is
// broken, and the process should end.
class RuntimeApiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Invocation {
  std::string request_id;    // Lambda-Runtime-Aws-Request-Id
  std::int64_t deadline_ms;  // Lambda-Runtime-Deadline-Ms: epoch ms when the function times out
  std::string event;         // the payload, as received
};

class RuntimeApiClient {
 public:
  // `address` is AWS_LAMBDA_RUNTIME_API (host:port). `http` must outlive the client.
  RuntimeApiClient(aws::HttpTransport& http, std::string address);

  // Blocks until Lambda has an invocation (long poll: no total timeout). Throws
  // RuntimeApiError.
  Invocation next();
  void respond(const std::string& request_id, const std::string& body);
  // Reports a failed invocation: {"errorMessage", "errorType"} and the error type header.
  void fail(const std::string& request_id, const std::string& error_type,
            const std::string& message);
  // Reports a failure before the first invocation (bad configuration); the process then
  // exits.
  void init_error(const std::string& error_type, const std::string& message);

 private:
  void post(const std::string& path, const std::string& body, aws::Headers headers);

  aws::HttpTransport& http_;
  std::string base_url_;
};

// The handler: the event's JSON text and the deadline (epoch ms) in, the response's JSON
// text out. An exception fails the invocation.
using InvocationHandler =
    std::function<std::string(const std::string& event, std::int64_t deadline_ms)>;

// Serves invocations one after the other. Returns only by throwing RuntimeApiError (or
// TransportError) when the Runtime API fails; a handler's exception fails that invocation
// alone.
void serve(RuntimeApiClient& client, const InvocationHandler& handler);

// The error document Lambda gives for a failed invocation:
// {"errorMessage": ..., "errorType": ..., "stackTrace": []}.
std::string error_document(const std::string& error_type, const std::string& message);

// The name of an exception's dynamic type without namespaces, e.g. "CollectionNotFound":
// the errorType Lambda shows for a failed invocation.
std::string error_type_of(const std::exception& error);

}  // namespace ssc::runtime
