#include "actors/reporting/reporting_bus.hpp"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/runtime/harden.hpp"
#include <spdlog/spdlog.h>

#include "actors/persistence/rows.hpp"
#include "protocol/codec.hpp"

namespace parley {

namespace {

/// A live subscriber of the reporting events: gets those after `from` as they are stored.
struct live_subscriber {
  client_actor client;
  std::uint64_t from = 0;
};

struct vq_subscriber {
  client_actor client;
  std::vector<std::string> queues;  // empty: all
  std::uint64_t from = 0;           // gets the VQ events after this one

  bool wants(const std::string& vq) const {
    return queues.empty() || std::find(queues.begin(), queues.end(), vq) != queues.end();
  }
};

/// A subscriber whose stored events are being replayed: its live ones wait here.
struct held_subscriber {
  client_actor client;
  bool vq = false;                  ///< VQ events (of `queues`), else reporting events
  std::vector<std::string> queues;  ///< VQ: empty: all
  std::vector<frame> held;
  bool overflowed = false;  ///< more than replay_hold_max: dropped, the replayer reads them
  std::uint64_t from = 0;   ///< holds the events after this one (its replayer sends the others)

  bool wants(const std::string& name) const {
    return queues.empty() || std::find(queues.begin(), queues.end(), name) != queues.end();
  }
};

/// An encoded event ordered but not stored yet: subscribers get it once the writer says it
/// is stored, so a number they saw is never reused after a crash (a restart, a failover).
struct unstored {
  std::uint64_t seq = 0;
  frame f;
  std::string vq;  // a VQ event's queue
};

struct bus_state {
  std::shared_ptr<const clock> clk;
  writer_actor store;
  std::uint64_t seq = 0;
  std::uint64_t vq_seq = 0;
  std::deque<unstored> unstored_events, unstored_vq;  // in seq order
  bool asked = false;  // the writer will say what is stored
  std::vector<live_subscriber> reporting;
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

  /// Holds `f` for a replaying subscriber, or lets it go past hold_max (its replayer reads
  /// it from the store then).
  void hold(held_subscriber& sub, const frame& f) {
    if (sub.overflowed)
      return;
    if (sub.held.size() == hold_max) {
      spdlog::info("reporting bus: more than {} events held for a replaying client; its replay reads them "
                   "from the store",
                   hold_max);
      ++replay_overflows;
      sub.overflowed = true;
      sub.held.clear();
      sub.held.shrink_to_fit();
    } else {
      sub.held.push_back(f);
    }
  }

  /// Monitors a client once, however often it subscribes (its subscriptions go when it does).
  template <class Self>
  void watch(Self* self, const client_actor& client) {
    auto has = [&](auto& x) { return x.client == client; };
    if (std::none_of(reporting.begin(), reporting.end(), has) && std::none_of(vq.begin(), vq.end(), has)
        && std::none_of(replaying.begin(), replaying.end(), has)
        && std::none_of(traces.begin(), traces.end(), [&](auto& t) { return t.first == client; }))
      self->monitor(client);
  }

  /// The client's subscription of one kind (reporting or VQ, live or replaying) ends.
  void forget(const client_actor& client, bool of_vq) {
    if (of_vq)
      vq.erase(std::remove_if(vq.begin(), vq.end(), [&](auto& s) { return s.client == client; }), vq.end());
    else
      reporting.erase(std::remove_if(reporting.begin(), reporting.end(), [&](auto& s) { return s.client == client; }),
                      reporting.end());
    replaying.erase(std::remove_if(replaying.begin(), replaying.end(),
                                   [&](auto& r) { return r.client == client && r.vq == of_vq; }),
                    replaying.end());
  }

  /// Its replayer sent `client` every stored event up to the last answer (see the actor's
  /// interface): the held events follow and it becomes an ordinary subscriber (0), or, when
  /// they were let go, the replayer goes on up to the last seq now.
  template <class Self>
  std::uint64_t hand_over(Self* self, const client_actor& client, bool of_vq) {
    auto it = std::find_if(replaying.begin(), replaying.end(),
                           [&](auto& r) { return r.client == client && r.vq == of_vq; });
    if (it == replaying.end())
      return 0;  // unsubscribed or gone meanwhile: nothing to send
    if (it->overflowed) {  // the replayer reads what was let go from the store
      it->overflowed = false;
      it->from = of_vq ? vq_seq : seq;
      return it->from;
    }
    for (auto& f : it->held)
      self->send(client, event_atom_v, f);
    if (of_vq)
      vq.push_back({client, std::move(it->queues), it->from});
    else
      reporting.push_back({client, it->from});
    replaying.erase(it);
    return 0;
  }

