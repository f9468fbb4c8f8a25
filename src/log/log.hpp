// JSON lines on standard error (SPEC section 9). One object per line, always valid JSON,
// whatever the message holds, and never longer than kMaxLineBytes: a value longer than
// kMaxValueBytes is cut (shorter still when the line would not fit otherwise), ends with
// " [cut: <n> bytes, the first <m> shown]" and is named in the line's "cut_fields". Context
// fields (correlation_id, collection_name, file_name) come from a thread-local LogContext
// set by the handler for the message in hand.
//
// Threads: write() and its shorthands may be called from any thread at once; a mutex holds
// each line's output to standard error, so lines never interleave. The level is an atomic
// and the other settings are replaced whole under a lock, so configure() may run meanwhile.
// A LogContext is its thread's own: it never labels another thread's lines.
//
// Cost: a line is written straight into a buffer the thread keeps (no JSON tree, no copy of
// the context), with the timestamp's date and time of day formatted once a second.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ssc::log {

enum class Level { Debug = 10, Info = 20, Warning = 30, Error = 40, Critical = 50 };

// Parses DEBUG, INFO, WARNING (or WARN), ERROR, CRITICAL in any case; nullopt otherwise.
std::optional<Level> parse_level(std::string_view name);

struct Settings {
  Level level = Level::Info;
  std::string environment = "NOT_SET";
  std::string application = "NOT_SET";
};
void configure(const Settings& settings);
bool enabled(Level level);

using Fields = std::map<std::string, std::string>;

// CloudWatch Logs drops an event over 256 KB (262,144 bytes, 26 of them its own overhead);
// the rest of the last KB is room for what Lambda adds to a line.
inline constexpr std::size_t kMaxLineBytes = 255 * 1024;
// More of a value than anyone reads in a log line: a 1 MB file name is cut to this.
inline constexpr std::size_t kMaxValueBytes = 16 * 1024;

// `module` names the part of the program speaking (e.g. "workflow", "dynamodb").
void write(Level level, std::string_view module, std::string_view message,
           const Fields& extra = {});

inline void debug(std::string_view module, std::string_view message, const Fields& extra = {}) {
  write(Level::Debug, module, message, extra);
}
inline void info(std::string_view module, std::string_view message, const Fields& extra = {}) {
  write(Level::Info, module, message, extra);
}
inline void warning(std::string_view module, std::string_view message, const Fields& extra = {}) {
  write(Level::Warning, module, message, extra);
}
inline void error(std::string_view module, std::string_view message, const Fields& extra = {}) {
  write(Level::Error, module, message, extra);
}
inline void critical(std::string_view module, std::string_view message, const Fields& extra = {}) {
  write(Level::Critical, module, message, extra);
}

// The line write() would emit (with its trailing newline), whatever the level filter says.
// Standard fields (cut_fields among them) win over context and extra fields of the same
// name, and context fields over extra ones.
std::string format_line(Level level, std::string_view module, std::string_view message,
                        const Fields& extra = {});

// The context fields in force on this thread: what a thread that works for this one (a
// batch's worker) sets as its own context, so its lines say whose work they are.
Fields current_context();

// Sets the message context for this thread while it lives.
class LogContext {
 public:
  explicit LogContext(Fields fields);
  ~LogContext();
  LogContext(const LogContext&) = delete;
  LogContext& operator=(const LogContext&) = delete;

 private:
  Fields previous_;
};

}  // namespace ssc::log
