// Which label values a push may carry. A push gateway takes a group's labels in its URL and
// every label in its body; a value of a megabyte (a 1 MB correlation id) makes a URL no
// server takes and, before that, ran libcurl out of memory. Such a value is refused when a
// series would be recorded with it, with a WARNING, so that no push ever carries it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ssc::metrics {

// The largest key DynamoDB stores (a partition key, 2048 bytes): every correlation id and
// collection name of a row that exists fits.
inline constexpr std::size_t kMaxLabelValueBytes = 2048;

// What is wrong with `value` as a label value (longer than kMaxLabelValueBytes, or not
// UTF-8, which Prometheus requires); nullopt when it will do. Never repeats the value.
std::optional<std::string> label_value_problem(std::string_view value);

}  // namespace ssc::metrics
