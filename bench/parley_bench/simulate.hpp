// simulate: what the two modes of `parley-bench simulate` share — the drawn traffic, the
// per-call sim_tally both fill in the same way, and what a run reports besides it.
// scenario_simulate.cpp has the scaled mode and the analysis (Erlang C, the FCFS replay),
// simulate_virtual.cpp the virtual mode (the engine's actors on CAF's test coordinator).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/parley_bench/harness.hpp"
#include "bench/parley_bench/histogram.hpp"
#include "sim/queueing.hpp"

namespace parley::bench {

using sim::erlang_a;
using sim::erlang_a_figures;
using sim::erlang_c;
using sim::erlang_c_figures;
using sim::fcfs_replay;
using sim::t95;
using sim::traffic;

/// The numeric property that carries a call's index in the drawn traffic.
inline constexpr const char* k_key = "sim_k";

/// The traffic, drawn up front from --seed (domain seconds from the start).
struct sim_draws {
  const std::vector<double>& arrivals;
  const std::vector<double>& handle;
  const std::vector<double>& patience;  ///< per call (empty: nobody abandons)
  double warmup_s = 0;
  double horizon_s = 0;
};

/// What happened to one drawn call, written by the io thread that got its Invite (and
/// by bench.sim when it stops it), read after both have finished.
struct call_rec {
  std::atomic<std::int64_t> wait_ms{-1};  ///< domain ms, offered - submitted; -1: not yet
  std::int64_t offered_ms = 0;
  std::int64_t arrival_lag_ms = 0;        ///< submitted_ms - intended domain arrival
  std::int64_t handle_ms = 0;             ///< domain ms from offer to StopProcessing sent
  bool waited = false;
  bool abandoned = false;                 ///< the caller gave up before an offer
};

/// What the engine did with the drawn calls, as both modes record it (see offered() and
/// stopped(): the same bookkeeping on scaled and on virtual time).
struct sim_tally {
  std::vector<call_rec> calls;
  std::vector<std::atomic<std::int64_t>> free_ms;  ///< domain ms the desk's last stop went out
  histogram soa;  ///< speed of answer, domain ms recorded as if µs: p50_ms reads as domain ms
  std::atomic<std::uint64_t> answered{0}, within_sl{0}, waited{0}, sum_wait_ms{0}, stops_sent{0};
  std::atomic<std::uint64_t> abandoned{0};  ///< measured calls whose caller gave up
  /// A waiting call is offered when an agent frees: domain ms from StopProcessing sent to
  /// the next offer to that agent (real engine latency x scale: agent time lost per call).
  std::atomic<std::uint64_t> handoffs{0}, sum_handoff_ms{0}, max_handoff_ms{0};
  std::int64_t sl_ms = 0;
  std::size_t first_measured = 0;

  sim_tally(std::size_t n, unsigned agents, std::int64_t sl, std::size_t first)
    : calls(n), free_ms(agents), sl_ms(sl), first_measured(first) {}

  /// Call k, submitted at `submitted_ms` (domain), was offered to desk d at `offered_ms`;
  /// `intended_ms` is its drawn arrival. False when it had been offered before.
  bool offered(std::size_t k, std::size_t d, std::int64_t submitted_ms, std::int64_t offered_ms,
               std::int64_t intended_ms) {
    auto& rec = calls[k];
    bool measured = k >= first_measured;
    auto wait = offered_ms - submitted_ms;
    rec.offered_ms = offered_ms;
    rec.arrival_lag_ms = submitted_ms - intended_ms;
    // M/M/N's "waited": every agent was busy at arrival, i.e. the one it got freed later.
    auto freed = free_ms[d].load();
    rec.waited = freed > submitted_ms;
    if (rec.waited && measured) {
      auto gap = static_cast<std::uint64_t>(std::max<std::int64_t>(offered_ms - freed, 0));
      ++handoffs;
      sum_handoff_ms += gap;
      auto m = max_handoff_ms.load();
      while (gap > m && !max_handoff_ms.compare_exchange_weak(m, gap)) {
      }
    }
    if (rec.wait_ms.exchange(wait) != -1)
      return false;
    if (measured) {
      soa.record(static_cast<std::uint64_t>(std::max<std::int64_t>(wait, 0)) * 1000);
      ++answered;
      sum_wait_ms += static_cast<std::uint64_t>(std::max<std::int64_t>(wait, 0));
      if (wait <= sl_ms)
        ++within_sl;
      if (rec.waited)
        ++waited;
    }
    return true;
  }

  /// Call k's caller gave up, not offered to anyone by then.
  void gave_up(std::size_t k) {
    calls[k].abandoned = true;
    if (k >= first_measured)
      ++abandoned;
  }

  /// Desk d sends the StopProcessing of call k at `now_ms` (domain).
  void stopped(std::size_t k, std::size_t d, std::int64_t now_ms) {
    free_ms[d] = now_ms;
    calls[k].handle_ms = now_ms - calls[k].offered_ms;
    ++stops_sent;
  }
};

/// How a run went, besides the sim_tally.
struct sim_run {
  double load_s = 0, run_s = 0;  ///< real seconds: until the horizon, until the last answer
  cpu_times cpu0{}, cpu1{};
  std::size_t rss_bytes = 0;
  std::uint64_t submitted = 0, stopped = 0;
  bool hopeless = false;
  // scaled mode: how late the playing thread was (real µs)
  double max_arrival_lag_us = 0, sum_arrival_lag_us = 0, max_stop_lag_us = 0, sum_stop_lag_us = 0;
  // virtual mode
  std::string event_log_hash;   ///< of every ReportingEvent frame, in order (hex)
  std::uint64_t events = 0;     ///< reporting events in the hash
};

/// The engine's config for a run (one queue, one group of N one-call agents, no wrap-up);
/// `scaled`: with engine.clock_scale = --scale.
std::string sim_toml(const options& o, bool scaled);

/// Virtual time (simulate_virtual.cpp).
sim_run run_virtual(harness& h, const traffic& t, const sim_draws& draws, sim_tally& ty);

} // namespace parley::bench
