// pacing: how many numbers an outbound campaign dials now. The campaign actor owns one
// pacer for the life of the campaign, feeds it every dial and call outcome, and asks
// `dial_now` on each tick (~100 ms of domain time) and after each outcome. Pure arithmetic:
// no CAF, no I/O, no clock — domain time comes in as seconds.
//
// preview dials nothing (agents pull records); progressive dials lines_per_agent lines per
// ready agent. predictive dials ahead of agents becoming free:
//  - Over a sliding window (the last 1,000 outcomes and at most 15 min) it estimates the
//    answer probability p, the mean dial->answer time T of answered calls, the mean
//    dial->outcome time of unanswered ones and the handle time (talk + wrap) of releases.
//    Priors (p 0.3, T 8 s, unanswered 15 s, handle 120 s) weigh as a few pseudo-samples,
//    so the first ~50 outcomes move the estimates gradually.
//  - Agents free when new calls would be answered: F = ready + Binomial(busy, q̄), q̄ the
//    mean over busy agents of P(release within T | elapsed), empirical from the window's
//    handle times (30+ samples) or exponential; minus the answered calls already waiting.
//  - Calls already in flight are answered with the stationary probability p·Ta/(p·Ta +
//    (1−p)·Tn) (an in-flight call is more likely an unanswered one: they ring longer);
//    new ones with p. X ~ Binomial(in_flight + k, mixed p).
//  - It dials the largest k with E[max(0, X − F)] / E[X] ≤ τ, capped at lines_per_agent ×
//    (ready + busy) lines and max_in_flight. τ is an internal target moved by a feedback
//    controller so the observed abandon rate settles at 75 % of target_abandon: every
//    answered call raises log τ a little, every abandon lowers it (twice as much while the
//    window's rate is over target). The model is myopic (one tick, one horizon); the
//    controller absorbs its bias.
// No agents logged in (ready + busy == 0) dials nothing in every mode.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

namespace parley::outbound {

/// How a campaign turns agents into dials.
enum class dial_mode : std::uint8_t {
  preview,     ///< agents pull records themselves: the pacer never dials
  progressive, ///< lines_per_agent lines per ready agent, minus the lines in flight
  predictive,  ///< dial ahead of releases, holding abandons under target_abandon
};

/// A campaign's pacing settings (fixed for the pacer's life).
struct pacing_params {
  dial_mode mode = dial_mode::progressive;
  /// progressive: lines per ready agent; predictive: the most lines per logged-in agent.
  double lines_per_agent = 1.0;
  /// predictive: the abandon rate (abandoned / answered) not to exceed.
  double target_abandon = 0.03;
  /// The most lines in flight at once; 0: no cap.
  std::uint32_t max_in_flight = 0;
};

/// What the campaign knows at the moment it asks.
struct pacing_input {
  std::uint32_t ready_agents = 0; ///< logged in, ready, eligible, not reserved
  std::uint32_t busy_agents = 0;  ///< on one of this campaign's calls (talk or wrap)
  std::uint32_t in_flight = 0;    ///< dialed, outcome not known yet
  std::uint32_t waiting = 0;      ///< answered, queued for an agent (not yet abandoned)
  /// Per busy agent: seconds since its call started (may be empty: exponential then).
  std::vector<double> busy_elapsed_s;
  double now_s = 0; ///< domain time, seconds
};

/// One campaign's dial pacing (see the top of this file).
class pacer {
public:
  explicit pacer(pacing_params params);

  // -- outcome feedback ------------------------------------------------------------------

  /// A number was dialed.
  void on_dial(double now_s);
  /// A dial's outcome is known: answered (by a person) or not; ring_s: dial -> outcome.
  void on_outcome(double now_s, bool answered, double ring_s);
  /// An answered call found no agent in time and was dropped.
  void on_abandon(double now_s);
  /// An agent finished a campaign call; handle_s: talk + wrap.
  void on_release(double now_s, double handle_s);

  // -- decisions -------------------------------------------------------------------------

  /// How many numbers to dial now (0 when no agents are logged in).
  std::uint32_t dial_now(const pacing_input& in);

  // -- estimates (diagnostics, tests) ----------------------------------------------------

  double answer_rate() const;       ///< smoothed P(answered) over the window
  double abandon_rate() const;      ///< abandoned / answered over the window (0 if none)
  double mean_answer_s() const;     ///< smoothed dial -> answer time of answered calls
  double mean_no_answer_s() const;  ///< smoothed dial -> outcome time of unanswered calls
  double mean_handle_s() const;     ///< smoothed talk + wrap time
  double internal_target() const { return tau_; } ///< τ, the controller's output
  std::uint64_t dials() const { return dials_; }
  const pacing_params& params() const { return params_; }

private:
  struct outcome {
    double t;
    bool answered;
    double ring_s;
  };
  struct release {
    double t;
    double handle_s;
  };

  void prune(double now_s);
  void steer(bool abandoned);
  double expected_free(const pacing_input& in);
  std::uint32_t predictive(const pacing_input& in);

  pacing_params params_;
  double tau_;
  std::uint64_t dials_ = 0;
  std::deque<outcome> outcomes_;
  std::deque<release> releases_;
  std::deque<double> abandons_;
  // running sums over the windows
  std::uint32_t answered_ = 0;
  double ring_answered_ = 0, ring_unanswered_ = 0, handle_sum_ = 0;
  std::vector<double> sorted_handles_; // rebuilt lazily when releases_ changed
  bool handles_dirty_ = false;
  std::vector<double> free_pmf_, scratch_; // dial_now's working memory
};

} // namespace parley::outbound
