// What AWS would accept as the names the settings give (SPEC section 8), checked at start-up
// so that a bad one is an init error naming the setting instead of a failure per message,
// after a row has moved. Each check returns what is wrong, or nullopt when the value will do.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ssc::runtime {

// A DynamoDB table name: 3 to 255 characters of a-z A-Z 0-9 _ . -
std::optional<std::string> table_name_problem(std::string_view name);

// A FIFO queue URL: http or https, a host, and a last path segment that is a FIFO queue's
// name (1 to 75 characters of a-z A-Z 0-9 _ -, then ".fifo"), no query. AWS's own look like
// https://sqs.eu-west-2.amazonaws.com/123456789012/name.fifo, local emulators' like
// http://127.0.0.1:4566/123456789012/name.fifo.
std::optional<std::string> fifo_queue_url_problem(std::string_view url);

// An SNS topic ARN: arn:<partition>:sns:<region>:<12-digit account>:<topic name>, the name
// 1 to 256 characters of a-z A-Z 0-9 _ - (a FIFO topic's ending in ".fifo").
std::optional<std::string> sns_topic_arn_problem(std::string_view arn);

}  // namespace ssc::runtime
