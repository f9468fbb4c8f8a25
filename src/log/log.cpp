#include "log/log.hpp"

#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ssc::log {
namespace {

// Process-wide settings. The level is read on every call, so it is atomic; the strings are
// copied under a lock because configure() may run while other threads log.
std::atomic<int> g_level{static_cast<int>(Level::Info)};
std::mutex g_settings_mutex;
Settings g_settings;

// Serialises output so that lines from different threads never interleave.
std::mutex g_output_mutex;

thread_local Fields t_context;

const char* level_name(Level level) {
  switch (level) {
    case Level::Debug:
      return "DEBUG";
    case Level::Info:
      return "INFO";
    case Level::Warning:
      return "WARNING";
    case Level::Error:
      return "ERROR";
    case Level::Critical:
      return "CRITICAL";
  }
  return "INFO";
}

std::string utc_timestamp_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms_since_epoch =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms_since_epoch / 1000);
  const int millis = static_cast<int>(ms_since_epoch % 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> buffer{};
  const std::size_t length = std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%S", &utc);
  std::array<char, 8> fraction{};
  std::snprintf(fraction.data(), fraction.size(), ".%03dZ", millis);
  return std::string(buffer.data(), length) + fraction.data();
}

const std::string& hostname() {
  static const std::string name = [] {
    std::array<char, 256> buffer{};
    if (gethostname(buffer.data(), buffer.size() - 1) != 0) return std::string("unknown");
    return std::string(buffer.data());
  }();
  return name;
}

// One write(2) per line where the kernel allows it, so that a reader sees whole lines even
// when something other than this logger shares the descriptor.
void write_line(const std::string& line) {
  const std::lock_guard<std::mutex> lock(g_output_mutex);
  const char* data = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t written = ::write(STDERR_FILENO, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere left to report a failure to log.
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  std::string upper;
  upper.reserve(name.size());
  for (const char c : name)
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (upper == "DEBUG") return Level::Debug;
  if (upper == "INFO") return Level::Info;
  if (upper == "WARNING" || upper == "WARN") return Level::Warning;
  if (upper == "ERROR") return Level::Error;
  if (upper == "CRITICAL") return Level::Critical;
  return std::nullopt;
}

void configure(const Settings& settings) {
  {
    const std::lock_guard<std::mutex> lock(g_settings_mutex);
    g_settings = settings;
  }
  g_level.store(static_cast<int>(settings.level));
}

bool enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

namespace {

// The values of one line, cut to `limit` bytes each; remembers which were cut.
class ValueCutter {
 public:
  explicit ValueCutter(std::size_t limit) : limit_(limit) {}

  std::string operator()(const std::string& name, std::string_view value) {
    if (value.size() <= limit_) return std::string(value);
    std::size_t keep = limit_;
    // Never half a UTF-8 character: back off over continuation bytes.
    while (keep > 0 && (static_cast<unsigned char>(value[keep]) & 0xC0) == 0x80) --keep;
    cut_.push_back(name);
    return std::string(value.substr(0, keep)) + " [cut: " + std::to_string(value.size()) +
           " bytes, the first " + std::to_string(keep) + " shown]";
  }

  [[nodiscard]] std::string cut_fields() const {
    std::string names;
    for (const auto& name : cut_) names += (names.empty() ? "" : ",") + name;
    return names;
  }

 private:
  std::size_t limit_;
  std::vector<std::string> cut_;
};

std::string build_line(Level level, std::string_view module, std::string_view message,
                       const Fields& extra, const Settings& settings, const std::string& timestamp,
                       std::size_t value_limit) {
  ValueCutter cut(value_limit);
  // ordered_json keeps the standard fields first, which makes lines easier to read by eye.
  nlohmann::ordered_json line;
  line["timestamp"] = timestamp;
  line["log_level"] = level_name(level);
  line["message"] = cut("message", message);
  line["environment"] = cut("environment", settings.environment);
  line["application"] = cut("application", settings.application);
  line["module"] = std::string(module);
  line["process"] = static_cast<long long>(getpid());
  line["thread"] = static_cast<long long>(gettid());
  line["hostname"] = hostname();
  // Standard fields win over context and extras of the same name: a caller must not be able
  // to make a line lie about its level or time.
  for (const auto& [key, value] : t_context) {
    if (!line.contains(key)) line[key] = cut(key, value);
  }
  for (const auto& [key, value] : extra) {
    if (!line.contains(key)) line[key] = cut(key, value);
  }
  if (const auto names = cut.cut_fields(); !names.empty()) line["cut_fields"] = names;
  // Replace, not throw: a message with invalid UTF-8 must still produce a valid line.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string format_line(Level level, std::string_view module, std::string_view message,
                        const Fields& extra) {
  Settings settings;
  {
    const std::lock_guard<std::mutex> lock(g_settings_mutex);
    settings = g_settings;
  }
  const std::string timestamp = utc_timestamp_now();
  // Escaping can make a value up to six times longer (\u0001), and a line may have several
  // long values: halve the limit until the line fits. At 256 bytes a value is short enough
  // that any line the program writes fits.
  constexpr std::size_t kShortestLimit = 256;
  for (std::size_t limit = kMaxValueBytes;; limit /= 2) {
    std::string line = build_line(level, module, message, extra, settings, timestamp, limit);
    if (line.size() <= kMaxLineBytes || limit <= kShortestLimit) return line;
  }
}

void write(Level level, std::string_view module, std::string_view message, const Fields& extra) {
  if (!enabled(level)) return;
  write_line(format_line(level, module, message, extra));
}

Fields current_context() { return t_context; }

LogContext::LogContext(Fields fields) : previous_(t_context) {
  // Nested contexts add to the outer one; the destructor puts the outer one back.
  for (auto& [key, value] : fields) t_context[key] = std::move(value);
}

LogContext::~LogContext() { t_context = std::move(previous_); }

}  // namespace ssc::log
