// A thin DynamoDB client: the JSON 1.0 protocol (POST /, X-Amz-Target
// DynamoDB_20120810.<Operation>). Requests and answers are in DynamoDB's own attribute-value
// format, so that every expression feature stays reachable: a request is written text or a
// tree (aws/json_request.hpp), an answer a nlohmann::json. A condition
// that did not hold is an answer, a value (UpdateOutcome, TransactionOutcome); failures are
// thrown (AwsError, TransactionCanceled).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.hpp"
#include "aws/aws_error.hpp"
#include "aws/credentials.hpp"
#include "aws/deadline.hpp"
#include "aws/endpoints.hpp"
#include "aws/http.hpp"
#include "aws/json_request.hpp"
#include "aws/retry.hpp"

namespace ssc::aws {

// Attribute values in DynamoDB's JSON form, and reading them back out of an item. A
// {"NULL": true} value reads as absent: it is how other writers (boto3 given None) say so.
namespace ddb {

nlohmann::json S(std::string_view value);
nlohmann::json N(std::int64_t value);

// The S value of `name`; nullopt when absent. Throws AwsError (MalformedResponse) when the
// attribute holds another type.
std::optional<std::string> get_string(const nlohmann::json& item, const std::string& name);

// The N value of `name` as an integer; nullopt when absent. DynamoDB sends numbers as
// strings: anything but an integer that fits in 64 bits throws AwsError
// (MalformedResponse) naming the attribute and the value. An S holding an integer is read
// too, because the tables are shared with systems that may write one.
std::optional<std::int64_t> get_int64(const nlohmann::json& item, const std::string& name);

}  // namespace ddb

// What a conditional UpdateItem came to: applied, with the answer's Attributes when
// ReturnValues asked for them; or refused, its ConditionExpression did not hold (an answer,
// not an error), with the item as it stood when the request asked for it
// (ReturnValuesOnConditionCheckFailure ALL_OLD) and the service sent it.
struct UpdateOutcome {
  bool applied = false;
  std::optional<nlohmann::json> attributes;
  std::optional<nlohmann::json> item;
};

struct CancellationReason {
  std::string code;  // "None" for an action that would have succeeded
  std::string message;
  std::optional<nlohmann::json> item;  // when ReturnValuesOnConditionCheckFailure asked
};

// TransactWriteItems was cancelled for reasons other than a failed condition (which is an
// answer: TransactionOutcome): one reason per action, in request order.
class TransactionCanceled : public AwsError {
 public:
  TransactionCanceled(const AwsError& error, std::vector<CancellationReason> reasons);
  [[nodiscard]] const std::vector<CancellationReason>& reasons() const noexcept {
    return *reasons_;
  }
  // Cancelled only for reasons a new attempt can get past: another transaction held one of
  // the items (TransactionConflict), or capacity ran short (ThrottlingError,
  // ProvisionedThroughputExceeded), beside actions that would have succeeded ("None").
  [[nodiscard]] bool transient() const noexcept { return transient_; }
  // Among those reasons, another transaction held one of the items: contention, retried
  // until the deadline (aws/retry.hpp).
  [[nodiscard]] bool conflict() const noexcept { return conflict_; }

 private:
  bool transient_;
  bool conflict_;
  std::shared_ptr<const std::vector<CancellationReason>> reasons_;
};

// What a TransactWriteItems came to: committed, or refused with the reasons (one per action,
// in request order; ConditionalCheckFailed for each action whose condition failed). Either
// way `attempts` is how many were sent (a repeat of one attempt counted once per send) and
// `conflicts` how many of them met another transaction.
struct TransactionOutcome {
  bool committed = false;
  std::vector<CancellationReason> reasons;
  int attempts = 0;
  int conflicts = 0;
};

// One BatchGetItem of one table: the items found, and the keys DynamoDB left unprocessed
// (capacity ran short), which the caller asks for again after a backoff.
struct BatchGetResult {
  std::vector<nlohmann::json> items;
  std::vector<nlohmann::json> unprocessed_keys;
};

struct QueryResult {
  std::vector<nlohmann::json> items;
  int pages = 0;  // Query requests made
};

// Every operation may be called from many threads at once: the client is its AwsClient
// (thread-safe); a request's state lives in the call.
class DynamoDbClient {
 public:
  DynamoDbClient(ServiceEndpoint endpoint, CredentialsProvider& credentials, HttpTransport& http,
                 RetryPolicy policy = {}, HttpTimeouts timeouts = {});

  // Every operation, its retries and all its pages end by `deadline`.

  // A request is written text or a tree (JsonRequest).
  std::optional<nlohmann::json> get_item(JsonRequest request, Deadline deadline);
  UpdateOutcome update_item(JsonRequest request, Deadline deadline);
  // One BatchGetItem of `keys` (at most 100) from `table`; `read_options` holds the rest of
  // its KeysAndAttributes (ConsistentRead, ProjectionExpression, ...). A key that has no
  // item is in neither list of the answer.
  BatchGetResult batch_get_item(const std::string& table, nlohmann::json keys,
                                const nlohmann::json& read_options, Deadline deadline);
  // Every page: follows LastEvaluatedKey until the service sends none.
  QueryResult query_all(nlohmann::json request, Deadline deadline);
  // TransactWriteItems with ClientRequestToken `token_for(attempt)`, attempts from 1, put
  // into `request` (an object without one). Every
  // repeat of one attempt (a lost answer, a 5xx, a reset) carries its token, so DynamoDB
  // applies it at most once. A cancellation for transient reasons applied nothing: the
  // transaction is sent again after a backoff under the next attempt's token, so that no
  // token of a cancelled attempt is ever sent again, whatever DynamoDB keeps of it;
  // contention (TransactionConflict) is retried until the deadline, throttling within the
  // policy's attempts. A cancellation for a failed condition is returned, not thrown;
  // anything else throws (TransactionCanceled for other reasons, AwsError), naming every
  // attempt made.
  TransactionOutcome transact_write_items(const JsonRequest& request,
                                          const std::function<std::string(int attempt)>& token_for,
                                          Deadline deadline);

  [[nodiscard]] const AwsClient& aws() const { return client_; }

 private:
  AwsClient client_;
  RetryPolicy policy_;

  // One operation that no condition refuses: the answer's JSON object. Throws AwsError.
  nlohmann::json call(std::string_view operation, JsonRequest request, Deadline deadline);
};

}  // namespace ssc::aws
