// pacing: the arithmetic of preview, progressive and predictive dialing (see pacing.hpp for
// the model). Everything here is O(window) memory and, per dial_now, O(busy agents +
// log(lines) · free agents) time, so a campaign can ask on every 100 ms tick.
#include "actors/outbound/pacing.hpp"

#include <algorithm>
#include <cmath>

namespace parley::outbound {

namespace {

constexpr std::size_t window_outcomes = 1000; // the last outcomes (and releases) kept
constexpr double window_s = 900;              // ... and never older than 15 min

// Priors and how many pseudo-samples each weighs.
constexpr double prior_answer = 0.3, prior_answer_weight = 20;
constexpr double prior_answer_s = 8, prior_no_answer_s = 15, prior_handle_s = 120;
constexpr double prior_time_weight = 5;

// The controller aims the long-run abandon rate at this share of the target; gain is how
// much one abandon moves log τ.
constexpr double aim_share = 0.75;
constexpr double gain = 0.03;

// Empirical release probabilities need this many handle times (else exponential), and
// this many of them longer than the agent's elapsed time.
constexpr std::size_t min_handles = 30, min_tail = 10;

double clamp_p(double p) { return std::clamp(p, 0.001, 0.999); }

/// P(X = x) for x = 0..top, X ~ Binomial(n, p), into `out`: from the top down, so the
/// terms that matter never start from an underflowed (1−p)^n.
void binomial_pmf(std::uint32_t n, double p, std::int64_t top, std::vector<double>& out) {
  out.assign(static_cast<std::size_t>(top + 1), 0.0);
  auto x = std::min<std::int64_t>(top, n);
  if (x < 0)
    return;
  double pmf = std::exp(std::lgamma(n + 1.0) - std::lgamma(x + 1.0) - std::lgamma(n - x + 1.0)
                        + x * std::log(p) + (n - x) * std::log1p(-p));
  for (double down = (1 - p) / p; x >= 0; --x) {
    out[static_cast<std::size_t>(x)] = pmf;
    pmf *= x / (n - x + 1.0) * down; // P(X = x−1) from P(X = x)
  }
}

/// E[max(0, X − F)] for X ~ Binomial(n, p) and an independent F with P(F = f0 + j) =
/// pf[j]. For an integer f ≥ 0, E[max(0, X − f)] = E[X] − f + Σ_{j<f} P(X ≤ j): only
/// the lower tail up to the largest f is needed (the free agents: few).
double expected_excess(std::uint32_t n, double p, std::int64_t f0, const std::vector<double>& pf,
                       std::vector<double>& scratch) {
  double mean = n * p, total = 0;
  auto top = f0 + static_cast<std::int64_t>(pf.size()) - 1;
  binomial_pmf(n, p, top - 1, scratch);
  double cdf = 0, lower = 0; // P(X ≤ j) and Σ_{i<j} P(X ≤ i), walking j up
  for (std::int64_t f = std::min<std::int64_t>(f0, 0); f <= top; ++f) {
    if (f >= f0)
      total += pf[static_cast<std::size_t>(f - f0)] * (mean - f + lower);
    if (f >= 0 && f < top) {
      cdf += scratch[static_cast<std::size_t>(f)];
      lower += cdf;
    }
  }
  return total;
}

} // namespace

pacer::pacer(pacing_params params)
  : params_(params), tau_(aim_share * params.target_abandon) {}

// -- outcome feedback --------------------------------------------------------------------

void pacer::on_dial(double now_s) {
  ++dials_;
  prune(now_s);
}

void pacer::on_outcome(double now_s, bool answered, double ring_s) {
  ring_s = std::max(0.0, ring_s);
  outcomes_.push_back({now_s, answered, ring_s});
  if (answered) {
    ++answered_;
    ring_answered_ += ring_s;
  } else {
    ring_unanswered_ += ring_s;
  }
  prune(now_s);
  if (answered)
    steer(false);
}

void pacer::on_abandon(double now_s) {
  abandons_.push_back(now_s);
  prune(now_s);
  steer(true);
}

void pacer::on_release(double now_s, double handle_s) {
  releases_.push_back({now_s, std::max(0.0, handle_s)});
  handle_sum_ += releases_.back().handle_s;
  handles_dirty_ = true;
  prune(now_s);
}

void pacer::prune(double now_s) {
  auto old = now_s - window_s;
  while (!outcomes_.empty()
         && (outcomes_.size() > window_outcomes || outcomes_.front().t < old)) {
    auto& o = outcomes_.front();
    if (o.answered) {
      --answered_;
      ring_answered_ -= o.ring_s;
    } else {
      ring_unanswered_ -= o.ring_s;
    }
    outcomes_.pop_front();
  }
  // Abandons count against the answered calls still in the window.
  auto since = outcomes_.empty() ? now_s : std::max(old, outcomes_.front().t);
  while (!abandons_.empty() && abandons_.front() < since)
    abandons_.pop_front();
  while (!releases_.empty()
         && (releases_.size() > window_outcomes || releases_.front().t < old)) {
    handle_sum_ -= releases_.front().handle_s;
    releases_.pop_front();
    handles_dirty_ = true;
  }
}

void pacer::steer(bool abandoned) {
  // Stochastic approximation of "abandons / answered = aim": each answered call nudges
  // log τ up by gain·aim, each abandon down by gain (twice that while the window is over
  // target). No window in the loop, so no lag to oscillate on; the noise of single
  // abandons averages out over ~1/gain of them.
  auto target = params_.target_abandon;
  double step = abandoned ? -gain * (abandon_rate() > target ? 2 : 1) : gain * aim_share * target;
  tau_ = std::clamp(tau_ * std::exp(step), target / 100, target * 4);
}

// -- estimates ---------------------------------------------------------------------------

double pacer::answer_rate() const {
  return (answered_ + prior_answer * prior_answer_weight)
         / (outcomes_.size() + prior_answer_weight);
}

double pacer::abandon_rate() const {
  return answered_ == 0 ? 0.0 : double(abandons_.size()) / answered_;
}

double pacer::mean_answer_s() const {
  return (ring_answered_ + prior_answer_s * prior_time_weight)
         / (answered_ + prior_time_weight);
}

double pacer::mean_no_answer_s() const {
  auto n = outcomes_.size() - answered_;
  return (ring_unanswered_ + prior_no_answer_s * prior_time_weight) / (n + prior_time_weight);
}

double pacer::mean_handle_s() const {
  return (handle_sum_ + prior_handle_s * prior_time_weight)
         / (releases_.size() + prior_time_weight);
}

// -- decisions ---------------------------------------------------------------------------

std::uint32_t pacer::dial_now(const pacing_input& in) {
  if (in.ready_agents + in.busy_agents == 0)
    return 0;
  std::uint32_t n = 0;
  switch (params_.mode) {
    case dial_mode::preview:
      return 0;
    case dial_mode::progressive: {
      auto lines = static_cast<std::uint32_t>(std::floor(in.ready_agents * params_.lines_per_agent));
      n = lines > in.in_flight ? lines - in.in_flight : 0;
      break;
    }
    case dial_mode::predictive:
      n = predictive(in);
      break;
  }
  if (params_.max_in_flight != 0)
    n = std::min(n, params_.max_in_flight > in.in_flight ? params_.max_in_flight - in.in_flight
                                                         : 0u);
  return n;
}

double pacer::expected_free(const pacing_input& in) {
  double horizon = mean_answer_s(), h = mean_handle_s();
  double free = in.ready_agents;
  if (in.busy_elapsed_s.size() != in.busy_agents || releases_.size() < min_handles)
    return free + in.busy_agents * -std::expm1(-horizon / h);
  if (handles_dirty_) {
    sorted_handles_.clear();
    for (auto& r : releases_)
      sorted_handles_.push_back(r.handle_s);
    std::sort(sorted_handles_.begin(), sorted_handles_.end());
    handles_dirty_ = false;
  }
  auto& s = sorted_handles_;
  for (auto e : in.busy_elapsed_s) {
    auto done = std::upper_bound(s.begin(), s.end(), e);
    auto tail = static_cast<std::size_t>(s.end() - done);
    if (tail < min_tail) {
      free += -std::expm1(-horizon / h); // beyond the data: memoryless
      continue;
    }
    auto within = std::upper_bound(done, s.end(), e + horizon) - done;
    free += double(within) / double(tail);
  }
  return free;
}

std::uint32_t pacer::predictive(const pacing_input& in) {
  auto agents = in.ready_agents + in.busy_agents;
  auto cap = static_cast<std::uint32_t>(std::floor(params_.lines_per_agent * agents));
  if (params_.max_in_flight != 0)
    cap = std::min(cap, params_.max_in_flight);
  if (in.in_flight >= cap)
    return 0;
  double free = expected_free(in);
  if (in.ready_agents == 0 && free < 1e-9)
    return 0;
  // Free agents F = ready + Binomial(busy, mean release probability), minus the waiting
  // calls (a binomial is a little wider than the exact sum of unequal Bernoullis: safe).
  double q = in.busy_agents ? std::clamp((free - in.ready_agents) / in.busy_agents, 0.0, 1.0) : 0;
  if (in.busy_agents == 0 || q <= 0 || q >= 1) {
    free_pmf_.assign(1, 1.0);
  } else {
    binomial_pmf(in.busy_agents, q, in.busy_agents, free_pmf_);
    auto mode = static_cast<std::size_t>(in.busy_agents * q);
    while (free_pmf_.size() > mode + 1 && free_pmf_.back() < 1e-12)
      free_pmf_.pop_back();
  }
  auto f0 = std::int64_t{in.ready_agents} + std::int64_t(q >= 1 ? in.busy_agents : 0)
            - std::int64_t{in.waiting};
  double p = clamp_p(answer_rate()), ta = mean_answer_s(), tn = mean_no_answer_s();
  double p_flight = clamp_p(p * ta / (p * ta + (1 - p) * tn));
  auto ratio = [&](std::uint32_t k) { // expected overflow / expected answers
    auto n = in.in_flight + k;
    double mean = in.in_flight * p_flight + k * p;
    if (mean + in.waiting <= 0)
      return 0.0;
    double pm = n == 0 ? p : clamp_p(mean / n); // one binomial with the mixed mean
    return expected_excess(n, pm, f0, free_pmf_, scratch_) / (mean + in.waiting);
  };
  // The overflow ratio grows with k: the largest k within τ, by bisection.
  std::uint32_t lo = 0, hi = cap - in.in_flight;
  if (ratio(0) > tau_)
    return 0;
  while (lo < hi) {
    auto mid = lo + (hi - lo + 1) / 2;
    if (ratio(mid) <= tau_)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

} // namespace parley::outbound
