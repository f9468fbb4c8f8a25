// The `status` command's two outputs (SPEC section 10) of one run read at one time: the JSON
// object for scripts and the table a person reads at a glance. The verdicts and details come
// from core/run_status.hpp; this file only lays them out.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/run_status.hpp"

namespace ssc::runtime {

// `now_ms` is when the run was read: a pending mark is judged against it.
nlohmann::ordered_json status_json(const core::RunState& run, std::int64_t now_ms,
                                   const core::TimeInWords& time_in_words);
std::string status_text(const core::RunState& run, std::int64_t now_ms,
                        const core::TimeInWords& time_in_words);

// Epoch ms as the operator's local time (the TZ variable, else the system's zone), to the
// second, with the zone's abbreviation: "2026-12-01 10:15:03 CET".
std::string local_time_in_words(std::int64_t epoch_ms);

}  // namespace ssc::runtime
