// staffing: one interval of a forecast played on the production engine on virtual time —
// what the planner (planner.hpp) measures a staffing with.
//
// The interval is taken as stationary (its arrival rates and handle times held, as Erlang
// C takes them): its traffic is drawn once for a long stretch of domain time — a warm-up,
// then enough time for `calls` measured arrivals — and replayed on every staffing the
// planner tries (the same draws: a difference between two staffings is theirs, not
// noise's). The engine is engine::local_engine on virtual_center with the deployment's own
// queues, skills, groups, capacities, overflow, offer timeout and wrap-up; the agents of
// group g are desks plan-<g>-0, 1, ... and a gateway submits the calls.
//
// Callers and agents behave as `behaviour` says: a caller hangs up after an exponential
// patience if no agent has picked up by then (while ringing too); an agent picks up
// `answer_s` after the offer, or — for a share `no_answer` of offers — lets it ring until
// the engine's offer timeout takes it back (after routing.max_no_answer of those in a row
// the engine makes the agent not ready; the agent is ready again `away_s` later). Handle
// time runs from the pick-up; after the stop, the group's wrap-up is the engine's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/config.hpp"
#include "sim/forecast.hpp"

namespace parley::sim {

/// How callers and agents behave (the forecast does not say).
struct behaviour {
  double patience_s = 120;  ///< mean patience (exponential); 0: nobody hangs up
  double answer_s = 0;      ///< from offer to pick-up
  double no_answer = 0;     ///< share of offers left to ring out
  double away_s = 60;       ///< not ready for not answering, this long
};

/// How long an interval is simulated.
struct measure_spec {
  std::uint64_t calls = 20'000;  ///< measured arrivals, at least
  double min_hours = 1;          ///< domain hours measured, at least
  double warmup_s = 1800;        ///< not measured: the center fills up from empty
};

/// What the callers of one queue got (the queue they called, wherever they were answered).
struct queue_outcome {
  std::uint64_t offered = 0;     ///< measured arrivals
  std::uint64_t answered = 0, within_sl = 0;
  std::uint64_t abandoned = 0, abandoned_after_sl = 0;
  std::uint64_t unresolved = 0;  ///< neither answered nor abandoned when the run ended
  double sum_wait_s = 0;         ///< of the answered

  /// As the engine's service_level statistic: answered within T / (answered + abandoned
  /// after T), unresolved calls counted as late. 1 when nothing counts.
  double service_level() const;
  double abandon_rate() const;  ///< abandoned / offered
  double asa_s() const;         ///< mean wait of the answered
};

struct staffing_run {
  std::vector<queue_outcome> queues;  ///< by domain_config::queues index
  /// Stopped early: more calls waited than two hours of the interval's traffic, or than
  /// twenty per agent (plus a thousand).
  bool overloaded = false;
  std::uint64_t calls = 0;            ///< submitted
  std::uint64_t errors = 0;           ///< Error frames and surprises (0 in a sound run)
  std::string first_error;
  double real_s = 0;
};

/// An interval's traffic, drawn once (whole domain ms from the run's start).
struct interval_traffic {
  struct call {
    std::int64_t arrive_ms = 0;
    std::uint32_t stream = 0;  ///< index into the interval's streams
    std::int64_t handle_ms = 0;
    std::int64_t patience_ms = 0;  ///< < 0: never hangs up
  };
  std::vector<call> calls;  ///< by arrival
  std::int64_t warmup_ms = 0;
  double calls_per_hour = 0;  ///< all streams
};

/// The deployment's config as the simulation runs it: each agent group's members replaced by
/// plan-<g>-*, and what an in-process engine cannot run and planning does not need left
/// out — campaigns, sequences, [[schedule]] jobs, the statistics' Redis publication, stream
/// routers (their queues are routed by the built-in router).
engine::config planning_config(const engine::config& deployment);

/// The name of desk `i` of group `g`.
std::string planning_agent(std::size_t g, std::size_t i);

/// Draws `streams` (an interval of `interval_s` seconds) as a stationary stretch.
interval_traffic draw_traffic(const std::vector<forecast_stream>& streams, double interval_s,
                              const behaviour& b, const measure_spec& m, std::uint64_t seed);

/// Plays `traffic` on `agents[g]` agents of each group of `planning` (planning_config());
/// `sl_ms[q]` is queue q's service-level threshold. `seed` draws the agents' no-answers.
staffing_run simulate_staffing(const engine::config& planning, const std::vector<forecast_stream>& streams,
                               const interval_traffic& traffic, const std::vector<unsigned>& agents,
                               const behaviour& b, const std::vector<std::int64_t>& sl_ms, std::uint64_t seed);

} // namespace parley::sim
