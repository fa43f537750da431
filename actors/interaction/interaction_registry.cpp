#include "actors/interaction/interaction_registry.hpp"

#include <deque>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include <caf/all.hpp>

#include "actors/runtime/domain.hpp"
#include "actors/runtime/harden.hpp"

#include "actors/interaction/interaction_actor.hpp"
#include "actors/persistence/rows.hpp"

namespace parley {

namespace {

struct registry_state {
  domain_ptr dom;
  std::uint64_t next_id = 0;
  /// Shared with the attach_functor that stops them when the registry ends however it
  /// ends (it runs after CAF 0.17 has destroyed this state).
  std::shared_ptr<std::unordered_map<std::uint64_t, interaction_actor>> live_ptr =
    std::make_shared<std::unordered_map<std::uint64_t, interaction_actor>>();
  std::unordered_map<std::uint64_t, interaction_actor>& live = *live_ptr;
  /// The interaction id of every monitored live actor, for its down message.
  std::unordered_map<caf::actor_id, std::uint64_t> by_actor;
  std::unordered_map<std::string, std::uint64_t> by_external;
  /// Stopped interactions by external id, so a late resubmit finds them instead of creating
  /// a second one; the newest `finished_limit` are kept (and reloaded at start-up).
  std::unordered_map<std::string, std::uint64_t> finished;
  std::deque<std::string> finished_order;
  std::size_t finished_limit = 100'000;
  static inline const char* name = "interaction_registry";

  void remember_finished(const std::string& ext, std::uint64_t id) {
    if (finished_limit == 0 || !finished.emplace(ext, id).second)
      return;
    finished_order.push_back(ext);
    while (finished_order.size() > finished_limit) {
      finished.erase(finished_order.front());
      finished_order.pop_front();
    }
  }

  /// A spawned interaction: indexed and monitored (a death it did not announce with
  /// forget_atom is a down message).
  void watch(interaction_registry_actor::pointer self, std::uint64_t id, const interaction_actor& a) {
    live[id] = a;
    by_actor[a.id()] = id;
    self->monitor(a);
  }

