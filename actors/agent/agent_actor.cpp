#include "actors/agent/agent_actor.hpp"

#include <unordered_map>

#include <caf/all.hpp>

#include "actors/runtime/domain.hpp"
#include "actors/runtime/harden.hpp"

#include "actors/reporting/reporting_bus.hpp"
#include "actors/routing/router_actor.hpp"

namespace parley {

namespace {

struct held {
  std::string media;
  interaction_ref interaction;
  bool handled = false;
  std::uint64_t offer_gen = 0;  // the interaction's offer generation, for its timer
};

struct agent_state {
  agent_setup s;
  router_actor router;
  wire::AgentState state = wire::AgentState::not_ready;
  std::string reason;
  std::unordered_map<std::uint64_t, held> interactions;
  std::map<std::string, std::uint32_t> used;
  std::map<std::string, std::uint64_t> seen;
  std::uint32_t no_answer = 0;
  std::uint64_t wrap_gen = 0;
  std::int64_t changed_ms = 0;
  static inline const char* name = "agent";

  agent_view view() const {
    return agent_view{s.id, state, reason, s.group->capacity, used, changed_ms};
  }

  std::size_t handled_count() const {
    std::size_t n = 0;
    for (auto& [iid, h] : interactions)
      n += h.handled;
    return n;
  }

  void tell_router(agent_actor::pointer self) {
    self->send(router, avail_atom_v,
               agent_report{s.id, state == wire::AgentState::ready, used, seen});
  }

  void set_state(agent_actor::pointer self, wire::AgentState to, std::string why) {
    if (state == to && reason == why)
      return;
    state = to;
    reason = std::move(why);
    changed_ms = s.dom->clk->now_ms();
    ++wrap_gen;  // any state change ends a pending automatic return from after-call work
    report r;
    r.kind = to == wire::AgentState::ready       ? wire::ReportingKind::agent_ready
             : to == wire::AgentState::not_ready ? wire::ReportingKind::agent_not_ready
             : to == wire::AgentState::after_call_work ? wire::ReportingKind::agent_after_call_work
                                                       : wire::ReportingKind::agent_logout;
    r.source_ms = changed_ms;
    r.tenant = s.group->tenant;
    r.agent = s.id;
    r.agent_state = to;
    r.reason = reason;
    self->send(s.dom->bus, report_atom_v, std::move(r));
    self->send(s.client, event_atom_v, agent_state_event(protocol::scratch_encoder(), view()));
    tell_router(self);
  }

  void enter_acw(agent_actor::pointer self) {
    set_state(self, wire::AgentState::after_call_work, "");
    if (s.group->wrap_up.count() > 0)
      self->delayed_send(self, s.dom->clk->real_delay(s.group->wrap_up), wrapup_atom_v, wrap_gen);
  }

