#include "sim/staffing.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <queue>
#include <random>
#include <unordered_map>

#include "sim/virtual_center.hpp"

namespace parley::sim {

double queue_outcome::service_level() const {
  auto counted = answered + abandoned_after_sl + unresolved;
  return counted == 0 ? 1.0 : static_cast<double>(within_sl) / static_cast<double>(counted);
}

double queue_outcome::abandon_rate() const {
  return offered == 0 ? 0.0 : static_cast<double>(abandoned) / static_cast<double>(offered);
}

double queue_outcome::asa_s() const {
  return answered == 0 ? 0.0 : sum_wait_s / static_cast<double>(answered);
}

engine::config planning_config(const engine::config& deployment) {
  auto c = deployment;
  for (std::size_t g = 0; g < c.domain.groups.size(); ++g)
    c.domain.groups[g].members = {"plan-" + std::to_string(g) + "-*"};
  c.domain.outbound.campaigns.clear();
  c.domain.outbound.sequences.clear();
  c.domain.outbound.schedule.clear();
  c.domain.stats.redis_port = 0;
  for (auto& q : c.domain.queues)
    q.router = "builtin";
  return c;
}

std::string planning_agent(std::size_t g, std::size_t i) {
  return "plan-" + std::to_string(g) + "-" + std::to_string(i);
}

interval_traffic draw_traffic(const std::vector<forecast_stream>& streams, double interval_s,
                              const behaviour& b, const measure_spec& m, std::uint64_t seed) {
  interval_traffic t;
  for (auto& s : streams)
    t.calls_per_hour += s.offered * 3600 / interval_s;
  t.warmup_ms = std::llround(m.warmup_s * 1000);
  if (t.calls_per_hour <= 0)
    return t;
  double measured_s = std::max(m.min_hours * 3600, static_cast<double>(m.calls) / t.calls_per_hour * 3600);
  auto end_ms = t.warmup_ms + std::llround(measured_s * 1000);
  for (std::uint32_t i = 0; i < streams.size(); ++i) {
    auto& s = streams[i];
    if (s.offered <= 0)
      continue;
    // One generator per stream: a stream's draws do not depend on the others.
    std::mt19937_64 rng{seed ^ (0x9e3779b97f4a7c15ull * (i + 1))};
    std::exponential_distribution<double> gap{s.offered / interval_s}, handle{1.0 / s.aht_s};
    std::exponential_distribution<double> patience{b.patience_s > 0 ? 1.0 / b.patience_s : 1.0};
    for (double at = gap(rng);; at += gap(rng)) {
      auto at_ms = std::llround(at * 1000);
      if (at_ms >= end_ms)
        break;
      interval_traffic::call c{at_ms, i, std::max<std::int64_t>(std::llround(handle(rng) * 1000), 1), -1};
      if (b.patience_s > 0)
        c.patience_ms = std::llround(patience(rng) * 1000);
      t.calls.push_back(c);
    }
  }
  std::stable_sort(t.calls.begin(), t.calls.end(),
                   [](auto& a, auto& b) { return a.arrive_ms < b.arrive_ms; });
  return t;
}

namespace {

/// The numeric property that carries a call's index in the drawn traffic.
constexpr const char* k_call = "plan_k";

class error_tally : public error_sink {
public:
  void record_other(const std::string& kind, const std::string& why) override {
    if (n_++ == 0)
      first_ = kind + ": " + why;
  }
  std::uint64_t total() const override { return n_; }
  std::string first() const override { return first_; }

private:
  std::uint64_t n_ = 0;
  std::string first_;
};

/// Something due at an instant; at one instant agents free first (a stop), then pick up,
/// then callers hang up, then agents come back — and new calls arrive last.
struct due {
  enum kind_t : std::uint8_t { stop, pick_up, hang_up, back };
  std::int64_t ms;
  kind_t kind;
  std::size_t k;     ///< the call (back: unused)
  std::size_t desk;  ///< stop, pick_up, back
  std::uint32_t gen; ///< pick_up: the offer it answers
  bool operator>(const due& o) const {
    if (ms != o.ms)
      return ms > o.ms;
    if (kind != o.kind)
      return kind > o.kind;
    return k != o.k ? k > o.k : desk > o.desk;
  }
};

struct call_state {
  enum state_t : std::uint8_t { waiting, ringing, answered, abandoned } st = waiting;
  std::uint64_t iid = 0;
  std::uint32_t gen = 0;  ///< offers so far: a pick-up due for an older one is void
  std::size_t desk = 0;   ///< ringing: where
};

} // namespace

staffing_run simulate_staffing(const engine::config& planning, const std::vector<forecast_stream>& streams,
                               const interval_traffic& traffic, const std::vector<unsigned>& agents,
                               const behaviour& b, const std::vector<std::int64_t>& sl_ms, std::uint64_t seed) {
  auto r0 = std::chrono::steady_clock::now();
  staffing_run run;
  run.queues.resize(planning.domain.queues.size());
  error_tally errors;
  auto& calls = traffic.calls;
  const std::size_t n = calls.size();
  const auto answer_ms = std::llround(b.answer_s * 1000), away_ms = std::llround(b.away_s * 1000);
  // More waiting than two hours of traffic, or twenty calls per agent: the staffing cannot
  // keep up (a stable queue, even at 97 % occupancy, stays far below either).
  std::uint64_t total_agents = 0;
  for (auto a : agents)
    total_agents += a;
  const auto max_waiting =
    std::min(static_cast<std::uint64_t>(2 * traffic.calls_per_hour), 20 * total_agents) + 1000;
  std::mt19937_64 rng{seed};
  std::uniform_real_distribution<double> u01;

  virtual_center vc{planning, engine::local_engine::storage_mode::none};
  sim_client gw;
  std::vector<sim_client> desks;
  std::vector<std::string> names;
  for (std::size_t g = 0; g < agents.size(); ++g)
    for (unsigned i = 0; i < agents[g]; ++i)
      names.push_back(planning_agent(g, i));
  desks.resize(names.size());

  std::vector<call_state> state(n);
  std::unordered_map<std::uint64_t, std::size_t> call_of;    // interaction id -> call
  std::unordered_map<std::uint64_t, std::size_t> submit_ref;  // gateway ref -> call
  std::priority_queue<due, std::vector<due>, std::greater<>> dues;
  std::uint64_t waiting = 0, open = 0;
  std::int64_t d0 = 0;

  auto measured = [&](std::size_t k) { return calls[k].arrive_ms >= traffic.warmup_ms; };
  auto outcome = [&](std::size_t k) -> queue_outcome& { return run.queues[streams[calls[k].stream].queue]; };
  auto picked_up = [&](std::size_t k, std::size_t d) {
    auto& cs = state[k];
    cs.st = call_state::answered;
    --waiting;
    auto wait = vc.now_ms() - d0 - calls[k].arrive_ms;
    if (measured(k)) {
      auto& o = outcome(k);
      ++o.answered;
      o.sum_wait_s += static_cast<double>(wait) / 1000;
      if (wait < sl_ms[streams[calls[k].stream].queue])
        ++o.within_sl;
    }
    dues.push({vc.now_ms() + calls[k].handle_ms, due::stop, k, d, 0});
  };

  auto look = [&] {
    bool any = false;
    if (!gw.inbox.empty()) {
      any = true;
      each_frame(gw, [&](const wire::Envelope& e, auto) {
        count_error(e, errors);
        if (auto it = submit_ref.find(e.ref()); it != submit_ref.end()) {
          if (auto* sub = e.message_as_Submitted()) {
            state[it->second].iid = sub->interaction_id();
            call_of[sub->interaction_id()] = it->second;
          }
          submit_ref.erase(it);
        }
      });
    }
    return vc.serve_desks(desks, errors, [&](std::size_t d, const wire::Envelope& e) -> std::uint64_t {
             if (auto* inv = e.message_as_Invite()) {
               auto kd = number_of(inv->info(), k_call, -1);
               if (kd < 0 || kd >= static_cast<double>(n)) {
                 errors.record_other("unexpected_invite", "an Invite without a simulated call index");
                 return 0;
               }
               auto k = static_cast<std::size_t>(kd);
               auto& cs = state[k];
               if (cs.st == call_state::abandoned)
                 return 0;  // the caller hung up as it was offered: the engine takes it back
               // Ringing elsewhere: that offer timed out, its Revoked is in a desk not read yet.
               if (cs.st == call_state::answered || (cs.st == call_state::ringing && cs.desk == d)) {
                 errors.record_other("offered_twice", "a call offered while not waiting");
                 return 0;
               }
               cs.st = call_state::ringing;
               cs.desk = d;
               ++cs.gen;
               if (b.no_answer > 0 && u01(rng) < b.no_answer)
                 return 0;  // it rings until the engine's offer timeout takes it back
               if (answer_ms > 0) {
                 dues.push({vc.now_ms() + answer_ms, due::pick_up, k, d, cs.gen});
                 return 0;
               }
               picked_up(k, d);
               return inv->info()->id();
             }
             if (auto* rev = e.message_as_Revoked()) {
               if (auto it = call_of.find(rev->interaction_id()); it != call_of.end()) {
                 auto& cs = state[it->second];
                 if (cs.st == call_state::ringing && cs.desk == d) {
                   cs.st = call_state::waiting;  // back in its queue; a pick-up due is void
                   ++cs.gen;
                 }
               }
               return 0;
             }
             if (auto* ch = e.message_as_AgentStateChanged())
               if (ch->status() && ch->status()->state() == wire::AgentState::not_ready)
                 dues.push({vc.now_ms() + away_ms, due::back, 0, d, 0});
             return 0;
           })
           || any;
  };

  vc.connect(gw, wire::ClientType::media_gateway, "plan-gateway");
  vc.open_floor(nullptr, desks, [&](std::size_t i) { return names[i]; }, errors, look);
  d0 = vc.now_ms();

  std::size_t next_k = 0;
  const auto never = std::numeric_limits<std::int64_t>::max();
  while (next_k < n || (open > 0 && !dues.empty())) {
    if (waiting > max_waiting) {
      run.overloaded = true;
      break;
    }
    auto arrive = next_k < n ? d0 + calls[next_k].arrive_ms : never;
    auto next_due = dues.empty() ? never : dues.top().ms;
    vc.advance_to(std::min(arrive, next_due), look);
    if (next_due <= arrive) {
      auto x = dues.top();
      dues.pop();
      auto& cs = state[x.k];
      switch (x.kind) {
        case due::stop:
          vc.send(desks[x.desk], stop(cs.iid));
          --open;
          break;
        case due::pick_up:
          if (cs.st == call_state::ringing && cs.gen == x.gen) {
            picked_up(x.k, x.desk);
            vc.send(desks[x.desk], accept(cs.iid));
          }
          break;
        case due::hang_up:
          if (cs.st == call_state::waiting || cs.st == call_state::ringing) {
            cs.st = call_state::abandoned;
            ++cs.gen;
            --waiting;
            --open;
            if (measured(x.k)) {
              auto& o = outcome(x.k);
              ++o.abandoned;
              if (calls[x.k].patience_ms >= sl_ms[streams[calls[x.k].stream].queue])
                ++o.abandoned_after_sl;
            }
            vc.send(gw, stop(cs.iid));
          }
          break;
        case due::back:
          vc.send(desks[x.desk], agent_ready());
          break;
      }
    } else {
      auto k = next_k++;
      auto& c = calls[k];
      ++waiting;
      ++open;
      if (measured(k))
        ++outcome(k).offered;
      if (c.patience_ms >= 0)
        dues.push({arrive + c.patience_ms, due::hang_up, k, 0, 0});
      submit_ref[gw.ref + 1] = k;
      auto& s = streams[c.stream];
      auto& queue = planning.domain.queues[s.queue].name;
      vc.send(gw, make([&queue, &s, k](fbb& fb) {
                auto q = fb.CreateString(queue);
                auto m = fb.CreateString(s.media);
                auto key = fb.CreateString(k_call);
                auto p = wire::CreateProperty(fb, key, 0, static_cast<double>(k), true);
                return wire::CreateSubmit(fb, 0, 0, m, q, 0, fb.CreateVector(&p, 1));
              }));
    }
    vc.settle(look);
  }
  // What is left (an overloaded run, a queue nobody serves and nobody hangs up on).
  for (std::size_t k = 0; k < next_k; ++k)
    if (measured(k) && (state[k].st == call_state::waiting || state[k].st == call_state::ringing))
      ++outcome(k).unresolved;
  for (std::size_t k = next_k; k < n; ++k)
    if (measured(k)) {
      ++outcome(k).offered;
      ++outcome(k).unresolved;
    }
  run.calls = next_k;
  run.errors = errors.total();
  run.first_error = errors.first();
  run.real_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
  return run;
}

} // namespace parley::sim