  void drop(const caf::actor_addr& who) {
    reporting.erase(std::remove_if(reporting.begin(), reporting.end(),
                                   [&](auto& s) { return s.client.address() == who; }),
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

  /// Something waits to be stored: the writer is to say when it is (once per question).
  template <class Self>
  void ask_writer(Self* self) {
    if (asked || (unstored_events.empty() && unstored_vq.empty()))
      return;
    asked = true;
    self->send(store, caf::join_atom_v, commit_feed_actor{caf::actor_cast<reporting_bus_actor>(self)});
  }

  /// The events up to `stored` are stored: their subscribers get them now.
  template <class Self>
  void release(Self* self, std::uint64_t stored) {
    for (; !unstored_events.empty() && unstored_events.front().seq <= stored; unstored_events.pop_front()) {
      auto& e = unstored_events.front();
      for (auto& sub : reporting)
        if (e.seq > sub.from)
          self->send(sub.client, event_atom_v, e.f);
      for (auto& sub : replaying)
        if (!sub.vq && e.seq > sub.from)
          hold(sub, e.f);
    }
  }

  /// The same for the VQ events up to `stored`.
  template <class Self>
  void release_vq(Self* self, std::uint64_t stored) {
    for (; !unstored_vq.empty() && unstored_vq.front().seq <= stored; unstored_vq.pop_front()) {
      auto& e = unstored_vq.front();
      for (auto& sub : vq)
        if (e.seq > sub.from && sub.wants(e.vq))
          self->send(sub.client, event_atom_v, e.f);
      for (auto& sub : replaying)
        if (sub.vq && e.seq > sub.from && sub.wants(e.vq))
          hold(sub, e.f);
    }
  }
};

reporting_bus_actor::behavior_type
reporting_bus(reporting_bus_actor::stateful_pointer<bus_state> self,
              std::shared_ptr<const clock> clk, writer_actor store, std::uint64_t last_seq,
              std::uint64_t last_vq_seq, std::size_t hold_max) {
  self->state.clk = std::move(clk);
  self->state.store = store;
  self->state.seq = last_seq;
  self->state.vq_seq = last_vq_seq;
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
      if (traced)  // the console's trace: as ordered, stored or not
        for (auto& [client, iid] : st.traces)
          if (iid == r.iid)
            self->send(client, event_atom_v, f);
      if (!st.reporting.empty() || !st.replaying.empty())
        st.unstored_events.push_back({st.seq, std::move(f), {}});
      if (!store) {
        st.release(self, st.seq);
        return;
      }
      self->send(store, persist_atom_v, std::move(e));
      st.ask_writer(self);
    },
    [=](vq_atom, vq_record& r) {
      auto& st = self->state;
      storage::vq_event_row e{++st.vq_seq,        st.clk->now_ms(), static_cast<std::uint8_t>(r.kind),
                              std::move(r.tenant), std::move(r.vq), r.iid,
                              std::move(r.agent),  std::move(r.reason)};
      bool any = std::any_of(st.vq.begin(), st.vq.end(), [&](auto& s) { return s.wants(e.vq); })
                 || std::any_of(st.replaying.begin(), st.replaying.end(),
                                [&](auto& s) { return s.vq && s.wants(e.vq); });
      if (any)
        st.unstored_vq.push_back({e.seq, vq_event_frame(st.enc, e), e.vq});
      if (!st.store) {
        st.release_vq(self, st.vq_seq);
        return;
      }
      self->send(st.store, persist_atom_v, std::move(e));
      st.ask_writer(self);
    },
    [=](committed_atom, std::uint64_t stored, std::uint64_t vq_stored) {
      auto& st = self->state;
      st.asked = false;
      st.release(self, stored);
      st.release_vq(self, vq_stored);
      st.ask_writer(self);  // more ordered meanwhile
    },
    [=](caf::join_atom, report_atom, const client_actor& client) {
      auto& st = self->state;
      st.watch(self, client);
      st.forget(client, false);
      st.reporting.push_back({client, st.seq});
      return caf::ok_atom_v;
    },
    [=](caf::join_atom, report_atom, const client_actor& client, replay_atom) {
      auto& st = self->state;
      st.watch(self, client);
      st.forget(client, false);  // a subscription it had ends: the replay takes over
      st.replaying.push_back({client, false, {}, {}, false, st.seq});
      ++st.replays;
      return st.seq;
    },
    [=](caf::join_atom, vq_atom, const client_actor& client, std::vector<std::string>& qs, replay_atom) {
      auto& st = self->state;
      st.watch(self, client);
      st.forget(client, true);
      st.replaying.push_back({client, true, std::move(qs), {}, false, st.vq_seq});
      ++st.replays;
      return st.vq_seq;
    },
    [=](replay_atom, const client_actor& client) { return self->state.hand_over(self, client, false); },
    [=](replay_atom, vq_atom, const client_actor& client) { return self->state.hand_over(self, client, true); },
    [=](caf::join_atom, stats_atom, const report_feed_actor& hub) {
      self->state.stats = hub;
      return caf::ok_atom_v;
    },
    [=](caf::join_atom, vq_atom, const client_actor& client, std::vector<std::string>& qs) {
      auto& st = self->state;
      st.watch(self, client);
      st.forget(client, true);
      st.vq.push_back({client, std::move(qs), st.vq_seq});
      return caf::ok_atom_v;
    },
    [=](caf::leave_atom, const client_actor& client) {
      self->state.drop(client.address());
      return caf::ok_atom_v;
    },
    [=](caf::join_atom, trace_atom, const client_actor& client, std::uint64_t iid) {
      self->state.watch(self, client);
      self->state.traces.emplace_back(client, iid);
      return caf::ok_atom_v;
    },
    [=](count_atom) { return self->state.counts; },
    [=](state_atom) {
      auto& st = self->state;
      bus_status out{st.seq, st.vq_seq, st.counts, {}, st.kinds, st.replays, st.replay_overflows};
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
                                        std::uint64_t last_vq_seq, std::size_t hold_max) {
  return sys.spawn(reporting_bus, std::move(clk), std::move(store), last_seq, last_vq_seq, hold_max);
}

} // namespace parley