  /// Frees what the interaction held on this agent.
  bool drop(std::uint64_t iid) {
    auto it = interactions.find(iid);
    if (it == interactions.end())
      return false;
    auto& u = used[it->second.media];
    if (u > 0)
      --u;
    interactions.erase(it);
    return true;
  }
};

using agent_self = agent_actor::stateful_pointer<agent_state>;

/// Logs the agent out; every interaction it holds goes back to its queue.
void logout(agent_self self, const std::string& why) {
  auto& st = self->state;
  for (auto& [iid, h] : st.interactions)
    self->send(h.interaction, gone_atom_v, st.s.id, why);
  st.interactions.clear();
  st.used.clear();
  st.set_state(self, wire::AgentState::logged_out, why);
  self->send(st.router, logout_atom_v, st.s.id, caf::actor_cast<agent_actor>(self));
  self->quit();
}

agent_actor::behavior_type agent_behavior(agent_self self, agent_setup setup) {
  auto& st = self->state;
  st.s = std::move(setup);
  harden(self);
  st.router = st.s.dom->router(st.s.group->tenant);
  st.changed_ms = st.s.dom->clk->now_ms();
  self->send(st.router, login_atom_v, st.s.id, caf::actor_cast<agent_actor>(self), st.s.group->skills,
             st.s.group->capacity);
  {
    report r;
    r.kind = wire::ReportingKind::agent_login;
    r.source_ms = st.changed_ms;
    r.tenant = st.s.group->tenant;
    r.agent = st.s.id;
    r.agent_state = st.state;
    r.reason = st.s.place;
    self->send(st.s.dom->bus, report_atom_v, std::move(r));
  }
  st.tell_router(self);
  return {
    [=](ready_atom) {
      self->state.no_answer = 0;
      self->state.set_state(self, wire::AgentState::ready, "");
      return self->state.view();
    },
    [=](notready_atom, std::string& reason) {
      self->state.set_state(self, wire::AgentState::not_ready, std::move(reason));
      return self->state.view();
    },
    [=](acw_atom) {
      self->state.enter_acw(self);
      return self->state.view();
    },
    [=](state_atom) { return self->state.view(); },
    [=](logout_atom, bool forced) -> caf::result<agent_view> {
      auto& st = self->state;
      if (!forced && st.handled_count() > 0)
        return caf::make_error(wire::ErrorCode::wrong_state,
                               "agent " + st.s.id + " handles "
                                 + std::to_string(st.handled_count())
                                 + " interaction(s): transfer or stop them first");
      auto why = forced ? "disconnected" : "logout";
      auto v = st.view();
      v.state = wire::AgentState::logged_out;
      v.reason = why;
      logout(self, why);
      return v;
    },
    [=](invite_atom, std::uint64_t iid, const std::string& media, const interaction_ref& inter,
        const frame& ev, bool routed, caf::timespan timeout,
        std::uint64_t gen) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (routed)
        ++st.seen[media];
      auto refuse = [&](wire::ErrorCode code, std::string text) -> caf::result<caf::ok_atom> {
        if (routed)
          st.tell_router(self);  // the router learns the reservation was seen
        return caf::make_error(code, std::move(text));
      };
      if (st.state != wire::AgentState::ready)
        return refuse(wire::ErrorCode::wrong_state, "agent " + st.s.id + " is not ready");
      auto cap = st.s.group->capacity.count(media) ? st.s.group->capacity.at(media) : 0u;
      if (st.used[media] >= cap || st.interactions.count(iid))
        return refuse(wire::ErrorCode::limit_exceeded,
                      "agent " + st.s.id + " has no free " + media + " capacity");
      ++st.used[media];
      st.interactions[iid] = held{media, inter, false, gen};
      self->delayed_send(self, timeout, caf::timeout_atom_v, iid, gen);
      self->send(st.s.client, event_atom_v, ev, inter.address());
      st.tell_router(self);
      return caf::ok_atom_v;
    },
    [=](pull_atom, std::uint64_t iid, const std::string& media,
        const interaction_ref& inter) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      auto cap = st.s.group->capacity.count(media) ? st.s.group->capacity.at(media) : 0u;
      if (st.used[media] >= cap)
        return caf::make_error(wire::ErrorCode::limit_exceeded,
                               "agent " + st.s.id + " has no free " + media + " capacity");
      ++st.used[media];
      st.interactions[iid] = held{media, inter, true};
      st.tell_router(self);
      return caf::ok_atom_v;
    },
    [=](accepted_atom, std::uint64_t iid) {
      auto& st = self->state;
      if (auto it = st.interactions.find(iid); it != st.interactions.end()) {
        it->second.handled = true;
        st.no_answer = 0;
      }
    },
    [=](revoke_atom, std::uint64_t iid, const std::string& reason) {
      auto& st = self->state;
      if (!st.drop(iid))
        return;
      self->send(st.s.client, event_atom_v,
                 revoked_event(protocol::scratch_encoder(), iid, reason));
      auto max = st.s.dom->cfg->routing.max_no_answer;
      if (reason == "timeout" && max > 0 && ++st.no_answer >= max) {
        st.no_answer = 0;
        st.set_state(self, wire::AgentState::not_ready, "no answer");
        return;
      }
      st.tell_router(self);
    },
    [=](release_atom, std::uint64_t iid, const std::string& reason) {
      auto& st = self->state;
      if (!st.drop(iid))
        return;
      self->send(st.s.client, event_atom_v,
                 party_event(protocol::scratch_encoder(), false, iid, st.s.id, reason));
      if (st.handled_count() == 0 && st.state == wire::AgentState::ready
          && st.s.group->wrap_up.count() > 0) {
        st.enter_acw(self);
        return;
      }
      st.tell_router(self);
    },
    [=](event_atom, const frame& ev) { self->send(self->state.s.client, event_atom_v, ev); },
    [=](caf::timeout_atom, std::uint64_t iid, std::uint64_t gen) {
      // The offer timer: still offered and not answered? The interaction decides.
      auto& st = self->state;
      auto it = st.interactions.find(iid);
      if (it != st.interactions.end() && !it->second.handled && it->second.offer_gen == gen)
        self->send(it->second.interaction, revoke_atom_v, gen);
    },
    [=](wrapup_atom, std::uint64_t gen) {
      auto& st = self->state;
      if (gen == st.wrap_gen && st.state == wire::AgentState::after_call_work)
        st.set_state(self, wire::AgentState::ready, "");
    },
  };
}

} // namespace

agent_actor spawn_agent(caf::actor_system& sys, agent_setup setup) {
  return sys.spawn(agent_behavior, std::move(setup));
}

} // namespace parley