  /// No longer watched: stopped (forget_atom) or failed to start.
  void unwatch(interaction_registry_actor::pointer self, std::uint64_t id) {
    auto it = live.find(id);
    if (it == live.end())
      return;
    self->demonitor(it->second.address());
    by_actor.erase(it->second.id());
    live.erase(it);
  }
};

using registry_self = interaction_registry_actor::stateful_pointer<registry_state>;

/// A start-up recovery in progress: the live rows, requeued in order with at most `window`
/// requests in flight. One request per interaction all at once made CAF 0.17's pending-
/// response bookkeeping quadratic: 1,000,000 rows were not back after 10 minutes and half
/// of them timed out.
struct recovery_run {
  static constexpr std::size_t window = 1024;
  std::vector<storage::interaction_row> rows;
  std::size_t next = 0;       // the first row not spawned yet
  std::size_t in_flight = 0;  // recover requests not answered yet
  caf::typed_response_promise<std::uint64_t> rp;
};

/// Spawns and requeues rows until the window is full; answers the total once all are back.
void recover_some(registry_self self, const std::shared_ptr<recovery_run>& run) {
  auto& st = self->state;
  while (run->in_flight < recovery_run::window && run->next < run->rows.size()) {
    auto& row = run->rows[run->next++];
    interaction_setup setup;
    try {
      setup.view = from_row(row);
    } catch (const std::exception& e) {
      spdlog::error("recovery: interaction {} cannot be loaded: {}", row.id, e.what());
      continue;
    }
    setup.dom = st.dom;
    setup.recovered = true;
    setup.queue_seq = row.queue_seq;
    setup.entered_ms = row.entered_ms;
    auto a = spawn_interaction(self->system(), std::move(setup));
    st.watch(self, row.id, a);
    if (!row.external_id.empty())
      st.by_external[row.tenant + '\n' + row.external_id] = row.id;
    ++run->in_flight;
    auto id = row.id;
    auto back = [=] {
      --run->in_flight;
      recover_some(self, run);
    };
    self->request(a, caf::infinite, recover_atom_v)  // no timer: see enqueue() (interaction_steps.cpp)
      .then([=](wire::InteractionState) { back(); },
            [=](caf::error& e) {
              spdlog::error("recovery: interaction {} could not be requeued: {}", id, describe(e));
              back();
            });
  }
  if (run->in_flight == 0 && run->next == run->rows.size() && run->rp.pending()) {
    run->rp.deliver(static_cast<std::uint64_t>(run->rows.size()));
    run->rows = {};
  }
}
using submit_answer = caf::result<std::uint64_t, bool, wire::InteractionState>;

/// An interaction actor ended without forget_atom: it died (a bug: an exception, or the
/// console's `debug kill`). Forget it; its external id is kept as stopped (docs/protocol.md,
/// Submit), so a resubmit is answered at once and never creates a second interaction for
/// the same work (the dead one's stored row is still live: a restart recovers it).
void interaction_died(registry_self self, const caf::down_msg& dm) {
  auto& st = self->state;
  auto it = st.by_actor.find(dm.source.id());
  if (it == st.by_actor.end())
    return;  // forgotten already
  auto id = it->second;
  st.by_actor.erase(it);
  st.live.erase(id);
  for (auto e = st.by_external.begin(); e != st.by_external.end(); ++e)  // rare: O(n) is fine
    if (e->second == id) {
      st.remember_finished(e->first, id);
      st.by_external.erase(e);
      break;
    }
  auto reason = caf::to_string(dm.reason);
  if (dm.reason == caf::exit_reason::normal) {
    spdlog::warn("interaction {} ended without telling its registry; forgotten", id);
    return;
  }
  st.dom->metrics->count_death(actor_family::interaction);
  spdlog::error("supervision: interaction {} died ({}); forgotten: its external id answers as "
                "stopped, its stored row is recovered at the next start",
                id, reason);
  // It may still wait in a queue, which would hand it to an agent: take it out.
  for (auto& [name, q] : st.dom->queues)
    caf::anon_send(q, remove_atom_v, id, false, "interaction died (" + reason + ")");
}

interaction_registry_actor::behavior_type interaction_registry(registry_self self) {
  harden(self);
  self->set_exit_handler([=](caf::exit_msg& em) {
    for (auto& [id, a] : self->state.live)
      self->send_exit(a, em.reason);
    self->quit(em.reason);
  });
  // A registry that dies (killed, an exception) takes its interactions with it, as a
  // stopping one does: they would be unreachable, and their timers keep them alive.
  self->attach_functor([live = self->state.live_ptr](const caf::error& reason) {
    if (reason != caf::exit_reason::user_shutdown)
      for (auto& [id, a] : *live)
        caf::anon_send_exit(a, caf::exit_reason::kill);
  });
  self->set_down_handler([=](caf::down_msg& dm) { interaction_died(self, dm); });
  return {
    [=](init_atom, const domain_ptr& dom) { self->state.dom = dom; },
    [=](submit_atom, submit_request& req, const client_actor& owner) -> submit_answer {
      auto& st = self->state;
      auto& cfg = *st.dom->cfg;
      if (req.tenant.empty())
        req.tenant = "default";
      auto* q = cfg.find_queue(req.queue);
      if (!q)
        return caf::make_error(wire::ErrorCode::unknown_id, "no queue named " + req.queue);
      if (q->tenant != req.tenant)
        return caf::make_error(wire::ErrorCode::invalid_argument,
                               "queue " + req.queue + " belongs to tenant " + q->tenant);
      if (!cfg.knows_media(req.media))
        return caf::make_error(wire::ErrorCode::invalid_argument,
                               "unknown media \"" + req.media + "\" (see routing.media)");
      if (auto why = check_properties(cfg.routing, {}, req.properties, {}); !why.empty())
        return caf::make_error(wire::ErrorCode::limit_exceeded, why);
      // External ids are unique per tenant.
      auto ext = req.external_id.empty() ? std::string{} : req.tenant + '\n' + req.external_id;
      if (!ext.empty()) {
        if (auto it = st.finished.find(ext); it != st.finished.end())
          return {it->second, true, wire::InteractionState::stopped};
        if (auto it = st.by_external.find(ext); it != st.by_external.end()) {
          // A resubmit (e.g. after a reconnect): the same interaction, not a second one; its
          // events go to the connection that resubmitted.
          auto rp = self->make_response_promise<std::uint64_t, bool, wire::InteractionState>();
          auto id = it->second;
          self->request(st.live.at(id), req.time.inner(cfg.request_timeout), submit_atom_v, owner)
            .then([=](const interaction_view& v) mutable { rp.deliver(id, true, v.state); },
                  [=](caf::error& e) mutable { rp.deliver(e); });
          return rp;
        }
      }
      auto id = ++st.next_id;
      interaction_view v;
      v.id = id;
      v.external_id = req.external_id;
      v.tenant = req.tenant;
      v.media = req.media;
      v.queue = req.queue;
      v.priority = req.priority;
      v.properties = std::move(req.properties);
      interaction_setup setup{std::move(v), owner, st.dom, false, 0, 0, std::move(req.reserved_for)};
      auto a = spawn_interaction(self->system(), std::move(setup));
      st.watch(self, id, a);
      if (!ext.empty())
        st.by_external[ext] = id;
      // The interaction answers the submitter itself once its queue took it (one hop
      // fewer); a refusal it answers, then tells us (forget_atom, not finished).
      return self->delegate(a, init_atom_v);
    },
    [=](lookup_atom, std::uint64_t id) -> caf::result<interaction_actor> {
      auto& live = self->state.live;
      auto it = live.find(id);
      if (it == live.end())
        return caf::make_error(wire::ErrorCode::unknown_id,
                               "no interaction " + std::to_string(id) + " (unknown or stopped)");
      return it->second;
    },
    [=](forget_atom, std::uint64_t id, const std::string& tenant, const std::string& external_id,
        bool finished) {
      auto& st = self->state;
      st.unwatch(self, id);
      auto ext = tenant + '\n' + external_id;
      if (!external_id.empty())
        if (auto it = st.by_external.find(ext); it != st.by_external.end() && it->second == id) {
          st.by_external.erase(it);
          if (finished)
            st.remember_finished(ext, id);
        }
    },
    [=](recover_atom, std::vector<storage::interaction_row>& live,
        std::vector<storage::interaction_row>& finished, std::uint64_t max_id,
        std::uint64_t finished_limit) -> caf::result<std::uint64_t> {
      // At start-up, before any client connects: ids continue, stopped external ids are
      // remembered, and every live interaction goes back where it was.
      auto& st = self->state;
      st.next_id = std::max(st.next_id, max_id);
      st.finished_limit = finished_limit;
      for (auto it = finished.rbegin(); it != finished.rend(); ++it)  // oldest first
        st.remember_finished(it->tenant + '\n' + it->external_id, it->id);
      auto run = std::make_shared<recovery_run>();
      run->rows = std::move(live);
      run->rp = self->make_response_promise<std::uint64_t>();
      recover_some(self, run);
      return run->rp;
    },
    [=](count_atom) { return static_cast<std::uint64_t>(self->state.live.size()); },
    [=](snapshot_atom, std::uint32_t limit) {
      // Oldest first (lowest ids), for the console.
      std::vector<std::uint64_t> ids;
      for (auto& [id, a] : self->state.live)
        ids.push_back(id);
      std::sort(ids.begin(), ids.end());
      std::vector<interaction_actor> out;
      for (auto id : ids) {
        if (out.size() >= limit)
          break;
        out.push_back(self->state.live.at(id));
      }
      return out;
    },
  };
}

} // namespace

interaction_registry_actor spawn_interaction_registry(caf::actor_system& sys) {
  return sys.spawn(interaction_registry);
}

} // namespace parley
