// chart: the plan as a PNG — agents needed by interval, per group and in total, Parley's
// plan (solid) against Erlang C's (dashed). Drawn with cairo.
#pragma once

#include <string>

#include "sim/planner.hpp"

namespace parley::sim {

/// Writes `p`'s chart to `path`. Throws plan_error when the file cannot be written.
void write_plan_chart(const std::string& path, const plan& p);

} // namespace parley::sim
