// ASCII text helpers of the AWS layer's protocols: header names, URL schemes and INI keys
// are compared case-insensitively, and HTTP header and INI values lose surrounding space.
#pragma once

#include <string>
#include <string_view>

namespace ssc::aws::detail {

// `text` with A-Z lowered; other bytes as they are.
std::string ascii_lower(std::string_view text);

// `text` without leading and trailing spaces, tabs, CRs and LFs.
std::string_view trim_space(std::string_view text);

}  // namespace ssc::aws::detail
