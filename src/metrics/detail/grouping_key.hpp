// How a group of the push gateway is named in its URL path.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssc::metrics {

using GroupingKey = std::vector<std::pair<std::string, std::string>>;  // name, value

// digest::base64url with padding; "=" for an empty value, as the push gateway wants it.
std::string padded_base64url(std::string_view bytes);

// "/job@base64/<job>/<name>@base64/<value>..." : every value base64-encoded, so that '/',
// '%', spaces or an empty value survive the path. Names are Prometheus label names and need
// no encoding.
std::string group_path(const std::string& job, const GroupingKey& key);

}  // namespace ssc::metrics
