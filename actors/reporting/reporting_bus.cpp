#include "actors/reporting/reporting_bus.hpp"

#include <algorithm>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/runtime/harden.hpp"
#include <spdlog/spdlog.h>

#include "actors/persistence/rows.hpp"
#include "protocol/codec.hpp"

namespace parley {

namespace {

struct vq_subscriber {
  client_actor client;
  std::vector<std::string> queues;  // empty: all

  bool wants(const std::string& vq) const {
    return queues.empty() || std::find(queues.begin(), queues.end(), vq) != queues.end();
  }
};

/// A subscriber whose stored events are being replayed: its live ones wait here.
struct held_subscriber {
  client_actor client;
  std::vector<frame> held;
  bool overflowed = false;  ///< more than replay_hold_max: dropped, the replayer reads them
};

struct bus_state {
  std::shared_ptr<const clock> clk;
  std::uint64_t seq = 0;
  std::vector<client_actor> reporting;
  std::vector<held_subscriber> replaying;
  std::size_t hold_max = 50'000;
  std::uint64_t replays = 0, replay_overflows = 0;
  report_feed_actor stats;  // the stats hub: gets the report itself, not a frame
  std::vector<vq_subscriber> vq;
  conservation_map counts;
  std::map<std::string, agent_row> agents;  // key: tenant '\n' agent
  std::vector<std::uint64_t> kinds =
    std::vector<std::uint64_t>(static_cast<std::size_t>(wire::ReportingKind::MAX) + 1, 0);
  std::vector<std::pair<client_actor, std::uint64_t>> traces;
  protocol::encoder enc;
  static inline const char* name = "reporting_bus";

  std::uint64_t& gauge(conservation& c, wire::InteractionState s) {
    switch (s) {
      case wire::InteractionState::submitted: return c.in_submitted;
      case wire::InteractionState::queued: return c.queued;
      case wire::InteractionState::offered: return c.offered;
      case wire::InteractionState::handled: return c.handled;
      case wire::InteractionState::parked: return c.parked;
      case wire::InteractionState::stopped: return c.stopped;
    }
    return c.in_submitted;
  }

  void count(const report& r) {
    if (r.iid == 0 && !r.agent.empty()) {
      auto key = r.tenant + '\n' + r.agent;
      if (r.kind == wire::ReportingKind::agent_logout)
        agents.erase(key);
      else
        agents[key] = agent_row{r.tenant, r.agent, r.agent_state, r.reason, r.source_ms};
    }
    if (!r.transition)
      return;
    auto& c = counts[r.tenant];
    if (r.has_from)
      --gauge(c, r.from);
    else
      ++c.submitted;
    ++gauge(c, r.state);
    if (!c.holds())
      ++c.violations;
  }

  frame encode(const vq_record& r) {
    auto& fbb = enc.start();
    auto vq_name = fbb.CreateString(r.vq);
    auto agent = fbb.CreateString(r.agent);
    auto reason = fbb.CreateString(r.reason);
    auto ev = wire::CreateVqEvent(fbb, r.kind, vq_name, r.iid, agent, clk->now_ms(), reason);
    return protocol::to_bytes(enc.finish(0, ev));
  }

