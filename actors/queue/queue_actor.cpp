#include "actors/queue/queue_actor.hpp"

#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/runtime/domain.hpp"
#include "actors/runtime/harden.hpp"

#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/views.hpp"

namespace parley {

namespace {

/// Routing order: higher priority first, then lower seq (earlier arrival).
using order_key = std::tuple<std::int64_t, std::uint64_t, std::uint64_t>;  // -priority, seq, iid

struct entry {
  order_key key;
  interaction_actor interaction;  ///< invalid: recovered without an actor (waiting_record)
  interaction_view summary;
  std::uint64_t overflow_gen = 0;
  bool pinned = false;  ///< waits for the agent reserved for it: not a routing head
  std::int64_t entered_ms = 0;  ///< when it entered this queue (a requeue keeps it)
};

struct queue_state {
  queue_config cfg;
  bool stream = false;  ///< routed over Redis Streams: the head carries the properties
  domain_ptr dom;
  router_actor router;
  std::uint64_t next_seq = 0;
  std::uint64_t overflow_gen = 0;
  std::unordered_map<std::uint64_t, entry> entries;
  std::map<std::string, std::set<order_key>> order;  // per media
  std::map<std::string, std::uint64_t> head_sent;    // per media: iid last told (0 = none)
  static inline const char* name = "queue";

  void vq(queue_actor::pointer self, wire::VqEventKind kind, std::uint64_t iid,
          const std::string& agent = {}, const std::string& reason = {}) {
    self->send(dom->bus, vq_atom_v, vq_record{kind, cfg.tenant, cfg.name, iid, agent, reason});
  }

  /// Tells the router the head of `media` when it changed (or always, when forced).
  void publish(queue_actor::pointer self, const std::string& media, bool force) {
    auto& set = order[media];
    std::uint64_t head = set.empty() ? 0 : std::get<2>(*set.begin());
    if (!force && head_sent[media] == head)
      return;
    head_sent[media] = head;
    queue_head h{cfg.name, media, head != 0, head, 0, 0};
    if (head != 0) {
      auto& e = entries.at(head);
      h.priority = e.summary.priority;
      h.enqueued_ms = e.summary.submitted_ms;
      if (stream)
        h.properties = e.summary.properties;
    }
    self->send(router, head_atom_v, std::move(h));
  }

