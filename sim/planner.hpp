// planner: the fewest agents per group and interval that meet a service-level target and an
// abandon limit — `parley plan` (docs/planning.md).
//
// Each interval of the forecast is planned alone, as a stationary stretch (staffing.hpp):
// the search starts from what Erlang C says (per queue and media, each on the first group
// that can take it, summed per group — the workforce planner's spreadsheet), adds one agent
// at a time to the group that helps most until every queue meets both targets, then takes
// agents away — all groups by one factor, then one agent at a time — while they still do.
// When more agents stop bringing the targets closer, the interval is reported as not met. Every candidate is measured by playing
// the interval's drawn traffic on the production engine (the same draws for every
// candidate), so skills, shared groups, overflow, offer timeouts, wrap-up and callers who
// hang up count as the engine handles them. Intervals with the same traffic are planned
// once. The same seed gives the same plan.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/config.hpp"
#include "sim/forecast.hpp"
#include "sim/staffing.hpp"

namespace parley::sim {

struct plan_options {
  behaviour people;
  measure_spec measure;
  double sl_target = 0.8;        ///< share answered within T (the queue's service_level_s)
  std::optional<double> sl_s;    ///< T for every queue instead of each queue's own
  double max_abandon = 0.05;     ///< share of callers who hang up
  double interval_min = 15;
  std::uint64_t seed = 1;
  unsigned max_agents = 2000;    ///< per group: the search gives up above this
  unsigned jobs = 1;             ///< intervals planned at once, each on a thread
};

/// One interval's plan.
struct interval_plan {
  std::string label;
  std::vector<unsigned> agents;     ///< by group: the plan
  std::vector<unsigned> erlang_c;   ///< by group: Erlang C's answer
  std::vector<double> offered;      ///< by queue: interactions in the interval
  std::vector<double> erlang_c_sl;  ///< by queue: the service level Erlang C predicts for its answer
  staffing_run planned;             ///< the plan, simulated
  staffing_run erlang_c_run;        ///< Erlang C's answer, simulated
  /// False: the targets were not met — more agents stopped bringing them closer, or every
  /// group reached max_agents; `agents` is then the fewest that came closest.
  bool met = false;
  unsigned runs = 0;                ///< staffings simulated (0: the same as an earlier interval)
  std::uint64_t calls = 0;          ///< calls simulated in those runs
  double real_s = 0;
};

struct plan {
  double interval_min = 15;
  std::vector<std::string> groups, queues;
  std::vector<interval_plan> intervals;
  double real_s = 0;
  std::uint64_t calls = 0;  ///< simulated, all runs
};

/// A deployment or forecast the planner cannot plan (a queue no group can take ...).
struct plan_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The seed of an interval's draws (traffic and agents' no-answers): from the plan's seed
/// and the interval's traffic, so that two intervals with the same traffic get the same
/// draws, and the same plan.
std::uint64_t interval_seed(std::uint64_t seed, const std::vector<forecast_stream>& streams);

/// Plans `f` for `deployment`; `progress` (if any) hears of each interval with traffic
/// unlike an earlier one's as it is done (from the thread that planned it, one at a time;
/// with jobs > 1 not in the forecast's order).
plan make_plan(const engine::config& deployment, const forecast& f, const plan_options& o,
               const std::function<void(const interval_plan&, std::size_t done, std::size_t of)>& progress = {});

/// Agent-hours over all intervals: of the plan, or of Erlang C's answer.
double agent_hours(const plan& p, bool erlang_c);

/// interval,group,agents,erlang_c_agents — one row per interval and group.
void write_plan_csv(std::ostream& out, const plan& p);
/// interval,queue,offered,service_level,abandon_rate,asa_s,erlang_c_service_level_predicted,
/// erlang_c_service_level_simulated,erlang_c_abandon_rate_simulated — one row per interval
/// and queue with traffic.
void write_queues_csv(std::ostream& out, const plan& p);

} // namespace parley::sim
