// The `status` command's two outputs (SPEC section 10) of one run read at one time: the JSON
// object for scripts and the table a person reads at a glance. The verdicts and details come
// from core/run_status.hpp; this file only lays them out.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/run_status.hpp"

namespace ssc::runtime {

// Which collections the text lists (SPEC section 10): by default those not successful.
struct StatusListing {
  bool all = false;                                // --all
  std::optional<core::CollectionVerdict> verdict;  // --verdict V: only these
};

// `now_ms` is when the run was read: a pending mark is judged against it. JSON holds every
// collection; the text opens with the counts by verdict and lists those `listing` asks for,
// each with the command to run next where there is one.
nlohmann::ordered_json status_json(const core::RunState& run, std::int64_t now_ms,
                                   const core::TimeInWords& time_in_words);
std::string status_text(const core::RunState& run, std::int64_t now_ms,
                        const core::TimeInWords& time_in_words, const StatusListing& listing = {});

// What the operator runs next for a collection of this verdict, as a shell command line;
// nullopt when the verdict calls for none. Waiting for files: `missing-files`.
std::optional<std::string> next_command(const std::string& correlation_id,
                                        const core::CollectionRow& collection);

// `text` as one word of a POSIX shell: as it stands when it is safe, else single-quoted.
std::string shell_word(const std::string& text);

// Epoch ms as the operator's local time (the TZ variable, else the system's zone), to the
// second, with the zone's abbreviation: "2026-12-01 10:15:03 CET".
std::string local_time_in_words(std::int64_t epoch_ms);

}  // namespace ssc::runtime
