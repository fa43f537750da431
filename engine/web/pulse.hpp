// pulse: Pulse's dashboards on the web surface (docs/pulse.md) — the widget document and its
// checks, and the statistics a widget opens: each object × statistic becomes a live_stat
// (live_stats.hpp), opened on the stats hub as a 2060 client's OpenStat would be, keyed
// "<widget id>.<object index>.<statistic index>" on the dashboard's stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/web/live_stats.hpp"

namespace parley::engine::web {

/// Widget kinds.
inline constexpr const char* widget_kinds[] = {"kpi", "grid", "list", "donut", "trend", "billboard"};
/// Value formats.
inline constexpr const char* widget_formats[] = {"integer", "number", "percent", "time", "agent_status"};

/// At most this many objects and statistics on one widget.
inline constexpr std::size_t max_widget_objects = 500;
inline constexpr std::size_t max_widget_statistics = 20;
inline constexpr std::size_t max_trend_lines = 20;

/// "" when `w` is a widget document, else why not (in words, naming the field). A widget on
/// a dashboard needs objects; a template's has none (`with_objects` false: must be empty).
/// Each statistic is checked as OpenStat would be (stats::validate) on each object type.
std::string widget_problem(const nlohmann::json& w, bool with_objects);

/// The object × statistic values a (checked) widget shows.
std::size_t widget_values(const nlohmann::json& w);

/// What a (checked) widget opens: one live_stat per object × statistic, key
/// "<id>.<o>.<s>"; an `agent_status` statistic adds "<id>.<o>.<s>.since" (time_in_state,
/// from which the page counts the duration on).
std::vector<live_stat> widget_stats(std::int64_t id, const nlohmann::json& w);

/// The history's name for statistic `s` of object `o` of a trend widget: the statistic's
/// OpenStat fields, so identical statistics share one history.
std::string history_key(const nlohmann::json& object, const nlohmann::json& statistic);

/// The statistics a (checked) trend widget samples: (history key, what to open), with
/// notify periodic every `sample_s`. Empty for other kinds.
std::vector<std::pair<std::string, stats::stat_spec>> trend_stats(const nlohmann::json& w, std::uint32_t sample_s);

/// True when `a` and `b` differ only in display: title, size, and each statistic's alias,
/// format and thresholds (what pulse.display may change).
bool same_but_display(const nlohmann::json& a, const nlohmann::json& b);

} // namespace parley::engine::web
