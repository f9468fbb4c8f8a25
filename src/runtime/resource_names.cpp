#include "runtime/resource_names.hpp"

#include <algorithm>
#include <vector>

#include "aws/sqs.hpp"

namespace ssc::runtime {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool all_of(std::string_view text, bool (*allowed)(char)) {
  return std::all_of(text.begin(), text.end(), allowed);
}

bool name_char(char c) { return is_alnum(c) || c == '_' || c == '-'; }
bool table_char(char c) { return name_char(c) || c == '.'; }
bool lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// a name of 1..max characters that `allowed`, with ".fifo" at the end when `fifo`.
bool valid_name(std::string_view name, std::size_t max, bool fifo) {
  constexpr std::string_view kFifo = ".fifo";
  if (fifo) {
    if (name.size() <= kFifo.size() || name.substr(name.size() - kFifo.size()) != kFifo) {
      return false;
    }
    name.remove_suffix(kFifo.size());
  }
  return !name.empty() && name.size() <= max && all_of(name, name_char);
}

// "aws", "aws-cn", "aws-us-gov", ...: lower-case words joined by '-'.
bool valid_partition(std::string_view partition) {
  if (partition.rfind("aws", 0) != 0) return false;
  for (const auto word : split(partition, '-')) {
    if (word.empty() || !all_of(word, lower_or_digit)) return false;
  }
  return true;
}

// "eu-west-2", "us-gov-west-1": lower-case words joined by '-', a number last.
bool valid_region(std::string_view region) {
  const auto words = split(region, '-');
  if (words.size() < 3) return false;
  for (const auto word : words) {
    if (word.empty() || !all_of(word, lower_or_digit)) return false;
  }
  return all_of(words.back(), digit);
}

}  // namespace

std::optional<std::string> table_name_problem(std::string_view name) {
  if (name.size() < 3 || name.size() > 255 || !all_of(name, table_char)) {
    return "must be a DynamoDB table name: 3 to 255 characters of a-z, A-Z, 0-9, '_', '.' "
           "and '-'";
  }
  return std::nullopt;
}

std::optional<std::string> fifo_queue_url_problem(std::string_view url) {
  static const std::string kShape =
      "must be the URL of a FIFO queue, such as "
      "https://sqs.eu-west-2.amazonaws.com/123456789012/name.fifo";
  const auto name = aws::queue_name_of(url);
  if (!name) return kShape;
  if (!valid_name(*name, 75, true)) {
    return kShape + " (its last path segment: a queue name ending in .fifo)";
  }
  return std::nullopt;
}

std::optional<std::string> sns_topic_arn_problem(std::string_view arn) {
  static const std::string kShape =
      "must be an SNS topic ARN, arn:<partition>:sns:<region>:<account>:<topic>, such as "
      "arn:aws:sns:eu-west-2:123456789012:name";
  const auto fields = split(arn, ':');
  if (fields.size() != 6 || fields[0] != "arn" || !valid_partition(fields[1]) ||
      fields[2] != "sns" || !valid_region(fields[3]) || fields[4].size() != 12 ||
      !all_of(fields[4], digit)) {
    return kShape;
  }
  const auto topic = fields[5];
  const bool fifo = topic.size() > 5 && topic.substr(topic.size() - 5) == ".fifo";
  if (!valid_name(topic, fifo ? 251 : 256, fifo)) {
    return kShape + " (the topic: 1 to 256 characters of a-z, A-Z, 0-9, '_' and '-')";
  }
  return std::nullopt;
}

}  // namespace ssc::runtime
