#include "core/failures.hpp"

#include <cstddef>
#include <utility>

namespace ssc::core {
namespace {

std::string join_problems(const std::vector<std::string>& problems) {
  std::string joined = "invalid message: ";
  for (std::size_t i = 0; i < problems.size(); ++i) {
    if (i > 0) joined += "; ";
    joined += problems[i];
  }
  return joined;
}

}  // namespace

InvalidMessage::InvalidMessage(std::vector<std::string> problems)
    : std::runtime_error(join_problems(problems)), problems_(std::move(problems)) {}

}  // namespace ssc::core
