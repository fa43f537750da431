// pacing_sim: a small discrete-event simulation of one outbound campaign driven by a pacer,
// to measure what a pacing mode achieves (occupancy, abandons) on a synthetic population.
// Pure and deterministic for a seed (std::mt19937_64): no CAF, no clock, no I/O. Used by
// the pacing unit tests; a benchmark may run it with other parameters.
//
// The model: `agents` agents logged in for the whole run. A dial is answered with
// probability answer_p after U(answer_ring_lo, answer_ring_hi) seconds, otherwise it ends
// unanswered after U(no_answer_lo, no_answer_hi). An answered call goes to a free agent at
// once, or waits for one (first come, first served) and is abandoned after abandon_after_s.
// A connected call lasts Exp(talk_mean_s) plus U(0, wrap_max_s) of after-call work. The
// pacer is asked every tick_s and told every dial, outcome, abandon and release.
#pragma once

#include <cstdint>

#include "actors/outbound/pacing.hpp"

namespace parley::outbound {

/// One simulated campaign run.
struct sim_params {
  std::uint32_t agents = 10;
  double duration_s = 8 * 3600.0;
  double tick_s = 0.1;
  double answer_p = 0.3;
  double answer_ring_lo = 4, answer_ring_hi = 12; ///< dial -> answer, answered calls
  double no_answer_lo = 10, no_answer_hi = 20;    ///< dial -> outcome, unanswered calls
  double talk_mean_s = 120;
  double wrap_max_s = 5;
  double abandon_after_s = 2;
  bool tell_elapsed = true; ///< pass busy_elapsed_s to the pacer
  std::uint64_t seed = 1;
  pacing_params pacing{dial_mode::predictive, 3.0, 0.03, 0};
};

/// What a run produced.
struct sim_result {
  std::uint64_t dials = 0;
  std::uint64_t answered = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t connected = 0;
  double occupancy = 0;    ///< talk + wrap time / logged-in time
  double abandon_rate = 0; ///< abandoned / answered
  double final_tau = 0;    ///< the pacer's internal target at the end
};

/// Runs one campaign for params.duration_s of simulated time.
sim_result simulate(const sim_params& params);

} // namespace parley::outbound
