#include "actors/routing/router_actor.hpp"

#include <set>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/runtime/domain.hpp"
#include "actors/runtime/harden.hpp"
#include <spdlog/spdlog.h>

#include "actors/queue/queue_actor.hpp"
#include "actors/runtime/views.hpp"

namespace parley {

namespace {

using idle_key = std::pair<std::int64_t, std::string>;  // idle since (ns), agent id

struct agent_entry {
  agent_actor handle;
  skill_levels skills;
  media_capacity capacity;
  bool ready = false;
  std::map<std::string, std::uint32_t> used;
  std::map<std::string, std::uint64_t> seen;
  std::map<std::string, std::uint64_t> sent;
  std::map<std::string, std::uint32_t> reserved;  ///< per media: held for a dialer (in `sent`)
  std::int64_t idle_since = 0;
  std::vector<std::string> queues;  ///< queues whose skill requirements the agent meets
  std::int64_t indexed_at = -1;     ///< the idle key it is indexed under (-1: nowhere)

  std::uint32_t load(const std::string& media) const {
    auto u = used.count(media) ? used.at(media) : 0;
    auto s = sent.count(media) ? sent.at(media) : 0;
    auto v = seen.count(media) ? seen.at(media) : 0;
    return u + static_cast<std::uint32_t>(s > v ? s - v : 0);
  }
  bool available(const std::string& media) const {
    auto it = capacity.find(media);
    return ready && it != capacity.end() && load(media) < it->second;
  }
};

struct route_request {
  std::string queue;
  std::string media;
  std::uint64_t iid = 0;
  std::chrono::steady_clock::time_point asked;  ///< for the round trip of stream routing
};

struct queue_entry {
  const queue_config* cfg = nullptr;
  queue_actor handle;
  std::map<std::string, queue_head> heads;  // per media
  std::map<std::string, bool> pending;      // an assignment or route request is out
  std::map<std::string, std::set<idle_key>> index;  // available eligible agents per media
  client_actor external;                    // an external router client, if any
  bool stream = false;                      // routed over Redis Streams (router = "stream")

  bool routed_outside() const { return external || stream; }
};

struct router_state {
  std::string tenant;
  std::uint64_t index = 0;  // the top 16 bits of this router's request ids
  domain_ptr dom;
  std::unordered_map<std::string, agent_entry> agents;
  std::unordered_map<std::string, queue_entry> queues;
  std::unordered_map<std::uint64_t, route_request> requests;
  std::uint64_t next_request = 0;
  protocol::encoder enc;
  static inline const char* name = "router";

  std::int64_t now() const { return dom->clk->now().time_since_epoch().count(); }

  static bool eligible(const agent_entry& a, const queue_config& q) {
    for (auto& [skill, level] : q.skills) {
      auto it = a.skills.find(skill);
      if (it == a.skills.end() || it->second < level)
        return false;
    }
    return true;
  }

  /// Puts the agent into (or takes it out of) each eligible queue's index per media.
  void reindex(const std::string& id, agent_entry& a) {
    for (auto& qn : a.queues) {
      auto& q = queues.at(qn);
      for (auto& [media, cap] : a.capacity) {
        auto& idx = q.index[media];
        if (a.indexed_at >= 0)
          idx.erase({a.indexed_at, id});
        if (a.available(media))
          idx.insert({a.idle_since, id});
      }
    }
    a.indexed_at = a.idle_since;
  }

