#include "actors/interaction/interaction_actor.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/harden.hpp"

namespace parley {
namespace {

using wire::InteractionState;
using wire::ReportingKind;

struct party {
  std::string agent;
  caf::actor handle;
};

/// Why an offer is out: routed from a queue, a transfer to an agent, or a conference invite.
enum class offer_kind { none, routed, transfer, conference };

struct interaction_state {
  interaction_view v;
  caf::actor owner;
  domain_ptr dom;
  caf::actor queue;          // while queued
  std::uint64_t seq = 0;     // position in the current queue (kept across requeues)
  std::vector<party> parties;
  party offered;             // the agent an offer is out to
  offer_kind offer = offer_kind::none;
  std::uint64_t offer_gen = 0;
  bool announced = false;    // the submitted report went out (only once a queue took it)
  std::int64_t entered_ms = 0;  // when it entered its current queue (overflow counts from here)
  clock::time_point entered_at;  // the same, precisely (routing latency)
  protocol::encoder enc;
  static inline const char* name = "interaction";

  void sync_agents() {
    v.agents.clear();
    for (auto& p : parties)
      v.agents.push_back(p.agent);
    if (offer != offer_kind::none && offer != offer_kind::conference)
      v.agents.push_back(offered.agent);
  }

  bool is_party(const std::string& agent) const {
    return std::any_of(parties.begin(), parties.end(), [&](auto& p) { return p.agent == agent; });
  }
};

using self_ptr = caf::stateful_actor<interaction_state>*;

caf::error err(wire::ErrorCode code, std::string text) {
  return caf::make_error(code, std::move(text));
}

std::string id_text(self_ptr self) {
  return "interaction " + std::to_string(self->state.v.id);
}

void report(self_ptr self, ReportingKind kind, const std::string& agent = {},
            const std::string& reason = {}, bool transition = false,
            InteractionState from = InteractionState::submitted, bool has_from = true) {
  auto& st = self->state;
  parley::report r;
  r.kind = kind;
  r.source_ms = transition ? st.v.changed_ms : st.dom->clk->now_ms();
  r.tenant = st.v.tenant;
  r.iid = st.v.id;
  r.agent = agent;
  r.queue = st.v.queue;
  r.media = st.v.media;
  r.transition = transition;
  r.has_from = has_from;
  r.from = from;
  r.state = st.v.state;
  r.reason = reason;
  self->send(st.dom->bus, report_atom_v, std::move(r));
}

/// Moves to `to` and reports it as one transition.
void change(self_ptr self, InteractionState to, ReportingKind kind, const std::string& agent = {},
            const std::string& reason = {}) {
  auto& st = self->state;
  auto from = st.v.state;
  st.v.state = to;
  st.v.changed_ms = st.dom->clk->now_ms();
  st.sync_agents();
  report(self, kind, agent, reason, true, from);
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
    to_owner(self, party_event(st.enc, false, st.v.id, p.agent, reason));
  }
  st.parties.clear();
}

/// Withdraws an outstanding offer from its agent.
void withdraw_offer(self_ptr self, const std::string& reason) {
  auto& st = self->state;
  if (st.offer == offer_kind::none)
    return;
  ++st.offer_gen;
  self->send(st.offered.handle, revoke_atom_v, st.v.id, reason);
  st.offer = offer_kind::none;
  st.offered = {};
}

using done_fn = std::function<void(const caf::error&)>;

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
  // The queue keeps what its snapshot shows, as it will be once queued (not the user data).
  auto now = st.dom->clk->now_ms();
  auto summary = st.v;
  summary.queue = name;
  summary.state = InteractionState::queued;
  summary.agents.clear();
  summary.held = false;
  summary.workbin.clear();
  summary.changed_ms = now;
  summary.properties.clear();
  // A requeue keeps its position and its overflow deadline; a new queue starts both afresh.
  bool same = seq != 0 && name == st.v.queue && st.entered_ms != 0;
  auto entered = same ? st.entered_ms : now;
  auto entered_at = same ? st.entered_at : st.dom->clk->now();
  self->request(q, std::chrono::seconds{5}, enqueue_atom_v, st.v.id, caf::actor{self}, summary, seq,
                entered)
    .await(
      [=](std::uint64_t pos) {
        auto& st = self->state;
        st.entered_ms = entered;
        st.entered_at = entered_at;
        st.v.held = false;
        if (!st.announced) {
          st.announced = true;
          report(self, ReportingKind::submitted, {}, {}, true, InteractionState::submitted, false);
        }
        bool moved = st.v.queue != name;
        st.queue = q;
        st.seq = pos;
        st.v.queue = name;
        st.v.workbin.clear();
        change(self, InteractionState::queued, kind, agent, reason);
        if (moved || kind != ReportingKind::queued || reason.empty())
          to_owner(self, placed_event(st.enc, st.v.id, name));
        done(caf::none);
      },
      [=](caf::error& e) { done(e); });
}

