#include "sim/queueing.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <stdexcept>

namespace parley::sim {

double erlang_b(double a, unsigned n) {
  // The recurrence stays in [0, 1]: no factorials, no powers, no overflow for any N.
  double b = 1.0;
  for (unsigned k = 1; k <= n; ++k)
    b = a * b / (k + a * b);
  return b;
}

double erlang_c_probability(double a, unsigned n) {
  if (n == 0 || a >= n)
    return 1.0;
  if (a <= 0)
    return 0.0;
  double b = erlang_b(a, n);
  return n * b / (n - a * (1 - b));
}

double erlang_c_figures::p_wait_longer(double t_s) const {
  if (!stable)
    return 1.0;
  return p_wait * std::exp(-decay_per_s * std::max(t_s, 0.0));
}

erlang_c_figures erlang_c(const traffic& t) {
  erlang_c_figures f;
  f.offered_erlangs = t.calls_per_hour / 3600.0 * t.aht_s;
  f.occupancy = t.agents > 0 ? f.offered_erlangs / t.agents : 1.0;
  f.stable = t.agents > 0 && t.aht_s > 0 && f.offered_erlangs < t.agents;
  if (!f.stable) {
    f.p_wait = 1.0;
    f.asa_s = std::numeric_limits<double>::infinity();
    f.service_level = 0;
    return f;
  }
  auto n = static_cast<double>(t.agents);
  f.p_wait = erlang_c_probability(f.offered_erlangs, t.agents);
  f.decay_per_s = (n - f.offered_erlangs) / t.aht_s;
  f.asa_s = f.p_wait * t.aht_s / (n - f.offered_erlangs);
  f.service_level = 1.0 - f.p_wait_longer(t.sl_target_s);
  return f;
}

unsigned erlang_c_agents(const traffic& t, double sl) {
  if (t.calls_per_hour <= 0 || t.aht_s <= 0)
    return 0;
  auto c = t;
  c.agents = static_cast<unsigned>(std::floor(t.calls_per_hour / 3600.0 * t.aht_s)) + 1;  // the first stable N
  while (erlang_c(c).service_level < sl)
    ++c.agents;
  return c.agents;
}

std::vector<double> fcfs_replay(const std::vector<double>& arrivals, const std::vector<double>& handle,
                                const std::vector<double>& patience, unsigned agents,
                                std::vector<char>& abandoned) {
  if (arrivals.size() != handle.size() || arrivals.size() != patience.size())
    throw std::invalid_argument("fcfs_replay: one handle time and one patience per arrival");
  if (agents == 0)
    throw std::invalid_argument("fcfs_replay: no agents");
  // The instants the agents become free; under FCFS each call takes the agent that frees
  // first (which agent does not matter: they are identical). A call that would start later
  // than its patience leaves and takes no agent; the calls after it are served as if it had
  // never come (FCFS: it was ahead of them).
  std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
  for (unsigned i = 0; i < agents; ++i)
    free_at.push(-std::numeric_limits<double>::infinity());
  std::vector<double> waits(arrivals.size());
  abandoned.assign(arrivals.size(), 0);
  for (std::size_t k = 0; k < arrivals.size(); ++k) {
    auto start = std::max(arrivals[k], free_at.top());
    // A microsecond of slack: times are sums of doubles, and "taken at exactly its patience"
    // must hold for draws on whole milliseconds however long the run.
    if (start - arrivals[k] > patience[k] + 1e-6) {
      abandoned[k] = 1;
      waits[k] = patience[k];
      continue;
    }
    free_at.pop();
    free_at.push(start + handle[k]);
    waits[k] = start - arrivals[k];
  }
  return waits;
}

std::vector<double> fcfs_replay(const std::vector<double>& arrivals,
                                const std::vector<double>& handle, unsigned agents) {
  if (arrivals.size() != handle.size())
    throw std::invalid_argument("fcfs_replay: one handle time per arrival");
  std::vector<char> none;  // endless patience: nobody leaves
  return fcfs_replay(arrivals, handle, std::vector<double>(arrivals.size(), std::numeric_limits<double>::infinity()),
                     agents, none);
}

erlang_a_figures erlang_a(const traffic& t, double patience_s) {
  erlang_a_figures f;
  if (t.agents == 0 || t.aht_s <= 0 || patience_s <= 0 || t.calls_per_hour <= 0)
    throw std::invalid_argument("erlang_a: agents, handle time, patience and arrivals must be above 0");
  const double lambda = t.calls_per_hour / 3600.0, mu = 1.0 / t.aht_s, theta = 1.0 / patience_s;
  const unsigned n_agents = t.agents;
  // p[n] relative to p[0] = 1, rescaled whenever it grows large (A^N / N! overflows for big N).
  std::vector<double> p{1.0};
  double sum = 1.0;
  for (std::size_t n = 0;; ++n) {
    auto next = n + 1;
    double death = std::min<double>(static_cast<double>(next), n_agents) * mu
                   + (next > n_agents ? static_cast<double>(next - n_agents) * theta : 0.0);
    double v = p.back() * lambda / death;
    p.push_back(v);
    sum += v;
    if (sum > 1e250) {
      for (auto& x : p)
        x /= sum;
      sum = 1.0;
    }
    if (next > n_agents && (v < 1e-16 * sum || next > n_agents + 10'000'000))
      break;
  }
  double busy = 0, queue = 0;
  for (std::size_t n = n_agents; n < p.size(); ++n) {
    busy += p[n];
    queue += static_cast<double>(n - n_agents) * p[n];
  }
  f.p_wait = busy / sum;
  f.mean_queue_s = queue / sum / lambda;
  f.p_abandon = queue / sum * theta / lambda;
  return f;
}

double t95(unsigned dof) {
  // Two-sided 97.5 % quantiles; beyond 30 the normal value is close enough.
  static const double table[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365,
                                 2.306, 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                                 2.120, 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069,
                                 2.064, 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (dof == 0)
    return std::numeric_limits<double>::infinity();
  if (dof <= 30)
    return table[dof];
  return 1.960;
}

} // namespace parley::sim
