// interaction_steps: the steps an interaction's handlers are made of — reporting a change,
// entering a queue, offering to an agent, stopping. See interaction_state.hpp.
#include "actors/interaction/interaction_state.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/reporting/reporting_bus.hpp"

namespace parley::interaction_detail {

caf::error err(wire::ErrorCode code, std::string text) {
  return caf::make_error(code, std::move(text));
}

std::string id_text(self_ptr self) {
  return "interaction " + std::to_string(self->state.v.id);
}

report make_report(const interaction_view& v, ReportingKind kind, std::int64_t source_ms,
                   const std::string& agent, const std::string& reason, bool transition,
                   InteractionState from, bool has_from) {
  parley::report r;
  r.kind = kind;
  r.source_ms = source_ms;
  r.tenant = v.tenant;
  r.iid = v.id;
  r.agent = agent;
  r.queue = v.queue;
  r.media = v.media;
  r.transition = transition;
  r.has_from = has_from;
  r.from = from;
  r.state = v.state;
  r.reason = reason;
  return r;
}

interaction_view queue_summary(const domain_handles& dom, const interaction_view& v,
                               const std::string& queue, std::int64_t now_ms) {
  auto summary = v;
  summary.queue = queue;
  summary.state = InteractionState::queued;
  summary.agents.clear();
  summary.held = false;
  summary.workbin.clear();
  summary.changed_ms = now_ms;
  if (!dom.route_stream || !dom.cfg->find_queue(queue)->stream_routed())  // no lookup without streams
    summary.properties.clear();
  return summary;
}

void publish(self_ptr self, ReportingKind kind, const std::string& agent,
             const std::string& reason, bool transition, InteractionState from, bool has_from) {
  auto& st = self->state;
  self->send(st.dom->bus, report_atom_v,
             make_report(st.v, kind, transition ? st.v.changed_ms : st.dom->clk->now_ms(), agent,
                         reason, transition, from, has_from));
  // The row goes to the writer before the handler answers, so a sync asked for after the
  // answer covers it (durability = commit).
  self->send(st.dom->store, persist_atom_v, st.v, st.seq, st.entered_ms);
}

/// Moves to `to` and reports it as one transition.
void change(self_ptr self, InteractionState to, ReportingKind kind, const std::string& agent,
            const std::string& reason) {
  auto& st = self->state;
  auto from = st.v.state;
  st.v.state = to;
  st.v.changed_ms = st.dom->clk->now_ms();
  st.sync_agents();
  publish(self, kind, agent, reason, true, from);
}

void to_owner(self_ptr self, frame f) {
  if (self->state.owner)
    self->send(self->state.owner, event_atom_v, std::move(f));
}

void to_parties(self_ptr self, const frame& f) {
  for (auto& p : self->state.parties)
    self->send(p.handle, event_atom_v, f);
}

/// Releases every party (a handled interaction leaves its agents).
void release_parties(self_ptr self, const std::string& reason) {
  auto& st = self->state;
  for (auto& p : st.parties) {
    self->send(p.handle, release_atom_v, st.v.id, reason);
    to_owner(self, party_event(protocol::scratch_encoder(), false, st.v.id, p.agent, reason));
  }
  st.parties.clear();
}

agent_actor void_offer(self_ptr self) {
  auto& st = self->state;
  if (st.offer == offer_kind::none)
    return {};
  ++st.offer_gen;
  auto handle = st.offered.handle;
  st.offer = offer_kind::none;
  st.offered = {};
  return handle;
}

/// Withdraws an outstanding offer from its agent.
void withdraw_offer(self_ptr self, const std::string& reason) {
  if (auto handle = void_offer(self))
    self->send(handle, revoke_atom_v, self->state.v.id, reason);
}


/// Enters queue `name` at position `seq` (0: at the back of its priority). Waits for the
/// queue's answer before handling anything else, so no offer can overtake it.
void enqueue(self_ptr self, const std::string& name, std::uint64_t seq, ReportingKind kind,
             const std::string& agent, const std::string& reason, done_fn done) {
  auto& st = self->state;
  auto q = st.dom->queue(name);
  if (!q) {
    done(err(wire::ErrorCode::unknown_id, "no queue named " + name));
    return;
  }
  auto now = st.dom->clk->now_ms();
  auto summary = queue_summary(*st.dom, st.v, name, now);
  // A requeue keeps its position and its overflow deadline; a new queue starts both afresh.
  bool same = seq != 0 && name == st.v.queue && st.entered_ms != 0;
  auto entered = same ? st.entered_ms : now;
  auto entered_at = same ? st.entered_at : st.dom->clk->now();
  // An outbound call goes to the agent reserved for it, once: a requeue is routed normally.
  auto pinned = std::exchange(st.reserved_for, {});
  auto taken = [=](std::uint64_t pos) {
    auto& st = self->state;
    st.entered_ms = entered;
    st.entered_at = entered_at;
    st.v.held = false;
    if (!st.announced) {
      st.announced = true;
      publish(self, st.recovering ? ReportingKind::recovered : ReportingKind::submitted, {},
             {}, true, InteractionState::submitted, false);
    }
    bool moved = st.v.queue != name;
    st.queue = q;
    st.seq = pos;
    st.v.queue = name;
    st.v.workbin.clear();
    change(self, InteractionState::queued, kind, agent, reason);
    if (moved || kind != ReportingKind::queued || reason.empty())
      to_owner(self, placed_event(protocol::scratch_encoder(), st.v.id, name));
    done(caf::none);
  };
  auto refused = [=](caf::error& e) { done(e); };
  // A recovery's requeue waits without a timer: at start-up 100,000s of them would each
  // register one with CAF's clock thread (a lock and a wake-up each: a sixth of the
  // recovery's time). The queue is local; if it is gone, CAF answers with an error.
  auto wait = st.recovering && !st.announced ? caf::duration{caf::infinite} : caf::duration{st.dom->cfg->request_timeout};
  if (pinned.empty())
    self->request(q, wait, enqueue_atom_v, st.v.id,
                  caf::actor_cast<interaction_actor>(self), summary,
                  seq, entered)
      .await(taken, refused);
  else
    self->request(q, wait, enqueue_atom_v, st.v.id,
                  caf::actor_cast<interaction_actor>(self), summary,
                  seq, entered, pinned)
      .await(taken, refused);
}

/// Back into its queue, at the position it had (after a reject, a timeout, a lost agent);
/// `then` runs once the queue answered.
void requeue(self_ptr self, ReportingKind kind, const std::string& agent,
             const std::string& reason, std::function<void()> then) {
  auto& st = self->state;
  enqueue(self, st.v.queue, st.seq, kind, agent, reason, [=](const caf::error& e) {
    if (then)
      then();
    if (e)  // cannot happen unless the queue died (shutdown): nothing better to do
      self->quit(e);
  });
}

/// Sends an invite to `agent`: `done` runs with no error once the agent shows it (the offer
/// timer runs from then), or with the agent's refusal.
///
/// A routed offer is reported `offered` at once (the router made it; a refusal is a
/// `revoked` that really happened). A transfer or conference is a client's request that
/// the target may refuse (not ready, no capacity): it is reported only once the agent
/// shows the invite, so a refused request leaves no trace on the reporting stream. The
/// invite is awaited, so nothing else reaches this interaction in between.
void offer(self_ptr self, const std::string& agent, const agent_actor& handle, offer_kind kind,
           caf::timespan wait, done_fn done) {
  auto& st = self->state;
  st.offer = kind;
  st.offered = party{agent, handle};
  auto gen = ++st.offer_gen;
  if (kind == offer_kind::routed)
    change(self, InteractionState::offered, ReportingKind::offered, agent, "");
  auto timeout = st.dom->cfg->routing.offer_timeout;
  auto view = st.v;
  view.agents = {agent};
  if (kind == offer_kind::transfer) {
    view.state = InteractionState::offered;
    view.changed_ms = st.dom->clk->now_ms();
  }
  auto ev = invite_event(protocol::scratch_encoder(), view, static_cast<std::uint32_t>(timeout.count()));
  // The agent runs the offer timer: a pending delayed message would keep this actor's
  // memory alive after it stops, and agents live long anyway.
  caf::timespan real_timeout{st.dom->clk->real_delay(timeout)};
  self->request(handle, wait, invite_atom_v, st.v.id, st.v.media,
                caf::actor_cast<interaction_ref>(self), ev, kind == offer_kind::routed, real_timeout, gen)
    .await(
      [=](caf::ok_atom) {
        auto& st = self->state;
        if (kind == offer_kind::transfer)
          change(self, InteractionState::offered, ReportingKind::offered, agent, "transfer");
        else if (kind == offer_kind::conference)
          publish(self, ReportingKind::offered, agent, "conference");
        if (kind == offer_kind::routed) {
          st.dom->metrics->routing.record(st.dom->clk->now() - st.entered_at);
          if (st.owner)
            to_owner(self, taken_event(protocol::scratch_encoder(), st.v.id, st.v.queue, agent));
        }
        done(caf::none);
      },
      [=](caf::error& e) {
        auto& st = self->state;
        if (e == caf::sec::request_timeout)  // the invite may still show: take it back then
          self->send(handle, revoke_atom_v, st.v.id, std::string{"cancelled"});
        if (st.offer_gen != gen)
          return;
        st.offer = offer_kind::none;
        st.offered = {};
        done(e);
      });
}

/// An offer ended without accept (reject, timeout, lost agent): where does it go now? The
/// offer is void already; `revoke` is its agent, still to be told (invalid: it is gone).
void offer_failed(self_ptr self, offer_kind kind, const std::string& agent, ReportingKind why_kind,
                  const std::string& why, const agent_actor& revoke,
                  const std::string& revoke_reason) {
  auto iid = self->state.v.id;
  auto tell = [=] {
    if (revoke)
      self->send(revoke, revoke_atom_v, iid, revoke_reason);
  };
  if (kind == offer_kind::conference) {
    tell();
    publish(self, why_kind, agent, why);  // the handling agents keep it
    return;
  }
  // Routed or transferred: back to its queue at the position it last had (never refused).
  // The agent hears of it only once the queue has it back: the queue tells the router its
  // new head before it answers, so the router learns of the head before it learns that the
  // agent is free, and offers the requeued interaction ahead of younger ones. Told first,
  // the agent's report could reach the router first, which then offered the next one in
  // line (a race the scenario driver's virtual mode showed, reject_requeue.scenario).
  requeue(self, why_kind, agent, why, tell);
}

void stop_now(self_ptr self, const std::string& reason, bool abandoned) {
  auto& st = self->state;
  withdraw_offer(self, "stopped");
  if (st.v.state == InteractionState::queued && st.queue)
    self->send(st.queue, remove_atom_v, st.v.id, abandoned, reason);
  auto stopped = stopped_event(protocol::scratch_encoder(), st.v.id, reason);
  to_parties(self, stopped);
  for (auto& p : st.parties)
    self->send(p.handle, release_atom_v, st.v.id, std::string{"stopped"});
  st.parties.clear();
  change(self, InteractionState::stopped,
         abandoned ? ReportingKind::abandoned : ReportingKind::stopped, {}, reason);
  to_owner(self, stopped);
  self->send(st.dom->interactions, forget_atom_v, st.v.id, st.v.tenant, st.v.external_id, true);
  self->quit();
}

caf::error must_handle(self_ptr self, const requester& who) {
  auto& st = self->state;
  if (st.v.state != InteractionState::handled)
    return err(wire::ErrorCode::wrong_state, id_text(self) + " is not being handled");
  if (!st.is_party(who.agent))
    return err(wire::ErrorCode::wrong_state, id_text(self) + " is not handled by " + who.agent);
  return caf::none;
}

} // namespace parley::interaction_detail