/// Back into its queue, at the position it had (after a reject, a timeout, a lost agent).
void requeue(self_ptr self, ReportingKind kind, const std::string& agent,
             const std::string& reason) {
  auto& st = self->state;
  enqueue(self, st.v.queue, st.seq, kind, agent, reason, [=](const caf::error& e) {
    if (e)  // cannot happen unless the queue died (shutdown): nothing better to do
      self->quit(e);
  });
}

void stop_now(self_ptr self, const std::string& reason, bool abandoned);

/// Sends an invite to `agent`: `done` runs with no error once the agent shows it (the offer
/// timer runs from then), or with the agent's refusal.
void offer(self_ptr self, const std::string& agent, const caf::actor& handle, offer_kind kind,
           done_fn done) {
  auto& st = self->state;
  st.offer = kind;
  st.offered = party{agent, handle};
  auto gen = ++st.offer_gen;
  if (kind != offer_kind::conference)
    change(self, InteractionState::offered, ReportingKind::offered, agent,
           kind == offer_kind::transfer ? "transfer" : "");
  else
    report(self, ReportingKind::offered, agent, "conference");
  auto timeout = st.dom->cfg->routing.offer_timeout;
  auto view = st.v;
  view.agents = {agent};
  auto ev = invite_event(st.enc, view, static_cast<std::uint32_t>(timeout.count()));
  // The agent runs the offer timer: a pending delayed message would keep this actor's
  // memory alive after it stops, and agents live long anyway.
  caf::timespan real_timeout{st.dom->clk->real_delay(timeout)};
  self->request(handle, std::chrono::seconds{5}, invite_atom_v, st.v.id, st.v.media,
                caf::actor{self}, ev, kind == offer_kind::routed, real_timeout, gen)
    .await(
      [=](caf::ok_atom) {
        auto& st = self->state;
        if (kind == offer_kind::routed) {
          st.dom->metrics->routing.record(st.dom->clk->now() - st.entered_at);
          if (st.owner)
            to_owner(self, taken_event(st.enc, st.v.id, st.v.queue, agent));
        }
        done(caf::none);
      },
      [=](caf::error& e) {
        auto& st = self->state;
        if (st.offer_gen != gen)
          return;
        st.offer = offer_kind::none;
        st.offered = {};
        done(e);
      });
}

/// An offer ended without accept (reject, timeout, lost agent): where does it go now?
void offer_failed(self_ptr self, offer_kind kind, const std::string& agent, ReportingKind why_kind,
                  const std::string& why) {
  if (kind == offer_kind::conference) {
    report(self, why_kind, agent, why);  // the handling agents keep it
    return;
  }
  // Routed or transferred: back to its queue at the position it last had (never refused).
  requeue(self, why_kind, agent, why);
}

