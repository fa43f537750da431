// simulate --mode virtual: the engine's actors on CAF's deterministic test coordinator,
// driven by the drawn traffic on virtual time (bench/README.md, "simulate").
//
// The engine is engine::local_engine (through virtual_center.hpp) — the production directory,
// domain, router, queues, interactions and agents, without sockets and without storage — and
// the simulated clients are local_sessions in front of real connection actors: one media gateway, one desktop per
// agent and one reporting client, speaking the wire protocol in frames. Nothing runs on
// another thread and nothing sleeps: this thread sends what is due at the next instant of the
// traffic (a submit at its drawn arrival, a StopProcessing when a call's handle time is
// over), runs every actor until none has work (desktops accept each Invite at once, in the
// same instant), and moves virtual time to the next instant or to the engine's next timer,
// whichever comes first (virtual_time). Real delays cost no domain time, and the same seed
// gives the same run: the hash of every ReportingEvent frame, in order, is reported
// (event_log_hash) and the determinism test compares two runs' hashes.
#include <algorithm>
#include <limits>
#include <queue>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "bench/parley_bench/messages.hpp"
#include "bench/parley_bench/simulate.hpp"
#include "sim/virtual_center.hpp"

namespace parley::bench {

using sim::count_error;
using sim::each_frame;
using sim::sim_client;
using sim::stream_hash;
using sim::virtual_center;

using M = wire::Message;

namespace {

/// A call's StopProcessing, due at `due_ms` (domain); ties in call order.
struct due_stop {
  std::int64_t due_ms;
  std::size_t k;
  std::size_t desk;
  std::uint64_t iid;
  bool operator>(const due_stop& o) const { return due_ms != o.due_ms ? due_ms > o.due_ms : k > o.k; }
};

} // namespace

sim_run run_virtual(harness& h, const traffic& t, const sim_draws& draws, sim_tally& ty) {
  auto& o = h.opts();
  auto& arrivals = draws.arrivals;
  auto& handle = draws.handle;
  const std::size_t n = arrivals.size();
  auto cfg = engine::parse_config(sim_toml(o, false), "simulate (virtual)", o.engine_set);
  spdlog::set_level(spdlog::level::warn);  // no info line per agent login

  virtual_center vc{cfg, engine::local_engine::storage_mode::none};
  sim_client gw, rep;
  std::vector<sim_client> desks(t.agents);
  std::priority_queue<due_stop, std::vector<due_stop>, std::greater<>> stops;
  // Callers who give up: (due ms, call), earliest first; the interaction each submit got.
  std::priority_queue<std::pair<std::int64_t, std::size_t>, std::vector<std::pair<std::int64_t, std::size_t>>,
                      std::greater<>>
    hangups;
  std::vector<std::uint64_t> iid_of(draws.patience.empty() ? 0 : n, 0);
  std::unordered_map<std::uint64_t, std::size_t> submit_ref;  // gateway ref -> call
  stream_hash log;
  sim_run ran;
  std::int64_t d0_ms = 0;

  // What arrived at every client: Invites accepted and their stops scheduled, the reporting
  // stream hashed, errors counted. True when anything arrived (more may follow).
  auto look = [&] {
    bool any = log.read(rep, h.errors());
    if (!gw.inbox.empty()) {
      any = true;
      each_frame(gw, [&](const wire::Envelope& e, auto) {
        count_error(e, h.errors());
        if (auto it = submit_ref.find(e.ref()); it != submit_ref.end()) {
          if (auto* sub = e.message_as_Submitted())
            iid_of[it->second] = sub->interaction_id();
          submit_ref.erase(it);
        }
      });
    }
    return vc.serve_desks(desks, h.errors(), [&](std::size_t d, const wire::Envelope& e) -> std::uint64_t {
             auto* inv = e.message_as_Invite();
             if (!inv)
               return 0;
             auto* info = inv->info();
             auto kd = msg::number_of(info, k_key, -1);
             if (kd < 0 || kd >= static_cast<double>(n)) {
               h.errors().record_other("unexpected_invite", "an Invite without a simulated call index");
               return 0;
             }
             auto k = static_cast<std::size_t>(kd);
             if (!ty.offered(k, d, info->submitted_ms(), info->changed_ms(), d0_ms + std::llround(arrivals[k] * 1000)))
               h.errors().record_other("offered_twice", "a call was offered twice (requeued?)");
             stops.push({info->changed_ms() + std::llround(handle[k] * 1000), k, d, info->id()});
             return info->id();
           })
           || any;
  };

  // -- the clients: a reporting client, the gateway, N agents logged in and ready -------
  vc.connect(gw, wire::ClientType::media_gateway, "sim-gateway");
  vc.open_floor(rep, desks, o.agent_prefix, h.errors(), look);

  // -- the traffic, instant by instant --------------------------------------------------
  auto r0 = steady::now();
  auto cpu0 = cpu_now();
  d0_ms = vc.now_ms();
  auto shown = r0;
  std::size_t next_k = 0;
  const auto no_time = std::numeric_limits<std::int64_t>::max();
  while (next_k < n || !stops.empty() || !hangups.empty()) {
    std::int64_t arrive_ms = next_k < n ? d0_ms + std::llround(arrivals[next_k] * 1000) : no_time;
    auto stop_ms = stops.empty() ? no_time : stops.top().due_ms;
    auto hangup_ms = hangups.empty() ? no_time : hangups.top().first;
    vc.advance_to(std::min({arrive_ms, stop_ms, hangup_ms}), look);
    // At one instant: agents free first (a caller whose patience ends just then is taken,
    // as the replay has it), then callers hang up, then new calls arrive.
    if (stop_ms <= arrive_ms && stop_ms <= hangup_ms) {
      auto s = stops.top();
      stops.pop();
      ty.stopped(s.k, s.desk, vc.now_ms());
      vc.send(desks[s.desk], msg::stop(s.iid));
    } else if (hangup_ms <= arrive_ms) {
      auto k = hangups.top().second;
      hangups.pop();
      if (ty.calls[k].wait_ms.load() == -1) {  // still waiting: the gateway ends it
        ty.gave_up(k);
        vc.send(gw, msg::stop(iid_of[k]));
      }
    } else {
      auto k = next_k++;
      if (!draws.patience.empty()) {
        submit_ref[gw.ref + 1] = k;
        hangups.push({arrive_ms + std::llround(draws.patience[k] * 1000), k});
      }
      vc.send(gw, msg::make([&o, k](msg::fbb& b) {
             auto q = b.CreateString(o.queue);
             auto m = b.CreateString(o.media);
             auto key = b.CreateString(k_key);
             auto p = wire::CreateProperty(b, key, 0, static_cast<double>(k), true);
             return wire::CreateSubmit(b, 0, 0, m, q, 0, b.CreateVector(&p, 1));
           }));
      if (next_k == n || arrive_ms >= d0_ms + std::llround(draws.horizon_s * 1000))
        ran.load_s = std::chrono::duration<double>(steady::now() - r0).count();
    }
    vc.settle(look);
    if (auto now = steady::now(); now - shown > std::chrono::milliseconds{250} && !o.no_progress) {
      shown = now;
      auto e = std::chrono::duration<double>(now - r0).count();
      auto domain_s = static_cast<double>(vc.now_ms() - d0_ms) / 1000;
      auto a = ty.answered.load();
      std::string extra = "domain " + fmt("%.1f h", domain_s / 3600);
      if (a > 0)
        extra += "  SL " + fmt("%.1f %%", 100.0 * ty.within_sl / a) + "  ASA " + fmt("%.1f s", ty.sum_wait_ms / 1000.0 / a);
      h.progress().update(domain_s / draws.horizon_s, e, a, a / std::max(e, 1e-3), h.errors().total(), extra);
    }
  }
  ran.cpu1 = cpu_now();
  ran.cpu0 = cpu0;
  ran.run_s = std::chrono::duration<double>(steady::now() - r0).count();
  h.progress().clear();
  ran.submitted = next_k;
  ran.stopped = ty.stops_sent.load();
  ran.rss_bytes = rss_bytes();
  ran.event_log_hash = log.hex();
  ran.events = log.events;
  return ran;
}

} // namespace parley::bench
