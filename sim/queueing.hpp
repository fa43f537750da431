// queueing: the theory `parley-bench simulate` holds the engine against.
//
// erlang_c() gives the textbook M/M/N figures (Poisson arrivals, exponential handle times,
// N identical agents, first come first served, nobody abandons) for a traffic profile;
// fcfs_replay() pushes one concrete sequence of arrivals and handle times through an exact
// first-come-first-served N-server queue, so that the engine's measured waits can be
// compared call by call with what an ideal system would have done with the very same
// random draws (which separates the engine's own error from sampling noise). Pure
// functions, no CAF, no I/O; tests/unit/queueing_test.cpp checks them against textbook
// values. fcfs_replay() and erlang_a() also take callers who abandon (M/M/N+M).
#pragma once

#include <cstdint>
#include <vector>

namespace parley::sim {

/// A traffic profile: what a contact-center planner types into an Erlang calculator.
struct traffic {
  double calls_per_hour = 0;
  double aht_s = 0;          ///< average handle time
  unsigned agents = 0;
  double sl_target_s = 0;    ///< service level: answered within this many seconds
};

/// The Erlang-C figures of a profile. With offered load >= agents the queue grows without
/// bound: stable is false, p_wait 1, asa_s infinite, service_level 0.
struct erlang_c_figures {
  double offered_erlangs = 0;  ///< A = arrival rate x AHT
  double occupancy = 0;        ///< A / N
  bool stable = false;
  double p_wait = 0;           ///< probability that a call has to wait (Erlang C)
  double asa_s = 0;            ///< average speed of answer, over all calls
  double service_level = 0;    ///< share of calls answered within sl_target_s
  /// P(wait > t) = p_wait * exp(-(N - A) t / AHT).
  double p_wait_longer(double t_s) const;
  double decay_per_s = 0;      ///< (N - A) / AHT
};

/// Erlang B by the stable recurrence B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)).
double erlang_b(double offered_erlangs, unsigned agents);
/// Erlang C from Erlang B: C = N B / (N - A (1 - B)); 1 when A >= N.
double erlang_c_probability(double offered_erlangs, unsigned agents);
erlang_c_figures erlang_c(const traffic& t);
/// The fewest agents whose Erlang C service level (answered within `t.sl_target_s`) is at
/// least `sl`, for `t`'s calls and AHT (t.agents is ignored); 0 when no call is offered.
unsigned erlang_c_agents(const traffic& t, double sl);

/// One call's wait in an exact FCFS queue with `agents` servers, in the units given.
/// `arrivals` must be non-decreasing; `handle` holds each call's handle time.
std::vector<double> fcfs_replay(const std::vector<double>& arrivals,
                                const std::vector<double>& handle, unsigned agents);

/// The same with callers who give up: call k leaves unserved when no agent takes it within
/// patience[k] (taken at exactly its patience, give or take a microsecond, it is served). Its wait is then its patience,
/// and abandoned[k] is 1 (resized to the calls).
std::vector<double> fcfs_replay(const std::vector<double>& arrivals, const std::vector<double>& handle,
                                const std::vector<double>& patience, unsigned agents,
                                std::vector<char>& abandoned);

/// M/M/N+M ("Erlang A": exponential patience of mean patience_s): the stationary birth–death
/// chain (arrivals λ; services min(n, N) μ; abandonments max(n − N, 0) θ), truncated where its
/// tail is negligible. Stable at any load.
struct erlang_a_figures {
  double p_wait = 0;        ///< an arrival finds every agent busy (PASTA)
  double p_abandon = 0;     ///< rate of abandonment / arrival rate
  double mean_queue_s = 0;  ///< time in queue per call, served or not (Little: E[queue] / λ)
};
erlang_a_figures erlang_a(const traffic& t, double patience_s);

/// Student's t quantile for a two-sided 95 % interval with `dof` degrees of freedom.
double t95(unsigned dof);

} // namespace parley::sim
