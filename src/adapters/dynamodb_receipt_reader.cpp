#include "adapters/dynamodb_receipt_reader.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adapters/detail/table_format.hpp"

namespace ssc::adapters {
namespace {

namespace receipt = table_format::receipt;
using Clock = std::chrono::steady_clock;

// What a lookup's threads share besides the result: each chunk of keys is taken by one
// thread only, so the states it writes in the result are its own.
struct SharedLookup {
  std::atomic<std::size_t> next_chunk{0};
  std::atomic<std::size_t> requests{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;
};

}  // namespace

DynamoReceiptReader::DynamoReceiptReader(aws::DynamoDbClient& client, std::string table,
                                         std::size_t max_in_flight, aws::RetryPolicy backoff)
    : client_(client),
      table_(std::move(table)),
      max_in_flight_(std::max<std::size_t>(max_in_flight, 1)),
      backoff_(backoff) {}

ReceiptLookup DynamoReceiptReader::look_up(const std::vector<std::string>& keys,
                                           aws::Deadline deadline) {
  ReceiptLookup result;
  result.states.assign(keys.size(), ReceiptState::Missing);
  SharedLookup shared;
  const std::size_t chunks = (keys.size() + kKeysPerRequest - 1) / kKeysPerRequest;
  const nlohmann::json read_options = {{"ConsistentRead", true},
                                       {"ProjectionExpression", receipt::kReceiptKey}};

  const auto read_chunk = [&](std::size_t chunk) {
    const std::size_t begin = chunk * kKeysPerRequest;
    const std::size_t end = std::min(begin + kKeysPerRequest, keys.size());
    std::unordered_map<std::string, std::size_t> index_of;
    nlohmann::json pending = nlohmann::json::array();
    for (std::size_t i = begin; i < end; ++i) {
      index_of.emplace(keys[i], i);
      pending.push_back({{receipt::kReceiptKey, aws::ddb::S(keys[i])}});
    }
    for (int retry = 1; !pending.empty(); ++retry) {
      aws::BatchGetResult answer =
          client_.batch_get_item(table_, std::move(pending), read_options, deadline);
      shared.requests.fetch_add(1, std::memory_order_relaxed);
      for (const auto& item : answer.items) {
        const auto key = aws::ddb::get_string(item, receipt::kReceiptKey);
        if (const auto found = key ? index_of.find(*key) : index_of.end();
            found != index_of.end()) {
          result.states[found->second] = ReceiptState::Found;
        }
      }
      pending = nlohmann::json::array();
      for (auto& key : answer.unprocessed_keys) pending.push_back(std::move(key));
      if (pending.empty()) return;
      const auto delay = aws::backoff_delay(backoff_, retry, aws::unit_random());
      if (Clock::now() + delay >= deadline || shared.failed) break;
      std::this_thread::sleep_for(delay);
    }
    for (const auto& key : pending) {
      const auto name = aws::ddb::get_string(key, receipt::kReceiptKey);
      if (const auto found = name ? index_of.find(*name) : index_of.end();
          found != index_of.end()) {
        result.states[found->second] = ReceiptState::Unread;
      }
    }
  };

  const auto work = [&] {
    for (std::size_t chunk; !shared.failed && (chunk = shared.next_chunk++) < chunks;) {
      try {
        read_chunk(chunk);
      } catch (...) {
        const std::lock_guard lock(shared.error_mutex);
        if (!shared.error) shared.error = std::current_exception();
        shared.failed = true;
      }
    }
  };
  {
    std::vector<std::jthread> helpers;
    const std::size_t threads = std::min(max_in_flight_, chunks);
    for (std::size_t i = 1; i < threads; ++i) helpers.emplace_back(work);
    work();
  }
  if (shared.error) std::rethrow_exception(shared.error);
  result.requests = shared.requests.load();
  result.unread = static_cast<std::size_t>(
      std::count(result.states.begin(), result.states.end(), ReceiptState::Unread));
  return result;
}

}  // namespace ssc::adapters
