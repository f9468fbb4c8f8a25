#include "log/log.hpp"

#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "log/json_escape.hpp"

namespace ssc::log {
namespace {

// Process-wide settings. The level is read on every call, so it is atomic; configure()
// replaces the settings whole while other threads log, so a line holds the ones it started
// with through a shared pointer, taken under a lock, instead of copying their strings.
std::atomic<int> g_level{static_cast<int>(Level::Info)};
std::mutex g_settings_mutex;
std::shared_ptr<const Settings> g_settings = std::make_shared<const Settings>();

std::shared_ptr<const Settings> settings_in_force() {
  const std::lock_guard<std::mutex> lock(g_settings_mutex);
  return g_settings;
}

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

// "2026-12-06T17:51:20.123Z": ISO 8601, UTC, milliseconds.
using Timestamp = std::array<char, 24>;

void put_digits(char* at, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// The date and time of day change once a second while a thread may write hundreds of lines
// in it: each thread keeps the second it formatted last, and a line writes only its
// milliseconds.
Timestamp utc_timestamp_now() {
  using namespace std::chrono;
  struct FormattedSecond {
    sys_seconds second{seconds::min()};
    Timestamp text{};
  };
  thread_local FormattedSecond last;
  const auto now = time_point_cast<milliseconds>(system_clock::now());
  const auto second = floor<seconds>(now);
  if (second != last.second) {
    const std::time_t since_epoch = system_clock::to_time_t(second);
    std::tm utc{};
    gmtime_r(&since_epoch, &utc);
    char* text = last.text.data();
    put_digits(text, utc.tm_year + 1900, 4);
    text[4] = '-';
    put_digits(text + 5, utc.tm_mon + 1, 2);
    text[7] = '-';
    put_digits(text + 8, utc.tm_mday, 2);
    text[10] = 'T';
    put_digits(text + 11, utc.tm_hour, 2);
    text[13] = ':';
    put_digits(text + 14, utc.tm_min, 2);
    text[16] = ':';
    put_digits(text + 17, utc.tm_sec, 2);
    text[19] = '.';
    text[23] = 'Z';
    last.second = second;
  }
  Timestamp stamp = last.text;
  put_digits(stamp.data() + 20, static_cast<int>((now - second).count()), 3);
  return stamp;
}

const std::string& hostname() {
  static const std::string name = [] {
    std::array<char, 256> buffer{};
    if (gethostname(buffer.data(), buffer.size() - 1) != 0) return std::string("unknown");
    return std::string(buffer.data());
  }();
  return name;
}

// Read once: the process never forks, and a thread keeps its id for life.
long long process_id() {
  static const long long id = getpid();
  return id;
}

long long thread_id() {
  thread_local const long long id = gettid();
  return id;
}

// The line's own fields. A context or extra field of one of these names is left out: a
// caller must not be able to make a line lie about its level or time, nor say that nothing
// was cut.
constexpr std::array<std::string_view, 10> kStandardNames = {
    "timestamp", "log_level", "message", "environment", "application",
    "module",    "process",   "thread",  "hostname",    "cut_fields"};

bool is_standard_name(std::string_view name) {
  return std::find(kStandardNames.begin(), kStandardNames.end(), name) != kStandardNames.end();
}

// One line, written field by field into `out`; values longer than `value_limit` bytes are
// cut and named in cut_fields.
class LineWriter {
 public:
  LineWriter(std::string& out, std::size_t value_limit) : out_(out), limit_(value_limit) {}

  // A value the program itself chose (a level, a module name): escaped, never cut.
  void text(std::string_view name, std::string_view value) {
    open(name);
    out_ += '"';
    append_json_escaped(out_, value);
    out_ += '"';
  }

  void number(std::string_view name, long long value) {
    open(name);
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
    out_.append(digits.data(), end);
  }

  // A value from outside (a message, a file name): cut to the limit, never inside a UTF-8
  // character, with a note of how much there was.
  void cut_text(std::string_view name, std::string_view value) {
    open(name);
    out_ += '"';
    if (value.size() <= limit_) {
      append_json_escaped(out_, value);
    } else {
      std::size_t keep = limit_;
      while (keep > 0 && (static_cast<unsigned char>(value[keep]) & 0xC0) == 0x80) --keep;
      append_json_escaped(out_, value.substr(0, keep));
      out_ += " [cut: ";
      append_count(value.size());
      out_ += " bytes, the first ";
      append_count(keep);
      out_ += " shown]";
      cut_.push_back(name);
    }
    out_ += '"';
  }

  void finish() {
    if (!cut_.empty()) {
      open("cut_fields");
      out_ += '"';
      for (std::size_t i = 0; i < cut_.size(); ++i) {
        if (i > 0) out_ += ',';
        append_json_escaped(out_, cut_[i]);
      }
      out_ += '"';
    }
    out_ += "}\n";
  }

 private:
  void open(std::string_view name) {
    out_ += first_ ? "{\"" : ",\"";
    first_ = false;
    append_json_escaped(out_, name);
    out_ += "\":";
  }

  void append_count(std::size_t value) {
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
    out_.append(digits.data(), end);
  }

  std::string& out_;
  std::size_t limit_;
  bool first_ = true;
  std::vector<std::string_view> cut_;
};

void append_fields(std::string& out, Level level, std::string_view module, std::string_view message,
                   const Fields& extra, const Settings& settings, const Timestamp& timestamp,
                   std::size_t value_limit) {
  LineWriter line(out, value_limit);
  // The standard fields first, in a fixed order, which makes lines easier to read by eye.
  line.text("timestamp", std::string_view(timestamp.data(), timestamp.size()));
  line.text("log_level", level_name(level));
  line.cut_text("message", message);
  line.cut_text("environment", settings.environment);
  line.cut_text("application", settings.application);
  line.text("module", module);
  line.number("process", process_id());
  line.number("thread", thread_id());
  line.text("hostname", hostname());
  for (const auto& [key, value] : t_context) {
    if (!is_standard_name(key)) line.cut_text(key, value);
  }
  // The message's context wins over an extra of the same name.
  for (const auto& [key, value] : extra) {
    if (!is_standard_name(key) && !t_context.contains(key)) line.cut_text(key, value);
  }
  line.finish();
}

// Writes the line into `out` (emptied first).
void append_line(std::string& out, Level level, std::string_view module, std::string_view message,
                 const Fields& extra) {
  const auto settings = settings_in_force();
  const Timestamp timestamp = utc_timestamp_now();
  // Escaping can make a value up to six times longer (\u0001), and a line may have several
  // long values: halve the limit until the line fits. At 256 bytes a value is short enough
  // that any line the program writes fits.
  constexpr std::size_t kShortestLimit = 256;
  for (std::size_t limit = kMaxValueBytes;; limit /= 2) {
    out.clear();
    append_fields(out, level, module, message, extra, *settings, timestamp, limit);
    if (out.size() <= kMaxLineBytes || limit <= kShortestLimit) return;
  }
}

// One write(2) per line where the kernel allows it, so that a reader sees whole lines even
// when something other than this logger shares the descriptor.
void write_line(std::string_view line) {
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
  auto replacement = std::make_shared<const Settings>(settings);
  {
    const std::lock_guard<std::mutex> lock(g_settings_mutex);
    g_settings = std::move(replacement);
  }
  g_level.store(static_cast<int>(settings.level));
}

bool enabled(Level level) { return static_cast<int>(level) >= g_level.load(); }

std::string format_line(Level level, std::string_view module, std::string_view message,
                        const Fields& extra) {
  std::string line;
  append_line(line, level, module, message, extra);
  return line;
}

void write(Level level, std::string_view module, std::string_view message, const Fields& extra) {
  if (!enabled(level)) return;
  // Each thread writes its lines into the same buffer, so that a line allocates nothing once
  // the thread has written one. A buffer a long line grew is given back: ten workers must
  // not keep 255 KB each.
  constexpr std::size_t kKeptBufferBytes = 16 * 1024;
  thread_local std::string buffer;
  append_line(buffer, level, module, message, extra);
  write_line(buffer);
  if (buffer.capacity() > kKeptBufferBytes) std::string().swap(buffer);
}

Fields current_context() { return t_context; }

LogContext::LogContext(Fields fields) : previous_(t_context) {
  // Nested contexts add to the outer one; the destructor puts the outer one back.
  for (auto& [key, value] : fields) t_context[key] = std::move(value);
}

LogContext::~LogContext() { t_context = std::move(previous_); }

}  // namespace ssc::log