  void unindex(const std::string& id, agent_entry& a) {
    for (auto& qn : a.queues)
      for (auto& [media, idx] : queues.at(qn).index)
        idx.erase({a.indexed_at, id});
    a.indexed_at = -1;
  }
};

using router_self = router_actor::stateful_pointer<router_state>;

// `id` by value: callers pass index entries, which reindex() erases.
void assign(router_self self, queue_entry& q, const std::string& media, std::string id) {
  auto& st = self->state;
  auto& a = st.agents.at(id);
  ++a.sent[media];
  a.idle_since = st.now();  // least recently assigned goes first next time
  st.reindex(id, a);
  q.pending[media] = true;
  self->send(q.handle, assign_atom_v, q.heads[media].iid, id, a.handle, media);
}

void decide_builtin(router_self self, std::uint64_t rid);

void ask_external(router_self self, queue_entry& q, const std::string& media) {
  auto& st = self->state;
  auto& head = q.heads[media];
  auto rid = (st.index << 48) | ++st.next_request;
  st.requests[rid] = route_request{q.cfg->name, media, head.iid, std::chrono::steady_clock::now()};
  q.pending[media] = true;
  std::vector<std::string> ready;
  for (auto& [since, id] : q.index[media]) {
    if (ready.size() == 50)
      break;
    ready.push_back(id);
  }
  auto timeout = st.dom->cfg->routing.router_timeout;
  if (q.stream) {
    stream_route_request req{rid, st.tenant, q.cfg->name, media, head.iid, head.priority,
                             head.enqueued_ms, st.dom->clk->now_ms(), timeout.count(),
                             std::move(ready), static_cast<std::uint32_t>(q.index[media].size()),
                             head.properties};
    if (!st.dom->route_stream) {
      decide_builtin(self, rid);
      return;
    }
    // Redis did not take it: no router will see it, so the built-in router decides now.
    self->request(st.dom->route_stream, timeout, route_atom_v, std::move(req))
      .then([](caf::ok_atom) {}, [=](caf::error&) { decide_builtin(self, rid); });
  } else {
    interaction_view v;
    v.id = head.iid;
    v.tenant = st.tenant;
    v.media = media;
    v.queue = q.cfg->name;
    v.priority = head.priority;
    v.state = wire::InteractionState::queued;
    v.submitted_ms = head.enqueued_ms;
    auto& fbb = st.enc.start();
    auto info = build_info(fbb, v);
    auto agents = fbb.CreateVectorOfStrings(ready);
    auto f = protocol::to_bytes(st.enc.finish(0, wire::CreateRouteRequest(fbb, rid, info, agents)));
    self->send(q.external, event_atom_v, std::move(f));
  }
  self->delayed_send(self, st.dom->clk->real_delay(timeout), route_atom_v, rid);
}

/// Routes the head of one queue and media if it can.
void try_queue(router_self self, queue_entry& q, const std::string& media, bool builtin = false) {
  auto& head = q.heads[media];
  if (!head.present || q.pending[media])
    return;
  if (q.routed_outside() && !builtin) {
    ask_external(self, q, media);
    return;
  }
  auto& idx = q.index[media];
  if (idx.empty())
    return;
  assign(self, q, media, idx.begin()->second);
}

/// An agent may have become available: give it the best waiting head among its queues.
void offer_agent(router_self self, const std::string& id) {
  auto& st = self->state;
  for (;;) {
    auto it = st.agents.find(id);
    if (it == st.agents.end())
      return;
    auto& a = it->second;
    queue_entry* best = nullptr;
    std::string best_media;
    for (auto& qn : a.queues) {
      auto& q = st.queues.at(qn);
      if (q.routed_outside()) {
        // The external router decides here; ask it again if nothing is out for a head.
        for (auto& [media, head] : q.heads)
          if (a.available(media))
            try_queue(self, q, media);
        continue;
      }
      for (auto& [media, head] : q.heads) {
        if (!head.present || q.pending[media] || !a.available(media))
          continue;
        auto& bh = best ? best->heads[best_media] : head;
        if (!best || head.priority > bh.priority
            || (head.priority == bh.priority && head.enqueued_ms < bh.enqueued_ms)) {
          best = &q;
          best_media = media;
        }
      }
    }
    if (!best)
      return;
    assign(self, *best, best_media, id);
  }
}

/// The external router did not decide request `rid` (no answer in time, its request could
/// not be posted, its instruction could not be carried out): the built-in router decides for
/// that head now.
void decide_builtin(router_self self, std::uint64_t rid) {
  auto& st = self->state;
  auto it = st.requests.find(rid);
  if (it == st.requests.end())
    return;
  auto r = it->second;
  st.requests.erase(it);
  st.dom->metrics->router_fallbacks.fetch_add(1, std::memory_order_relaxed);
  auto& q = st.queues.at(r.queue);
  q.pending[r.media] = false;
  try_queue(self, q, r.media, true);
}

using instruct_result = caf::result<instruction_outcome, std::string>;

/// Carries out a queue or stop instruction on the interaction itself; the outcome once it
/// has (refused: the built-in router decides, if that interaction still heads the queue).
instruct_result instruct_interaction(router_self self, const route_request& r,
                                     const route_instruction& in) {
  auto& st = self->state;
  auto rp = self->make_response_promise<instruction_outcome, std::string>();
  auto refused = [=](const caf::error& e) mutable {
    auto& st = self->state;
    auto& q = st.queues.at(r.queue);
    if (q.heads[r.media].iid == r.iid && q.pending[r.media]) {
      st.dom->metrics->router_fallbacks.fetch_add(1, std::memory_order_relaxed);
      q.pending[r.media] = false;
      try_queue(self, q, r.media, true);
    }
    rp.deliver(instruction_outcome::refused, describe(e));
  };
  auto timeout = st.dom->cfg->request_timeout;
  auto what = in.what;
  auto target = in.target;
  self->request(st.dom->interactions, timeout, lookup_atom_v, r.iid)
    .then(
      [=](const interaction_actor& ia) mutable {
        auto done = [=](caf::ok_atom) mutable { rp.deliver(instruction_outcome::applied, std::string{}); };
        if (what == route_instruction::action::queue)
          self->request(ia, timeout, place_atom_v, target).then(done, refused);
        else
          self->request(ia, timeout, stop_atom_v, requester{wire::ClientType::router, {}, {}, {}},
                        target.empty() ? std::string{"router"} : target)
            .then(done, refused);
      },
      refused);
  return rp;
}

router_actor::behavior_type router_behavior(router_self self, std::string tenant, std::uint64_t index) {
  self->state.tenant = std::move(tenant);
  self->state.index = index;
  harden(self);
  self->set_down_handler([=](caf::down_msg& dm) {
    // An external router client went away: the built-in router takes its queues back.
    auto& st = self->state;
    for (auto& [name, q] : st.queues)
      if (q.external && q.external.address() == dm.source) {
        spdlog::info("external router for queue {} disconnected; routing it built-in", name);
        q.external = nullptr;
      }
    std::vector<std::uint64_t> open;
    for (auto& [rid, r] : st.requests)
      if (!st.queues.at(r.queue).external)
        open.push_back(rid);
    for (auto rid : open) {
      auto r = st.requests.at(rid);
      st.requests.erase(rid);
      auto& q = st.queues.at(r.queue);
      q.pending[r.media] = false;
      try_queue(self, q, r.media, true);
    }
  });
  return {
    [=](init_atom, const domain_ptr& dom) {
      auto& st = self->state;
      st.dom = dom;
      for (auto& qc : dom->cfg->queues)
        if (qc.tenant == st.tenant)
          st.queues[qc.name] = queue_entry{&qc, dom->queue(qc.name), {}, {}, {}, {}, qc.stream_routed()};
    },
    [=](head_atom, queue_head& h) {
      auto& st = self->state;
      auto it = st.queues.find(h.queue);
      if (it == st.queues.end())
        return;
      auto& q = it->second;
      auto media = h.media;
      // A new head cancels an open external request for the old one.
      for (auto r = st.requests.begin(); r != st.requests.end();)
        r = r->second.queue == h.queue && r->second.media == media ? st.requests.erase(r)
                                                                      : std::next(r);
      q.heads[media] = std::move(h);
      q.pending[media] = false;
      try_queue(self, q, media);
    },
    [=](void_atom, const std::string& id, const std::string& media) {
      auto& st = self->state;
      auto it = st.agents.find(id);
      if (it == st.agents.end())
        return;
      if (it->second.sent[media] > 0)
        --it->second.sent[media];
      st.reindex(id, it->second);
      offer_agent(self, id);
    },
    // -- reservations for outbound dialing ---------------------------------------------
    [=](reserve_atom, const std::string& queue,
        const std::string& media) -> caf::result<std::string> {
      auto& st = self->state;
      auto qit = st.queues.find(queue);
      if (qit == st.queues.end())
        return caf::make_error(wire::ErrorCode::unknown_id, "no queue " + queue + " in tenant " + st.tenant);
      auto& idx = qit->second.index[media];
      if (idx.empty())
        return caf::make_error(wire::ErrorCode::wrong_state, "no available agent for " + queue);
      auto id = idx.begin()->second;
      auto& a = st.agents.at(id);
      ++a.sent[media];  // counted like an invite on its way: nobody else routes to it
      ++a.reserved[media];
      a.idle_since = st.now();
      st.reindex(id, a);
      return id;
    },
    [=](reserve_atom, const std::string& queue, const std::string& media,
        const std::string& id) -> caf::result<std::string> {
      // A preview agent accepted a record: hold that agent for the call.
      auto& st = self->state;
      auto qit = st.queues.find(queue);
      auto ait = st.agents.find(id);
      if (qit == st.queues.end() || ait == st.agents.end())
        return caf::make_error(wire::ErrorCode::unknown_id, "agent " + id + " is not logged in");
      auto& a = ait->second;
      if (!router_state::eligible(a, *qit->second.cfg) || !a.available(media))
        return caf::make_error(wire::ErrorCode::wrong_state,
                               "agent " + id + " cannot take a " + media + " call for " + queue + " now");
      ++a.sent[media];
      ++a.reserved[media];
      a.idle_since = st.now();
      st.reindex(id, a);
      return id;
    },
    [=](unreserve_atom, const std::string& id, const std::string& media) {
      auto& st = self->state;
      auto it = st.agents.find(id);
      if (it == st.agents.end() || it->second.reserved[media] == 0)
        return;
      --it->second.reserved[media];
      --it->second.sent[media];
      st.reindex(id, it->second);
      offer_agent(self, id);
    },
    [=](deliver_atom, const std::string& queue, std::uint64_t iid, const std::string& id,
        const std::string& media) {
      // A pinned interaction entered `queue`: hand it to the agent reserved for it, or, when
      // that reservation is gone (logout), let it be routed like any other.
      auto& st = self->state;
      auto q = st.queues.find(queue);
      if (q == st.queues.end())
        return;
      auto a = st.agents.find(id);
      if (a == st.agents.end() || a->second.reserved[media] == 0) {
        self->send(q->second.handle, unpin_atom_v, iid);
        return;
      }
      --a->second.reserved[media];
      self->send(q->second.handle, assign_atom_v, iid, id, a->second.handle, media);
    },
    [=](state_atom) {
      // Agents in state ready (free or busy) eligible for each of this tenant's queues, for
      // operators (console `show queues`, /metrics).
      auto& st = self->state;
      std::map<std::string, std::uint32_t> ready;
      for (auto& [name, q] : st.queues)
        ready[name] = 0;
      for (auto& [id, a] : st.agents)
        if (a.ready)
          for (auto& qn : a.queues)
            ++ready[qn];
      return ready;
    },
    [=](count_atom, const std::string& queue,
        const std::string& media) -> std::tuple<std::uint32_t, std::uint32_t> {
      // (available now, working: eligible and in state ready, free or busy) for the queue
      // and media. Agents not ready or in after-call work are not counted: a dialer must not
      // expect them.
      auto& st = self->state;
      auto q = st.queues.find(queue);
      if (q == st.queues.end())
        return {0u, 0u};
      std::uint32_t eligible = 0;
      for (auto& [id, a] : st.agents)
        if (a.ready && a.capacity.count(media) && router_state::eligible(a, *q->second.cfg))
          ++eligible;
      auto it = q->second.index.find(media);
      return {static_cast<std::uint32_t>(it == q->second.index.end() ? 0 : it->second.size()), eligible};
    },
    [=](login_atom, const std::string& id, const agent_actor& handle, const skill_levels& skills,
        const media_capacity& capacity) {
      auto& st = self->state;
      agent_entry a;
      a.handle = handle;
      a.skills = skills;
      a.capacity = capacity;
      a.idle_since = st.now();
      for (auto& [name, q] : st.queues)
        if (router_state::eligible(a, *q.cfg))
          a.queues.push_back(name);
      if (auto old = st.agents.find(id); old != st.agents.end())
        st.unindex(id, old->second);
      st.agents[id] = std::move(a);
    },
    [=](avail_atom, agent_report& r) {
      auto& st = self->state;
      auto it = st.agents.find(r.agent);
      if (it == st.agents.end())
        return;
      auto& a = it->second;
      bool was_free = false;
      for (auto& [media, cap] : a.capacity)
        was_free |= a.available(media);
      bool freed = r.ready && !a.ready;
      for (auto& [media, n] : r.used)
        if (n < (a.used.count(media) ? a.used[media] : 0))
          freed = true;
      a.ready = r.ready;
      a.used = std::move(r.used);
      a.seen = std::move(r.seen);
      if (freed && !was_free)
        a.idle_since = st.now();  // idle from now on: longest idle is measured from here
      st.reindex(r.agent, a);
      offer_agent(self, r.agent);
    },
    [=](logout_atom, const std::string& id, const agent_actor& handle) {
      // Only this login: a forced second login may have replaced it already.
      auto& st = self->state;
      if (auto it = st.agents.find(id); it != st.agents.end() && it->second.handle == handle) {
        st.unindex(id, it->second);
        st.agents.erase(it);
      }
    },
    [=](router_atom, const std::vector<std::string>& names,
        const client_actor& client) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      for (auto& n : names) {
        auto it = st.queues.find(n);
        if (it == st.queues.end())
          return caf::make_error(wire::ErrorCode::unknown_id, "no queue " + n + " in tenant "
                                                                + st.tenant);
        if (it->second.stream)
          return caf::make_error(wire::ErrorCode::wrong_state,
                                 "queue " + n + " is routed over Redis Streams (router = \"stream\")");
      }
      for (auto& n : names) {
        auto& q = st.queues.at(n);
        q.external = client;
        for (auto& [media, head] : q.heads)
          if (!q.pending[media])
            try_queue(self, q, media);
      }
      self->monitor(client);
      return caf::ok_atom_v;
    },
    [=](route_atom, std::uint64_t rid, const std::string& id,
        const client_actor& client) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      auto it = st.requests.find(rid);
      if (it == st.requests.end())
        return caf::make_error(wire::ErrorCode::unknown_id,
                               "no open route request " + std::to_string(rid));
      auto r = it->second;
      auto& q = st.queues.at(r.queue);
      if (q.external != client)
        return caf::make_error(wire::ErrorCode::wrong_client_type,
                               "route request " + std::to_string(rid) + " went to another router");
      auto a = st.agents.find(id);
      if (a == st.agents.end())
        return caf::make_error(wire::ErrorCode::unknown_id, "agent " + id + " is not logged in");
      if (!router_state::eligible(a->second, *q.cfg) || !a->second.available(r.media))
        return caf::make_error(wire::ErrorCode::wrong_state,
                               "agent " + id + " cannot take a " + r.media + " interaction now");
      st.requests.erase(it);
      assign(self, q, r.media, id);
      return caf::ok_atom_v;
    },
    [=](route_atom, std::uint64_t rid) {
      // The external router did not answer in time: decide here.
      if (self->state.requests.count(rid))
        spdlog::warn("external router did not answer route request {} in time; routing built-in", rid);
      decide_builtin(self, rid);
    },
    [=](instruct_atom, const route_instruction& in) -> instruct_result {
      // A stream router's instruction: applied at most once, because it must match the open
      // request (which it closes) — a second copy, an answer after the timeout or for an
      // old head, or one from another run of the engine finds none and is stale.
      auto& st = self->state;
      auto it = st.requests.find(in.request_id);
      if (it == st.requests.end() || it->second.iid != in.iid || !st.queues.at(it->second.queue).stream)
        return {instruction_outcome::stale, "no open request " + std::to_string(in.request_id)
                                              + " for interaction " + std::to_string(in.iid)};
      auto r = it->second;
      auto& q = st.queues.at(r.queue);
      st.dom->metrics->stream_round_trip.record(std::chrono::steady_clock::now() - r.asked);
      auto refuse = [&](std::string why) -> instruct_result {
        decide_builtin(self, in.request_id);
        return {instruction_outcome::refused, std::move(why)};
      };
      switch (in.what) {
        case route_instruction::action::route: {
          auto a = st.agents.find(in.target);
          if (a == st.agents.end())
            return refuse("agent " + in.target + " is not logged in");
          if (!router_state::eligible(a->second, *q.cfg) || !a->second.available(r.media))
            return refuse("agent " + in.target + " cannot take a " + r.media + " interaction now");
          st.requests.erase(it);
          assign(self, q, r.media, in.target);
          return {instruction_outcome::applied, std::string{}};
        }
        case route_instruction::action::wait:
          // Asked again when an eligible agent becomes free or the head changes.
          st.requests.erase(it);
          q.pending[r.media] = false;
          return {instruction_outcome::applied, std::string{}};
        case route_instruction::action::queue: {
          auto* to = st.dom->cfg->find_queue(in.target);
          if (!to || to->tenant != st.tenant || to->name == r.queue)
            return refuse("\"" + in.target + "\" is not another queue of tenant " + st.tenant);
          break;
        }
        case route_instruction::action::stop:
          break;
      }
      // Queue or stop: the head stays pending until it leaves this queue.
      st.requests.erase(it);
      return instruct_interaction(self, r, in);
    },
  };
}

} // namespace

router_actor spawn_router(caf::actor_system& sys, std::string tenant, std::uint64_t index) {
  return sys.spawn(router_behavior, std::move(tenant), index);
}

} // namespace parley