  void erase(std::uint64_t iid) {
    auto it = entries.find(iid);
    if (!it->second.pinned)
      order[it->second.summary.media].erase(it->second.key);
    entries.erase(it);
  }
};

using queue_self = queue_actor::stateful_pointer<queue_state>;

/// Runs `then` with the actor of an interaction that left this queue: its own handle, or
/// for one recovered without an actor the one the registry spawns for it now. `failed`
/// runs when there is none (it stopped meanwhile, the registry is gone).
template <class Then, class Failed>
void with_actor(queue_self self, std::uint64_t iid, const interaction_actor& inter, Then then,
                Failed failed) {
  if (inter) {
    then(inter);
    return;
  }
  auto& st = self->state;
  self->request(st.dom->interactions, st.dom->cfg->request_timeout, lookup_atom_v, iid)
    .then([=](const interaction_actor& a) mutable { then(a); },
          [=](caf::error& e) mutable { failed(e); });
}

/// Takes an interaction in (a new one: seq 0; a requeue or recovery keeps its seq). One
/// pinned to a reserved agent is not a routing head: the router hands it to that agent.
/// `quiet`: the router is told the heads later (a recovery's batch).
caf::result<std::uint64_t> enqueue(queue_self self, std::uint64_t iid, const interaction_actor& inter,
                                   interaction_view& summary, std::uint64_t seq,
                                   std::int64_t entered_ms, const std::string& pinned_to,
                                   bool quiet = false) {
  auto& st = self->state;
  if (st.entries.count(iid))
    return caf::make_error(wire::ErrorCode::wrong_state, "already waiting in " + st.cfg.name);
  if (seq == 0 && st.entries.size() >= st.cfg.max_size)
    return caf::make_error(wire::ErrorCode::limit_exceeded,
                           "queue " + st.cfg.name + " is full (max_size "
                             + std::to_string(st.cfg.max_size) + ")");
  if (seq == 0)
    seq = ++st.next_seq;
  else  // a requeue, or an interaction recovered at start-up: new arrivals go behind it
    st.next_seq = std::max(st.next_seq, seq);
  auto media = summary.media;
  order_key key{-static_cast<std::int64_t>(summary.priority), seq, iid};
  entry e{key, inter, std::move(summary), 0};
  e.entered_ms = entered_ms;
  if (st.cfg.overflow_after.count() > 0) {
    // Counted from when it entered this queue: a requeue does not restart the wait.
    auto waited = std::chrono::milliseconds{st.dom->clk->now_ms() - entered_ms};
    auto left = std::max(st.cfg.overflow_after - waited, std::chrono::milliseconds{0});
    e.overflow_gen = ++st.overflow_gen;
    self->delayed_send(self, st.dom->clk->real_delay(left), overflow_atom_v, iid,
                       e.overflow_gen);
  }
  e.pinned = !pinned_to.empty();
  st.entries.emplace(iid, std::move(e));
  st.vq(self, wire::VqEventKind::entered, iid);
  if (pinned_to.empty()) {
    st.order[media].insert(key);
    if (!quiet)
      st.publish(self, media, false);
  } else {
    self->send(st.router, deliver_atom_v, st.cfg.name, iid, pinned_to, media);
  }
  return seq;
}

queue_actor::behavior_type queue_behavior(queue_self self, queue_config cfg) {
  self->state.cfg = std::move(cfg);
  self->state.stream = self->state.cfg.stream_routed();
  harden(self);
  return {
    [=](init_atom, const domain_ptr& dom) {
      self->state.dom = dom;
      self->state.router = dom->router(self->state.cfg.tenant);
    },
    [=](enqueue_atom, std::uint64_t iid, const interaction_actor& inter, interaction_view& summary,
        std::uint64_t seq, std::int64_t entered_ms) -> caf::result<std::uint64_t> {
      return enqueue(self, iid, inter, summary, seq, entered_ms, {});
    },
    [=](enqueue_atom, std::uint64_t iid, const interaction_actor& inter, interaction_view& summary,
        std::uint64_t seq, std::int64_t entered_ms,
        const std::string& pinned_to) -> caf::result<std::uint64_t> {
      return enqueue(self, iid, inter, summary, seq, entered_ms, pinned_to);
    },
    [=](recover_atom, std::vector<waiting_record>& records) {
      auto& st = self->state;
      auto before = st.entries.size();
      for (auto& r : records)  // refused only when it waits here already
        enqueue(self, r.iid, {}, r.summary, r.seq, r.entered_ms, {}, true);
      for (auto& [media, set] : st.order)
        st.publish(self, media, false);
      return static_cast<std::uint64_t>(st.entries.size() - before);
    },
    [=](unpin_atom, std::uint64_t iid) {
      auto& st = self->state;
      auto it = st.entries.find(iid);
      if (it == st.entries.end() || !it->second.pinned)
        return;
      it->second.pinned = false;
      st.order[it->second.summary.media].insert(it->second.key);
      st.publish(self, it->second.summary.media, false);
    },
    [=](remove_atom, std::uint64_t iid, bool abandoned, const std::string& reason) {
      auto& st = self->state;
      auto it = st.entries.find(iid);
      if (it == st.entries.end())
        return;
      auto media = it->second.summary.media;
      st.erase(iid);
      st.vq(self, abandoned ? wire::VqEventKind::abandoned : wire::VqEventKind::cleared, iid, {},
            reason);
      st.publish(self, media, false);
    },
    [=](assign_atom, std::uint64_t iid, const std::string& agent, const agent_actor& agent_handle,
        const std::string& media) {
      auto& st = self->state;
      bool pinned = false;
      auto it = st.entries.find(iid);
      if (it == st.entries.end()) {
        // The head left between the router's decision and now: the reservation is void.
        self->send(st.router, void_atom_v, agent, media);
      } else {
        auto inter = it->second.interaction;
        pinned = it->second.pinned;
        st.erase(iid);
        st.vq(self, wire::VqEventKind::diverted, iid, agent);
        // If the interaction cannot take the offer any more (stopped, moved), the router's
        // reservation is void.
        auto router = st.router;
        auto fail = [=](caf::error&) { self->send(router, void_atom_v, agent, media); };
        with_actor(self, iid, inter, [=](const interaction_actor& a) {
          self->request(a, self->state.dom->cfg->request_timeout, offer_atom_v, agent, agent_handle,
                        self->state.cfg.name)
            .then([](caf::ok_atom) {}, fail);
        }, fail);
      }
      if (!pinned)  // a pinned one was no head; the router's pending flag is not about it
        st.publish(self, media, true);  // always: it also clears the router's pending flag
    },
    [=](overflow_atom, std::uint64_t iid, std::uint64_t gen) {
      auto& st = self->state;
      auto it = st.entries.find(iid);
      if (it == st.entries.end() || it->second.overflow_gen != gen)
        return;
      auto inter = it->second.interaction;
      auto media = it->second.summary.media;
      st.erase(iid);
      st.vq(self, wire::VqEventKind::cleared, iid, {}, "overflow");
      st.publish(self, media, false);
      auto to = st.cfg.overflow_to;
      with_actor(self, iid, inter, [=](const interaction_actor& a) { self->send(a, overflow_atom_v, to); },
                 [](caf::error&) {});  // it stopped meanwhile
    },
    [=](snapshot_atom, std::uint32_t offset, std::uint32_t limit) {
      auto& st = self->state;
      // Merge the per-media orders into one routing order, up to offset + limit.
      std::vector<order_key> all;
      for (auto& [media, set] : st.order)
        all.insert(all.end(), set.begin(), set.end());
      std::sort(all.begin(), all.end());
      std::vector<interaction_view> page;
      for (std::size_t i = offset; i < all.size() && page.size() < limit; ++i)
        page.push_back(st.entries.at(std::get<2>(all[i])).summary);
      return std::make_tuple(static_cast<std::uint32_t>(all.size()), std::move(page));
    },
    [=](state_atom) {
      auto& st = self->state;
      queue_status out{st.cfg.name, st.entries.size(), 0};
      for (auto& [iid, e] : st.entries)  // O(waiting): asked by operators, not on a hot path
        if (out.oldest_entered_ms == 0 || e.entered_ms < out.oldest_entered_ms)
          out.oldest_entered_ms = e.entered_ms;
      return out;
    },
    [=](stop_atom, const std::string& reason) {
      // Each interaction stops itself (and takes itself out of this queue): the same path
      // as a client's StopProcessing, so reporting, storage and statistics see a stop.
      auto& st = self->state;
      requester console{wire::ClientType::admin, {}, {}, {}};
      for (auto& [iid, e] : st.entries)  // no answer wanted
        with_actor(self, iid, e.interaction,
                   [=](const interaction_actor& a) { caf::anon_send(a, stop_atom_v, console, reason); },
                   [](caf::error&) {});
      return static_cast<std::uint64_t>(st.entries.size());
    },
  };
}

} // namespace

queue_actor spawn_queue(caf::actor_system& sys, queue_config cfg) {
  return sys.spawn(queue_behavior, std::move(cfg));
}

} // namespace parley
