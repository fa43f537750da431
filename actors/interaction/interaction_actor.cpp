#include "actors/interaction/interaction_actor.hpp"
#include "actors/interaction/interaction_state.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/harden.hpp"

namespace parley {
namespace {

using namespace interaction_detail;

// -- the behavior: one handler per message ---------------------------------------

interaction_actor::behavior_type interaction_behavior(self_ptr self, interaction_setup setup) {
  auto& st0 = self->state;
  harden(self);
  st0.v = std::move(setup.view);
  st0.owner = std::move(setup.owner);
  st0.dom = std::move(setup.dom);
  st0.reserved_for = std::move(setup.reserved_for);
  if (setup.waiting) {
    st0.announced = true;
    st0.queue = st0.dom->queue(st0.v.queue);
    st0.seq = setup.queue_seq;
    st0.entered_ms = setup.entered_ms;
    st0.entered_at = setup.entered_at;
  } else if (setup.recovered) {
    st0.recovering = true;
    st0.seq = setup.queue_seq;
    st0.entered_ms = setup.entered_ms;
    st0.entered_at = st0.dom->clk->now();
  } else {
    st0.v.submitted_ms = st0.v.changed_ms = st0.dom->clk->now_ms();
  }
  return {
    [=](init_atom) -> caf::result<std::uint64_t, bool, InteractionState> {
      // Reported only once a queue took it, so a refused submit leaves no trace.
      auto rp = self->make_response_promise<std::uint64_t, bool, InteractionState>();
      auto& st = self->state;
      enqueue(self, st.v.queue, 0, ReportingKind::queued, {}, {}, [=](const caf::error& e) mutable {
        auto& st = self->state;
        if (!e) {
          rp.deliver(st.v.id, false, InteractionState::queued);
          return;
        }
        rp.deliver(e);
        self->send(st.dom->interactions, forget_atom_v, st.v.id, st.v.tenant, st.v.external_id, false);
        self->quit();
      });
      return rp;
    },
    [=](recover_atom) -> caf::result<InteractionState> {
      auto& st = self->state;
      auto parked = st.v.state == InteractionState::parked;
      st.v.agents.clear();
      st.v.held = false;
      st.v.state = InteractionState::submitted;  // it enters the count like a new submit
      if (!parked && !st.dom->queue(st.v.queue)) {
        parked = true;
        st.v.workbin = "orphaned:" + st.v.queue;
      }
      if (parked) {
        st.announced = true;
        st.v.state = InteractionState::parked;
        publish(self, ReportingKind::recovered, {}, st.v.workbin, true, InteractionState::submitted,
               false);
        return InteractionState::parked;
      }
      auto rp = self->make_response_promise<InteractionState>();
      enqueue(self, st.v.queue, st.seq, ReportingKind::queued, {}, "engine restart",
              [=](const caf::error& e) mutable {
                if (e)
                  rp.deliver(e);
                else
                  rp.deliver(InteractionState::queued);
              });
      return rp;
    },
    [=](state_atom) { return self->state.v; },
    [=](submit_atom, const client_actor& owner) {
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
      auto ev = props_event(protocol::scratch_encoder(), st.v.id, set, remove);
      to_owner(self, ev);
      to_parties(self, ev);
      publish(self, ReportingKind::properties_changed);
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
      // An abandon is the customer giving up while waiting, which only its media gateway
      // can tell; a router, an admin client or the console stopping it clears it.
      stop_now(self, reason.empty() ? "stopped" : reason,
               st.v.state == InteractionState::queued && who.type == wire::ClientType::media_gateway);
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
      to_owner(self, party_event(protocol::scratch_encoder(), true, st.v.id, p.agent));
      if (kind == offer_kind::conference) {
        st.sync_agents();
        publish(self, ReportingKind::conferenced, p.agent);
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
      auto agent = void_offer(self);
      offer_failed(self, kind, who.agent, ReportingKind::rejected,
                   reason.empty() ? "rejected" : reason, agent, "rejected");
      return caf::ok_atom_v;
    },
    [=](revoke_atom, std::uint64_t gen) {
      auto& st = self->state;
      if (gen != st.offer_gen || st.offer == offer_kind::none)
        return;
      auto kind = st.offer;
      auto agent = st.offered.agent;
      auto handle = void_offer(self);
      offer_failed(self, kind, agent, ReportingKind::offer_timeout, "timeout", handle, "timeout");
    },
    [=](offer_atom, const std::string& agent, const agent_actor& handle,
        const std::string& from_queue) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      // It may have moved or been taken out since the queue decided: the queue then voids
      // the router's reservation.
      if (st.v.state != InteractionState::queued || st.v.queue != from_queue)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " left " + from_queue);
      st.queue = nullptr;
      offer(self, agent, handle, offer_kind::routed, st.dom->cfg->request_timeout, [=](const caf::error& e) {
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
      to_owner(self, party_event(protocol::scratch_encoder(), false, st.v.id, agent, why));
      if (!st.parties.empty() || st.v.state != InteractionState::handled) {
        st.sync_agents();
        publish(self, ReportingKind::party_left, agent, why);
        return;
      }
      // Nobody handles it any more: back to its queue, at the position it had.
      requeue(self, ReportingKind::revoked, agent, "agent " + why);
    },
    [=](transfer_atom, const requester& who, const std::string& agent,
        const std::string& queue) -> caf::result<caf::ok_atom> {
      if (auto e = must_handle(self, who))
        return e;
      if (who.time.spent())
        return err(wire::ErrorCode::timeout, "the request's time ran out before the transfer began");
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
      self->request(st.dom->agents, who.time.inner(st.dom->cfg->request_timeout), lookup_atom_v, agent)
        .await(
          [=](const agent_actor& target) mutable {
            // The transferring agents keep it until the target has the invite.
            auto before = self->state.parties;
            self->state.parties.clear();
            auto wait = who.time.inner(self->state.dom->cfg->request_timeout);
            offer(self, agent, target, offer_kind::transfer, wait, [=](const caf::error& e) mutable {
              auto& st = self->state;
              if (e) {  // refused: nothing was reported, nothing changed
                st.parties = before;
                st.sync_agents();
                rp.deliver(e);
                return;
              }
              for (auto& p : before) {
                self->send(p.handle, release_atom_v, st.v.id, std::string{"transferred"});
                to_owner(self, party_event(protocol::scratch_encoder(), false, st.v.id, p.agent, "transferred"));
              }
              publish(self, ReportingKind::transferred, agent, "to agent " + agent);
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
      if (who.time.spent())
        return err(wire::ErrorCode::timeout, "the request's time ran out before the invitation");
      auto rp = self->make_response_promise<caf::ok_atom>();
      self->request(st.dom->agents, who.time.inner(st.dom->cfg->request_timeout), lookup_atom_v, agent)
        .await(
          [=](const agent_actor& target) mutable {
            auto wait = who.time.inner(self->state.dom->cfg->request_timeout);
            offer(self, agent, target, offer_kind::conference, wait, [=](const caf::error& e) mutable {
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
      to_owner(self, party_event(protocol::scratch_encoder(), false, st.v.id, who.agent, "left"));
      publish(self, ReportingKind::party_left, who.agent);
      return caf::ok_atom_v;
    },
    [=](hold_atom, const requester& who) -> caf::result<caf::ok_atom> {
      if (auto e = must_handle(self, who))
        return e;
      if (self->state.v.held)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " is on hold already");
      self->state.v.held = true;
      publish(self, ReportingKind::held, who.agent);
      return caf::ok_atom_v;
    },
    [=](resume_atom, const requester& who) -> caf::result<caf::ok_atom> {
      if (auto e = must_handle(self, who))
        return e;
      if (!self->state.v.held)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " is not on hold");
      self->state.v.held = false;
      publish(self, ReportingKind::resumed, who.agent);
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
    [=](pull_atom, const requester& who, const agent_actor& agent) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      if (st.v.state != InteractionState::parked)
        return err(wire::ErrorCode::wrong_state, id_text(self) + " is not parked");
      if (st.v.workbin.rfind("agent:", 0) == 0 && st.v.workbin != "agent:" + who.agent)
        return err(wire::ErrorCode::wrong_state, "only " + st.v.workbin.substr(6)
                                                   + " may pull from their workbin");
      if (who.time.spent())
        return err(wire::ErrorCode::timeout, "the request's time ran out before the pull");
      auto rp = self->make_response_promise<caf::ok_atom>();
      self->request(agent, who.time.inner(st.dom->cfg->request_timeout), pull_atom_v, st.v.id,
                    st.v.media, caf::actor_cast<interaction_ref>(self))
        .await(
          [=](caf::ok_atom) mutable {
            auto& st = self->state;
            st.parties.push_back(party{who.agent, agent});
            auto bin = st.v.workbin;
            st.v.workbin.clear();
            change(self, InteractionState::handled, ReportingKind::pulled, who.agent, bin);
            to_owner(self, party_event(protocol::scratch_encoder(), true, st.v.id, who.agent));
            rp.deliver(caf::ok_atom_v);
          },
          [=](caf::error& e) mutable {
            if (e == caf::sec::request_timeout)  // the agent may still take it: give it back
              self->send(agent, release_atom_v, self->state.v.id, std::string{"cancelled"});
            rp.deliver(e);
          });
      return rp;
    },
  };
}

} // namespace

interaction_actor spawn_interaction(caf::actor_system& sys, interaction_setup setup) {
  return sys.spawn(interaction_behavior, std::move(setup));
}

} // namespace parley