  void drop(const caf::actor_addr& who) {
    reporting.erase(std::remove_if(reporting.begin(), reporting.end(),
                                   [&](auto& a) { return a.address() == who; }),
                    reporting.end());
    replaying.erase(std::remove_if(replaying.begin(), replaying.end(),
                                   [&](auto& r) { return r.client.address() == who; }),
                    replaying.end());
    vq.erase(std::remove_if(vq.begin(), vq.end(), [&](auto& s) { return s.client.address() == who; }),
             vq.end());
    traces.erase(std::remove_if(traces.begin(), traces.end(),
                                [&](auto& t) { return t.first.address() == who; }),
                 traces.end());
  }
};

reporting_bus_actor::behavior_type
reporting_bus(reporting_bus_actor::stateful_pointer<bus_state> self,
              std::shared_ptr<const clock> clk, writer_actor store, std::uint64_t last_seq,
              std::size_t hold_max) {
  self->state.clk = std::move(clk);
  self->state.seq = last_seq;
  self->state.hold_max = hold_max;
  harden(self);
  self->set_down_handler([=](caf::down_msg& dm) { self->state.drop(dm.source); });
  return {
    [=](report_atom, const report& r) {
      auto& st = self->state;
      ++st.seq;
      ++st.kinds[static_cast<std::size_t>(r.kind)];
      st.count(r);
      auto e = to_event(r, st.seq, st.clk->now_ms());
      bool traced = r.iid != 0 && std::any_of(st.traces.begin(), st.traces.end(),
                                               [&](auto& t) { return t.second == r.iid; });
      if (st.stats)
        self->send(st.stats, report_atom_v, r, st.seq, e.engine_ms);
      frame f;
      if (!st.reporting.empty() || !st.replaying.empty() || traced)
        f = event_frame(st.enc, e);  // encoded once; CAF messages share the payload copy-on-write
      if (store)
        self->send(store, persist_atom_v, std::move(e));
      if (f.empty())
        return;
      for (auto& sub : st.reporting)
        self->send(sub, event_atom_v, f);
      for (auto& sub : st.replaying) {
        if (sub.overflowed)
          continue;
        if (sub.held.size() == st.hold_max) {
          spdlog::info("reporting bus: more than {} events held for a replaying client; its replay reads them "
                       "from the store", st.hold_max);
          ++st.replay_overflows;
          sub.overflowed = true;
          sub.held.clear();
          sub.held.shrink_to_fit();
        } else {
          sub.held.push_back(f);
        }
      }
      if (traced)
        for (auto& [client, iid] : st.traces)
          if (iid == r.iid)
            self->send(client, event_atom_v, f);
    },
    [=](vq_atom, const vq_record& r) {
      auto& st = self->state;
      bool any = std::any_of(st.vq.begin(), st.vq.end(), [&](auto& s) { return s.wants(r.vq); });
      if (!any)
        return;
      auto f = st.encode(r);
      for (auto& sub : st.vq)
        if (sub.wants(r.vq))
          self->send(sub.client, event_atom_v, f);
    },
    [=](caf::join_atom, report_atom, const client_actor& client) {
      auto& st = self->state;
      if (std::find(st.reporting.begin(), st.reporting.end(), client) == st.reporting.end()) {
        st.reporting.push_back(client);
        self->monitor(client);
      }
      return caf::ok_atom_v;
    },
    [=](caf::join_atom, report_atom, const client_actor& client, replay_atom) {
      auto& st = self->state;
      st.drop(client.address());  // a subscription it had ends: the replay takes over
      st.replaying.push_back({client, {}, false});
      ++st.replays;
      self->monitor(client);
      return st.seq;
    },
    [=](replay_atom, const client_actor& client) -> std::uint64_t {
      auto& st = self->state;
      auto it = std::find_if(st.replaying.begin(), st.replaying.end(),
                             [&](auto& r) { return r.client == client; });
      if (it == st.replaying.end())
        return 0;  // unsubscribed or gone meanwhile: nothing to send
      if (it->overflowed) {  // the replayer reads what was let go from the store
        it->overflowed = false;
        return st.seq;
      }
      for (auto& f : it->held)
        self->send(client, event_atom_v, f);
      st.replaying.erase(it);
      st.reporting.push_back(client);
      return std::uint64_t{0};
    },
    [=](caf::join_atom, stats_atom, const report_feed_actor& hub) {
      self->state.stats = hub;
      return caf::ok_atom_v;
    },
    [=](caf::join_atom, vq_atom, const client_actor& client, const std::vector<std::string>& qs) {
      auto& st = self->state;
      st.vq.erase(std::remove_if(st.vq.begin(), st.vq.end(),
                                 [&](auto& s) { return s.client == client; }),
                  st.vq.end());
      st.vq.push_back({client, qs});
      self->monitor(client);
      return caf::ok_atom_v;
    },
    [=](caf::leave_atom, const client_actor& client) {
      self->state.drop(client.address());
      return caf::ok_atom_v;
    },
    [=](caf::join_atom, trace_atom, const client_actor& client, std::uint64_t iid) {
      self->state.traces.emplace_back(client, iid);
      self->monitor(client);
      return caf::ok_atom_v;
    },
    [=](count_atom) { return self->state.counts; },
    [=](state_atom) {
      auto& st = self->state;
      bus_status out{st.seq, st.counts, {}, st.kinds, st.replays, st.replay_overflows};
      for (auto& [key, a] : st.agents) {
        auto& v = out.agents[a.tenant];
        v.resize(static_cast<std::size_t>(wire::AgentState::MAX) + 1);
        ++v[static_cast<std::size_t>(a.state)];
      }
      return out;
    },
    [=](snapshot_atom, std::uint32_t limit) {
      std::vector<agent_row> out;
      for (auto& [key, a] : self->state.agents) {
        if (out.size() >= limit)
          break;
        out.push_back(a);
      }
      return out;
    },
  };
}

} // namespace

reporting_bus_actor spawn_reporting_bus(caf::actor_system& sys, std::shared_ptr<const clock> clk,
                                        writer_actor store, std::uint64_t last_seq,
                                        std::size_t hold_max) {
  return sys.spawn(reporting_bus, std::move(clk), std::move(store), last_seq, hold_max);
}

} // namespace parley
