// pacing_sim: the event loop of the simulated campaign (see pacing_sim.hpp). Events (call
// outcomes, abandon deadlines, agent releases) sit in a time-ordered heap; between two
// ticks every due event is applied, then the pacer is asked how many to dial.
#include "outbound/pacing_sim.hpp"

#include <algorithm>
#include <deque>
#include <queue>
#include <random>
#include <vector>

namespace parley::outbound {

namespace {

enum class event_kind : std::uint8_t { outcome, abandon_check, release };

struct event {
  double t;
  event_kind kind;
  std::uint32_t id; // call id (outcome, abandon_check) or agent id (release)
  std::uint64_t seq; // ties resolve in insertion order: runs are reproducible
  bool operator>(const event& o) const { return t != o.t ? t > o.t : seq > o.seq; }
};

struct call {
  double dialed_at;
  bool answered;
  bool waiting = false; // answered, queued for an agent
};

struct agent {
  bool busy = false;
  double started = 0;
  double handle_s = 0;
};

class campaign {
public:
  explicit campaign(const sim_params& p) : p_(p), rng_(p.seed), pacer_(p.pacing), agents_(p.agents) {
    for (std::uint32_t i = 0; i < p.agents; ++i)
      free_.push_back(p.agents - 1 - i);
  }

  sim_result run() {
    auto ticks = static_cast<std::uint64_t>(p_.duration_s / p_.tick_s);
    for (std::uint64_t i = 0; i <= ticks; ++i) {
      double now = i * p_.tick_s;
      while (!events_.empty() && events_.top().t <= now) {
        auto e = events_.top();
        events_.pop();
        apply(e);
      }
      tick(now);
    }
    for (auto& a : agents_) // calls still going count up to the end of the run
      if (a.busy)
        busy_time_ += std::min(a.handle_s, p_.duration_s - a.started);
    r_.occupancy = busy_time_ / (p_.agents * p_.duration_s);
    r_.abandon_rate = r_.answered ? double(r_.abandoned) / r_.answered : 0;
    r_.final_tau = pacer_.internal_target();
    return r_;
  }

private:
  void push(double t, event_kind k, std::uint32_t id) { events_.push({t, k, id, seq_++}); }

  double uniform(double lo, double hi) { return std::uniform_real_distribution<>{lo, hi}(rng_); }

  void tick(double now) {
    in_.ready_agents = static_cast<std::uint32_t>(free_.size());
    in_.busy_agents = p_.agents - in_.ready_agents;
    in_.in_flight = in_flight_;
    in_.waiting = static_cast<std::uint32_t>(waiting_count_);
    in_.now_s = now;
    in_.busy_elapsed_s.clear();
    if (p_.tell_elapsed)
      for (auto& a : agents_)
        if (a.busy)
          in_.busy_elapsed_s.push_back(now - a.started);
    for (auto n = pacer_.dial_now(in_); n > 0; --n)
      dial(now);
  }

  void dial(double now) {
    bool answered = std::bernoulli_distribution{p_.answer_p}(rng_);
    double ring = answered ? uniform(p_.answer_ring_lo, p_.answer_ring_hi)
                           : uniform(p_.no_answer_lo, p_.no_answer_hi);
    calls_.push_back({now, answered});
    push(now + ring, event_kind::outcome, static_cast<std::uint32_t>(calls_.size() - 1));
    ++in_flight_;
    ++r_.dials;
    pacer_.on_dial(now);
  }

  void apply(const event& e) {
    switch (e.kind) {
      case event_kind::outcome: {
        auto& c = calls_[e.id];
        --in_flight_;
        pacer_.on_outcome(e.t, c.answered, e.t - c.dialed_at);
        if (!c.answered)
          return;
        ++r_.answered;
        if (!free_.empty()) {
          auto a = free_.back();
          free_.pop_back();
          connect(e.t, a);
        } else {
          c.waiting = true;
          ++waiting_count_;
          waiting_.push_back(e.id);
          push(e.t + p_.abandon_after_s, event_kind::abandon_check, e.id);
        }
        return;
      }
      case event_kind::abandon_check: {
        auto& c = calls_[e.id];
        if (!c.waiting)
          return; // an agent took it in time
        c.waiting = false;
        --waiting_count_;
        ++r_.abandoned;
        pacer_.on_abandon(e.t);
        return;
      }
      case event_kind::release: {
        auto& a = agents_[e.id];
        a.busy = false;
        busy_time_ += a.handle_s;
        pacer_.on_release(e.t, a.handle_s);
        while (!waiting_.empty() && !calls_[waiting_.front()].waiting)
          waiting_.pop_front(); // abandoned meanwhile
        if (waiting_.empty()) {
          free_.push_back(e.id);
          return;
        }
        calls_[waiting_.front()].waiting = false;
        --waiting_count_;
        waiting_.pop_front();
        connect(e.t, e.id);
        return;
      }
    }
  }

  void connect(double now, std::uint32_t id) {
    auto& a = agents_[id];
    a.busy = true;
    a.started = now;
    a.handle_s = std::exponential_distribution<>{1.0 / p_.talk_mean_s}(rng_)
                 + uniform(0, p_.wrap_max_s);
    ++r_.connected;
    push(now + a.handle_s, event_kind::release, id);
  }

  sim_params p_;
  std::mt19937_64 rng_;
  pacer pacer_;
  pacing_input in_;
  std::vector<agent> agents_;
  std::vector<std::uint32_t> free_; // ready agents, a stack
  std::vector<call> calls_;
  std::deque<std::uint32_t> waiting_;
  std::size_t waiting_count_ = 0;
  std::uint32_t in_flight_ = 0;
  std::priority_queue<event, std::vector<event>, std::greater<>> events_;
  std::uint64_t seq_ = 0;
  double busy_time_ = 0;
  sim_result r_;
};

} // namespace

sim_result simulate(const sim_params& params) {
  return campaign{params}.run();
}

} // namespace parley::outbound
