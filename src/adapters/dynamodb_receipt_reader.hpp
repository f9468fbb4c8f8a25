// Looks up file receipts (SPEC section 2) by key for the operator's `missing-files`
// (SPEC section 10): strongly consistent BatchGetItem requests of up to 100 keys, several
// in flight at once, the keys DynamoDB leaves unprocessed asked for again after a backoff.
// Reads only: it never writes to the table.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "aws/deadline.hpp"
#include "aws/dynamodb.hpp"
#include "aws/retry.hpp"

namespace ssc::adapters {

enum class ReceiptState { Found, Missing, Unread };

struct ReceiptLookup {
  std::vector<ReceiptState> states;  // one per key asked for, in the same order
  std::size_t requests = 0;          // BatchGetItem requests made
  // Unread: unprocessed still when the deadline came. Such a key has no answer either way.
  std::size_t unread = 0;
};

class DynamoReceiptReader {
 public:
  // BatchGetItem's limit of keys in one request.
  static constexpr std::size_t kKeysPerRequest = 100;

  // `client` must outlive the reader; `max_in_flight` requests at most are made at once
  // (the client's transport should keep as many connections). `backoff` spaces the
  // repeats of unprocessed keys.
  DynamoReceiptReader(aws::DynamoDbClient& client, std::string table, std::size_t max_in_flight,
                      aws::RetryPolicy backoff = {});

  // Whether each of `keys` has a receipt. Keys left unprocessed are asked for again until
  // `deadline`, and those still left then are Unread. Throws aws::AwsError when DynamoDB
  // fails (after the client's own retries) or an item holds a malformed key.
  ReceiptLookup look_up(const std::vector<std::string>& keys, aws::Deadline deadline);

 private:
  aws::DynamoDbClient& client_;
  std::string table_;
  std::size_t max_in_flight_;
  aws::RetryPolicy backoff_;
};

}  // namespace ssc::adapters
