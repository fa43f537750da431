// plan_command: `parley plan` — the staffing planner's command line (docs/planning.md).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/planner.hpp"

namespace parley::sim {

struct plan_command {
  std::string config_path = "conf/parley.toml";
  std::vector<std::string> overrides;
  std::string forecast_path;
  std::string out_path = "plan.csv";
  std::string chart_path = "plan.png";
  double sl_pct = 80, max_abandon_pct = 5, no_answer_pct = 0, warmup_min = 30;
  double sl_s = 0;  ///< 0: each queue's service_level_s
  bool quiet = false;
  plan_options o;
};

/// Adds `plan` and its options to `app`, filling `c`; returns the subcommand.
CLI::App* add_plan_command(CLI::App& app, plan_command& c);

/// Runs it: 0 when every interval's targets were met, 1 when one's were not, 2 when the
/// config or forecast is wrong or a file cannot be written.
int run_plan(plan_command& c);

/// `path` with `suffix` before its extension (plan.csv -> plan-queues.csv).
std::string with_suffix(const std::string& path, const std::string& suffix);

} // namespace parley::sim