void stop_now(self_ptr self, const std::string& reason, bool abandoned) {
  auto& st = self->state;
  withdraw_offer(self, "stopped");
  if (st.v.state == InteractionState::queued && st.queue)
    self->send(st.queue, remove_atom_v, st.v.id, abandoned, reason);
  auto stopped = stopped_event(st.enc, st.v.id, reason);
  to_parties(self, stopped);
  for (auto& p : st.parties)
    self->send(p.handle, release_atom_v, st.v.id, std::string{"stopped"});
  st.parties.clear();
  change(self, InteractionState::stopped,
         abandoned ? ReportingKind::abandoned : ReportingKind::stopped, {}, reason);
  to_owner(self, stopped);
  self->send(st.dom->interactions, forget_atom_v, st.v.id, st.v.tenant, st.v.external_id);
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

// -- the behavior: one handler per message ---------------------------------------

caf::behavior interaction_actor(self_ptr self, interaction_setup setup) {
  auto& st0 = self->state;
  harden(self);
  st0.v = std::move(setup.view);
  st0.owner = std::move(setup.owner);
  st0.dom = std::move(setup.dom);
  st0.v.submitted_ms = st0.v.changed_ms = st0.dom->clk->now_ms();
  return {
    [=](init_atom) -> caf::result<InteractionState> {
      // Reported only once a queue took it, so a refused submit leaves no trace.
      auto rp = self->make_response_promise<InteractionState>();
      auto& st = self->state;
      enqueue(self, st.v.queue, 0, ReportingKind::queued, {}, {}, [=](const caf::error& e) mutable {
        if (!e) {
          rp.deliver(InteractionState::queued);
          return;
        }
        rp.deliver(e);
        self->quit();
      });
      return rp;
    },
    [=](state_atom) { return self->state.v; },
    [=](submit_atom, const caf::actor& owner) {
      // A resubmit after a reconnect: the new connection gets the events from now on.
      if (owner)
        self->state.owner = owner;
      return self->state.v;
    },
    [=](props_atom, const requester& who, property_list& set,
        std::vector<std::string>& remove) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (who.type == wire::ClientType::agent_desktop && !st.is_party(who.agent)
          && !(st.offer != offer_kind::none && st.offered.agent == who.agent))
        return err(wire::ErrorCode::wrong_state, id_text(self) + " is not handled by " + who.agent);
      for (auto& p : set)
        if (p.key.empty())
          return err(wire::ErrorCode::invalid_argument, "a property key must not be empty");
      if (auto why = check_properties(st.dom->cfg->routing, st.v.properties, set, remove); !why.empty())
        return err(wire::ErrorCode::limit_exceeded, why);
      auto& props = st.v.properties;
      for (auto& k : remove)
        props.erase(std::remove_if(props.begin(), props.end(), [&](auto& p) { return p.key == k; }),
                    props.end());
      for (auto& p : set) {
        auto it = std::find_if(props.begin(), props.end(), [&](auto& c) { return c.key == p.key; });
        if (it != props.end())
          *it = p;
        else
          props.push_back(p);
      }
      auto ev = props_event(st.enc, st.v.id, set, remove);
      to_owner(self, ev);
      to_parties(self, ev);
      report(self, ReportingKind::properties_changed);
      return caf::ok_atom_v;
    },
    [=](place_atom, const std::string& queue) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (st.v.state == InteractionState::stopped)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " is stopped");
      if (!st.dom->queue(queue))
        return err(wire::ErrorCode::unknown_id, "no queue named " + queue);
      if (st.dom->cfg->find_queue(queue)->tenant != st.v.tenant)
        return err(wire::ErrorCode::invalid_argument, "queue " + queue + " belongs to another tenant");
      // Nothing is given up before the new queue took it: a refusal leaves it where it was.
      auto rp = self->make_response_promise<caf::ok_atom>();
      auto from = st.v.state;
      if (from == InteractionState::queued)
        self->send(st.queue, remove_atom_v, st.v.id, false, std::string{"moved"});
      withdraw_offer(self, "moved");
      enqueue(self, queue, 0, ReportingKind::queued, {}, "moved", [=](const caf::error& e) mutable {
        if (e) {
          if (from == InteractionState::queued || from == InteractionState::offered)
            requeue(self, ReportingKind::queued, {}, "move refused: " + describe(e));
          rp.deliver(e);
          return;
        }
        release_parties(self, "moved");
        rp.deliver(caf::ok_atom_v);
      });
      return rp;
    },
    [=](stop_atom, const requester& who, const std::string& reason) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      // A desktop stops what it handles, or what waits in its own or a queue's workbin.
      bool own_bin = st.v.state == InteractionState::parked
                     && (st.v.workbin == "agent:" + who.agent || st.v.workbin.rfind("agent:", 0) != 0);
      if (who.type == wire::ClientType::agent_desktop && !st.is_party(who.agent) && !own_bin)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " is not handled by " + who.agent);
      stop_now(self, reason.empty() ? "stopped" : reason,
               st.v.state == InteractionState::queued && who.type != wire::ClientType::agent_desktop);
      return caf::ok_atom_v;
    },
    [=](accept_atom, const requester& who) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (st.offer == offer_kind::none || st.offered.agent != who.agent)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " is not offered to " + who.agent);
      auto kind = st.offer;
      auto p = st.offered;
      ++st.offer_gen;  // the offer timer is void now
      st.offer = offer_kind::none;
      st.offered = {};
      self->send(p.handle, accepted_atom_v, st.v.id);
      st.parties.push_back(p);
      to_owner(self, party_event(st.enc, true, st.v.id, p.agent));
      if (kind == offer_kind::conference) {
        st.sync_agents();
        report(self, ReportingKind::conferenced, p.agent);
      } else {
        change(self, InteractionState::handled, ReportingKind::accepted, p.agent);
      }
      return caf::ok_atom_v;
    },
    [=](reject_atom, const requester& who, const std::string& reason) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (st.offer == offer_kind::none || st.offered.agent != who.agent)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " is not offered to " + who.agent);
      auto kind = st.offer;
      withdraw_offer(self, "rejected");
      offer_failed(self, kind, who.agent, ReportingKind::rejected,
                   reason.empty() ? "rejected" : reason);
      return caf::ok_atom_v;
    },
    [=](revoke_atom, std::uint64_t gen) {
      auto& st = self->state;
      if (gen != st.offer_gen || st.offer == offer_kind::none)
        return;
      auto kind = st.offer;
      auto agent = st.offered.agent;
      withdraw_offer(self, "timeout");
      offer_failed(self, kind, agent, ReportingKind::offer_timeout, "timeout");
    },
    [=](offer_atom, const std::string& agent, const caf::actor& handle,
        const std::string& from_queue) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      // It may have moved or been taken out since the queue decided: the queue then voids
      // the router's reservation.
      if (st.v.state != InteractionState::queued || st.v.queue != from_queue)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " left " + from_queue);
      st.queue = nullptr;
      offer(self, agent, handle, offer_kind::routed, [=](const caf::error& e) {
        if (e)
          requeue(self, ReportingKind::revoked, agent, "agent refused: " + describe(e));
      });
      return caf::ok_atom_v;
    },
    [=](overflow_atom, const std::string& target) {
      enqueue(self, target, 0, ReportingKind::overflowed, {}, "overflow", [=](const caf::error& e) {
        if (e)  // the overflow queue is full: stay where it was, at its position
          requeue(self, ReportingKind::queued, {}, "overflow refused: " + describe(e));
      });
    },
    [=](gone_atom, const std::string& agent, const std::string& why) {
      auto& st = self->state;
      if (st.offer != offer_kind::none && st.offered.agent == agent) {
        auto kind = st.offer;
        ++st.offer_gen;
        st.offer = offer_kind::none;
        st.offered = {};
        offer_failed(self, kind, agent, ReportingKind::revoked, "agent " + why);
        return;
      }
      if (!st.is_party(agent))
        return;
      st.parties.erase(std::remove_if(st.parties.begin(), st.parties.end(),
                                      [&](auto& p) { return p.agent == agent; }),
                       st.parties.end());
      to_owner(self, party_event(st.enc, false, st.v.id, agent, why));
      if (!st.parties.empty() || st.v.state != InteractionState::handled) {
        st.sync_agents();
        report(self, ReportingKind::party_left, agent, why);
        return;
      }
      // Nobody handles it any more: back to its queue, at the position it had.
      requeue(self, ReportingKind::revoked, agent, "agent " + why);
    },
    [=](transfer_atom, const requester& who, const std::string& agent,
        const std::string& queue) -> caf::result<caf::ok_atom> {
      if (auto e = must_handle(self, who))
        return e;
      auto& st = self->state;
      if (!queue.empty() && !st.dom->queue(queue))
        return err(wire::ErrorCode::unknown_id, "no queue named " + queue);
      if (!queue.empty() && st.dom->cfg->find_queue(queue)->tenant != st.v.tenant)
        return err(wire::ErrorCode::invalid_argument, "queue " + queue + " belongs to another tenant");
      withdraw_offer(self, "cancelled");  // an open conference invitation ends here
      if (queue.empty() && agent.empty())
        return err(wire::ErrorCode::invalid_argument, "Transfer needs an agent or a queue");
      // Answered once the target has it (a promise: it must be made after the checks).
      auto rp = self->make_response_promise<caf::ok_atom>();
      if (!queue.empty()) {
        enqueue(self, queue, 0, ReportingKind::transferred, who.agent, "to queue " + queue,
                [=](const caf::error& e) mutable {
                  if (e) {
                    rp.deliver(e);
                    return;
                  }
                  release_parties(self, "transferred");
                  rp.deliver(caf::ok_atom_v);
                });
        return rp;
      }
      self->request(st.dom->agents, std::chrono::seconds{5}, lookup_atom_v, agent)
        .await(
          [=](const caf::actor& target) mutable {
            // The transferring agents keep it until the target has the invite.
            auto before = self->state.parties;
            self->state.parties.clear();
            offer(self, agent, target, offer_kind::transfer, [=](const caf::error& e) mutable {
              auto& st = self->state;
              if (e) {
                st.parties = before;
                change(self, InteractionState::handled, ReportingKind::revoked, agent, describe(e));
                rp.deliver(e);
                return;
              }
              for (auto& p : before) {
                self->send(p.handle, release_atom_v, st.v.id, std::string{"transferred"});
                to_owner(self, party_event(st.enc, false, st.v.id, p.agent, "transferred"));
              }
              report(self, ReportingKind::transferred, agent, "to agent " + agent);
              rp.deliver(caf::ok_atom_v);
            });
          },
          [=](caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
    [=](conf_atom, const requester& who, const std::string& agent) -> caf::result<caf::ok_atom> {
      if (auto e = must_handle(self, who))
        return e;
      auto& st = self->state;
      if (st.offer != offer_kind::none)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " has an invitation out already");
      if (st.is_party(agent))
        return err(wire::ErrorCode::wrong_state, agent + " is already a party");
      auto rp = self->make_response_promise<caf::ok_atom>();
      self->request(st.dom->agents, std::chrono::seconds{5}, lookup_atom_v, agent)
        .await(
          [=](const caf::actor& target) mutable {
            offer(self, agent, target, offer_kind::conference, [=](const caf::error& e) mutable {
              if (e)
                rp.deliver(e);
              else
                rp.deliver(caf::ok_atom_v);
            });
          },
          [=](caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
    [=](leave_atom, const requester& who) -> caf::result<caf::ok_atom> {
      if (auto e = must_handle(self, who))
        return e;
      auto& st = self->state;
      if (st.parties.size() < 2)
        return err(wire::ErrorCode::wrong_state, "the last party cannot leave: stop or transfer");
      auto it = std::find_if(st.parties.begin(), st.parties.end(),
                             [&](auto& p) { return p.agent == who.agent; });
      self->send(it->handle, release_atom_v, st.v.id, std::string{"left"});
      st.parties.erase(it);
      st.sync_agents();
      to_owner(self, party_event(st.enc, false, st.v.id, who.agent, "left"));
      report(self, ReportingKind::party_left, who.agent);
      return caf::ok_atom_v;
    },
    [=](hold_atom, const requester& who) -> caf::result<caf::ok_atom> {
      if (auto e = must_handle(self, who))
        return e;
      if (self->state.v.held)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " is on hold already");
      self->state.v.held = true;
      report(self, ReportingKind::held, who.agent);
      return caf::ok_atom_v;
    },
    [=](resume_atom, const requester& who) -> caf::result<caf::ok_atom> {
      if (auto e = must_handle(self, who))
        return e;
      if (!self->state.v.held)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " is not on hold");
      self->state.v.held = false;
      report(self, ReportingKind::resumed, who.agent);
      return caf::ok_atom_v;
    },
    [=](park_atom, const requester& who, const std::string& workbin) -> caf::result<caf::ok_atom> {
      if (auto e = must_handle(self, who))
        return e;
      auto& st = self->state;
      if (!workbin.empty()) {
        auto* q = st.dom->cfg->find_queue(workbin);
        if (!q || q->tenant != st.v.tenant)
          return err(wire::ErrorCode::unknown_id, "no queue workbin " + workbin + " in tenant "
                                                    + st.v.tenant);
      }
      withdraw_offer(self, "cancelled");
      release_parties(self, "parked");
      st.v.held = false;
      st.v.workbin = workbin.empty() ? "agent:" + who.agent : workbin;
      change(self, InteractionState::parked, ReportingKind::parked, who.agent, st.v.workbin);
      return caf::ok_atom_v;
    },
    [=](pull_atom, const requester& who, const caf::actor& agent) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (st.v.state != InteractionState::parked)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " is not parked");
      if (st.v.workbin.rfind("agent:", 0) == 0 && st.v.workbin != "agent:" + who.agent)
        return err(wire::ErrorCode::wrong_state, "only " + st.v.workbin.substr(6)
                                                   + " may pull from their workbin");
      auto rp = self->make_response_promise<caf::ok_atom>();
      self->request(agent, std::chrono::seconds{5}, pull_atom_v, st.v.id, st.v.media, caf::actor{self})
        .await(
          [=](caf::ok_atom) mutable {
            auto& st = self->state;
            st.parties.push_back(party{who.agent, agent});
            auto bin = st.v.workbin;
            st.v.workbin.clear();
            change(self, InteractionState::handled, ReportingKind::pulled, who.agent, bin);
            to_owner(self, party_event(st.enc, true, st.v.id, who.agent));
            rp.deliver(caf::ok_atom_v);
          },
          [=](caf::error& e) mutable { rp.deliver(e); });
      return rp;
    },
  };
}

} // namespace

caf::actor spawn_interaction(caf::actor_system& sys, interaction_setup setup) {
  return sys.spawn(interaction_actor, std::move(setup));
}

} // namespace parley
