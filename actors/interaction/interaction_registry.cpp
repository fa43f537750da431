#include "actors/interaction/interaction_registry.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include <caf/all.hpp>

#include "actors/runtime/domain.hpp"
#include "actors/runtime/harden.hpp"

#include "actors/interaction/interaction_actor.hpp"
#include "actors/interaction/interaction_state.hpp"
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
  /// Recovered interactions that wait in their queue without an actor (the queue holds a
  /// waiting_record): the actor is spawned the first time anything needs it (find()).
  struct waiting_one {
    interaction_view v;
    std::uint64_t seq = 0;
    std::int64_t entered_ms = 0;
  };
  std::unordered_map<std::uint64_t, waiting_one> waiting;
  clock::time_point recovered_at;  ///< when the recovery queued them (routing latency)
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

  /// The actor of a live interaction; for one waiting without an actor, spawned now (it
  /// starts queued where its queue holds it). Invalid: unknown or stopped.
  interaction_actor find(interaction_registry_actor::pointer self, std::uint64_t id) {
    if (auto it = live.find(id); it != live.end())
      return it->second;
    auto it = waiting.find(id);
    if (it == waiting.end())
      return {};
    interaction_setup setup;
    setup.view = std::move(it->second.v);
    setup.dom = dom;
    setup.waiting = true;
    setup.queue_seq = it->second.seq;
    setup.entered_ms = it->second.entered_ms;
    setup.entered_at = recovered_at;
    waiting.erase(it);
    auto a = spawn_interaction(self->system(), std::move(setup));
    watch(self, id, a);
    return a;
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

/// A start-up recovery in progress. A queued interaction goes back to its queue as a
/// waiting_record, in one message per queue, without an actor (find() spawns it when
/// needed): 100,000 waiting are back in a fraction of a second. The others (offered or
/// handled: requeued; parked) get their actor now, at most `window` requests in flight:
/// one request per interaction all at once made CAF 0.17's pending-response bookkeeping
/// quadratic (1,000,000 rows were not back after 10 minutes).
struct recovery_run {
  static constexpr std::size_t window = 1024;
  std::uint64_t total = 0;
  std::vector<storage::interaction_row> rows;  // those that get their actor now
  std::size_t next = 0;       // the first row not spawned yet
  std::size_t in_flight = 0;  // recover requests not answered yet
  std::size_t queues = 0;     // queues that have not answered their waiting records yet
  caf::typed_response_promise<std::uint64_t> rp;

  void finish_if_done() {
    if (in_flight == 0 && next == rows.size() && queues == 0 && rp.pending()) {
      rp.deliver(total);
      rows = {};
    }
  }
};

/// Spawns and requeues rows until the window is full.
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
  run->finish_if_done();
}

/// Puts every queued row back in its queue without an actor, reported as an actor's
/// recovery would report it (recovered, then queued "engine restart"; its stored row
/// already says so and is not written again); keeps the other rows for recover_some.
void recover_waiting(registry_self self, const std::shared_ptr<recovery_run>& run,
                     std::vector<storage::interaction_row>& rows) {
  using wire::InteractionState;
  using wire::ReportingKind;
  auto& st = self->state;
  auto& dom = *st.dom;
  auto now = dom.clk->now_ms();
  st.recovered_at = dom.clk->now();
  std::map<std::string, std::vector<waiting_record>> by_queue;
  for (auto& row : rows) {
    if (row.state != static_cast<std::uint8_t>(InteractionState::queued) || row.held
        || !dom.queue(row.queue)) {
      run->rows.push_back(std::move(row));
      continue;
    }
    interaction_view v;
    try {
      v = from_row(row);
    } catch (const std::exception& e) {
      spdlog::error("recovery: interaction {} cannot be loaded: {}", row.id, e.what());
      continue;
    }
    if (!row.external_id.empty())
      st.by_external[row.tenant + '\n' + row.external_id] = row.id;
    v.agents.clear();
    v.state = InteractionState::submitted;
    self->send(dom.bus, report_atom_v,
               interaction_detail::make_report(v, ReportingKind::recovered, v.changed_ms, {}, {}, true,
                                               InteractionState::submitted, false));
    v.state = InteractionState::queued;
    v.changed_ms = now;
    self->send(dom.bus, report_atom_v,
               interaction_detail::make_report(v, ReportingKind::queued, now, {}, "engine restart", true,
                                               InteractionState::submitted, true));
    by_queue[v.queue].push_back(
      waiting_record{row.id, interaction_detail::queue_summary(dom, v, v.queue, now), row.queue_seq,
                     row.entered_ms});
    st.waiting.emplace(row.id, registry_state::waiting_one{std::move(v), row.queue_seq, row.entered_ms});
  }
  for (auto& [name, records] : by_queue) {
    ++run->queues;
    auto count = records.size();
    auto queue = name;
    self->request(dom.queue(name), caf::infinite, recover_atom_v, std::move(records))
      .then(
        [=](std::uint64_t taken) {
          if (taken != count)
            spdlog::error("recovery: queue {} took {} of {} waiting interactions", queue, taken, count);
          --run->queues;
          run->finish_if_done();
        },
        [=](caf::error& e) {
          spdlog::error("recovery: queue {} did not take its {} waiting interactions: {}", queue,
                        count, describe(e));
          --run->queues;
          run->finish_if_done();
        });
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
          self->request(st.find(self, id), req.time.inner(cfg.request_timeout), submit_atom_v, owner)
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
      if (auto a = self->state.find(self, id))
        return a;
      return caf::make_error(wire::ErrorCode::unknown_id,
                             "no interaction " + std::to_string(id) + " (unknown or stopped)");
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
      run->total = live.size();
      run->rp = self->make_response_promise<std::uint64_t>();
      recover_waiting(self, run, live);
      recover_some(self, run);
      return run->rp;
    },
    [=](count_atom) {
      return static_cast<std::uint64_t>(self->state.live.size() + self->state.waiting.size());
    },
    [=](snapshot_atom, std::uint32_t limit) {
      // Oldest first (lowest ids), for the console; waiting ones it shows get their actor.
      auto& st = self->state;
      std::vector<std::uint64_t> ids;
      for (auto& [id, a] : st.live)
        ids.push_back(id);
      for (auto& [id, w] : st.waiting)
        ids.push_back(id);
      auto n = std::min<std::size_t>(limit, ids.size());
      std::partial_sort(ids.begin(), ids.begin() + n, ids.end());
      std::vector<interaction_actor> out;
      for (std::size_t i = 0; i < n; ++i)
        out.push_back(st.find(self, ids[i]));
      return out;
    },
  };
}

} // namespace

interaction_registry_actor spawn_interaction_registry(caf::actor_system& sys) {
  return sys.spawn(interaction_registry);
}

} // namespace parley
