// interaction_dispatch: the handlers of the interaction and virtual-queue families, each
// from a verified envelope to the domain actor that decides it and back to exactly one
// answer. dispatch.cpp decides whether the client may send the request at all.
#include "engine/connection_state.hpp"
#include "engine/dispatch_handlers.hpp"
#include "engine/reporting_replay.hpp"

#include <caf/all.hpp>

#include "actors/interaction/interaction_registry.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/routing/router_actor.hpp"
#include "actors/runtime/views.hpp"

namespace parley::engine {

namespace {

using protocol::text_of;
using wire::ClientType;
using wire::Message;


client_actor me(connection_self self) {
  return caf::actor_cast<client_actor>(self);
}

/// Runs `answer` once everything the domain sent to storage so far is committed
/// (storage.durability = "commit": an acknowledged change is on disk), or at once ("async").
template <class F>
void after_commit(connection_self self, std::uint64_t ref, F answer) {
  auto& dom = *self->state.setup.domain;
  if (!dom.store || !self->state.setup.commit_acks) {
    answer();
    return;
  }
  self->request(dom.store, self->state.setup.request_timeout, sync_atom_v)
    .then([=](caf::ok_atom) mutable { answer(); },
          [=](caf::error& e) {
            self->state.fail(ref, wire::ErrorCode::storage_unavailable,
                             "done, but not yet stored: storage is slow or unavailable ("
                               + describe(e) + "); it is written when storage recovers");
          });
}

/// New work is refused while storage cannot take it (down with durability = commit, or
/// storage.max_pending rows waiting); nothing changes then.
bool storage_refuses(connection_self self, std::uint64_t ref) {
  auto& h = self->state.setup.domain->metrics->storage;
  if (h.accepting())
    return false;
  self->state.fail(ref, wire::ErrorCode::storage_unavailable,
                   "busy: storage unavailable ("
                     + std::to_string(h.pending.load(std::memory_order_relaxed))
                     + " rows waiting to be written); try again later");
  return true;
}

/// Answers "ok" requests with Ack (after commit), errors with Error.
auto ack_or_fail(connection_self self, std::uint64_t ref) {
  return std::make_pair(
    [=](caf::ok_atom) { after_commit(self, ref, [=] { self->state.ack(ref); }); },
    [=](caf::error& e) { self->state.fail(ref, e); });
}

/// Finds interaction `iid` (cached, or through the registry) and runs `f` with it.
template <class F>
void with_interaction(connection_self self, std::uint64_t ref, std::uint64_t iid, F f) {
  auto& st = self->state;
  if (auto it = st.known.find(iid); it != st.known.end()) {
    if (auto a = caf::actor_cast<interaction_actor>(it->second)) {
      f(a);
      return;
    }
    st.known.erase(it);  // stopped: the registry says so with the right error
  }
  self->request(st.setup.domain->interactions, st.setup.request_timeout, lookup_atom_v, iid)
    .then(
      [=](const interaction_actor& a) {
        self->state.remember(iid, a.address());
        f(a);
      },
      [=](caf::error& e) { self->state.fail(ref, e); });
}

/// Sends an interaction request whose answer is ok / error.
template <class... Ts>
void interaction_request(connection_self self, std::uint64_t ref, std::uint64_t iid, Ts... xs) {
  with_interaction(self, ref, iid, [=](const interaction_actor& a) {
    auto [ok, fail] = ack_or_fail(self, ref);
    self->request(a, self->state.setup.request_timeout, xs...)
      .then(ok, [=, fail = fail](caf::error& e) mutable {
        if (e == caf::sec::request_receiver_down) {
          self->state.known.erase(iid);
          self->state.fail(ref, wire::ErrorCode::unknown_id,
                           "interaction " + std::to_string(iid) + " is stopped");
          return;
        }
        fail(e);
      });
  });
}

void answer_status(connection_self self, std::uint64_t ref, const agent_view& v) {
  auto& enc = self->state.enc;
  auto& fbb = enc.start();
  self->state.send(enc.finish(ref, build_status(fbb, v)));
}

/// Agent requests: the agent logged in on this desktop answers with its status.
template <class... Ts>
void agent_request(connection_self self, std::uint64_t ref, Ts... xs) {
  auto& st = self->state;
  if (!st.agent_handle) {
    st.fail(ref, wire::ErrorCode::wrong_state, "no agent is logged in on this desktop");
    return;
  }
  self->request(st.agent_handle, st.setup.request_timeout, xs...)
    .then([=](const agent_view& v) { after_commit(self, ref, [=] { answer_status(self, ref, v); }); },
          [=](caf::error& e) { self->state.fail(ref, e); });
}

void submit(connection_self self, std::uint64_t ref, const wire::Submit& m) {
  submit_request req{text_of(m.external_id()), text_of(m.tenant()), text_of(m.media()),
                     text_of(m.queue()), m.priority(), read_properties(m.properties()), {},
                     budget::within(self->state.setup.request_timeout)};
  auto& st = self->state;
  if (storage_refuses(self, ref))
    return;
  auto started = std::chrono::steady_clock::now();
  self->request(st.setup.domain->interactions, st.setup.request_timeout, submit_atom_v,
                std::move(req), me(self))
    .then(
      [=](std::uint64_t id, bool existing, wire::InteractionState s) {
        after_commit(self, ref, [=] {
          self->state.setup.domain->metrics->submit_ack.record(std::chrono::steady_clock::now()
                                                                - started);
          auto& enc = self->state.enc;
          auto& fbb = enc.start();
          self->state.send(enc.finish(ref, wire::CreateSubmitted(fbb, id, existing, s)));
        });
      },
      [=](caf::error& e) { self->state.fail(ref, e); });
}

void login(connection_self self, std::uint64_t ref, const wire::AgentLogin& m) {
  auto& st = self->state;
  if (st.agent_handle) {
    st.fail(ref, wire::ErrorCode::wrong_state, "agent " + st.agent + " is logged in here already");
    return;
  }
  if (storage_refuses(self, ref))
    return;
  auto agent = text_of(m.agent());
  self->request(st.setup.domain->agents, st.setup.request_timeout, login_atom_v, agent,
                text_of(m.place()), me(self))
    .then(
      [=](const agent_actor& a, const agent_view& v) {
        auto& st = self->state;
        st.agent = agent;
        st.agent_handle = a;
        self->monitor(a);  // a forced second login elsewhere ends it: see connection_actor
        after_commit(self, ref, [=] { answer_status(self, ref, v); });
      },
      [=](caf::error& e) { self->state.fail(ref, e); });
}

void logout(connection_self self, std::uint64_t ref) {
  auto& st = self->state;
  if (!st.agent_handle) {
    st.fail(ref, wire::ErrorCode::wrong_state, "no agent is logged in on this desktop");
    return;
  }
  self->request(st.agent_handle, st.setup.request_timeout, logout_atom_v, false)
    .then(
      [=](const agent_view& v) {
        self->state.agent_handle = nullptr;
        self->state.agent.clear();
        after_commit(self, ref, [=] { answer_status(self, ref, v); });
      },
      [=](caf::error& e) { self->state.fail(ref, e); });
}

void get(connection_self self, std::uint64_t ref, std::uint64_t iid) {
  with_interaction(self, ref, iid, [=](const interaction_actor& a) {
    self->request(a, self->state.setup.request_timeout, state_atom_v)
      .then(
        [=](const interaction_view& v) {
          auto& enc = self->state.enc;
          auto& fbb = enc.start();
          auto info = build_info(fbb, v);
          self->state.send(enc.finish(ref, wire::CreateInteractionData(fbb, info)));
        },
        [=](caf::error& e) {
          self->state.known.erase(iid);
          if (e == caf::sec::request_receiver_down)
            self->state.fail(ref, wire::ErrorCode::unknown_id,
                             "interaction " + std::to_string(iid) + " is stopped");
          else
            self->state.fail(ref, e);
        });
  });
}

void snapshot(connection_self self, std::uint64_t ref, const wire::QueueSnapshot& m) {
  auto& st = self->state;
  auto name = text_of(m.queue());
  auto q = st.setup.domain->queue(name);
  if (!q) {
    st.fail(ref, wire::ErrorCode::unknown_id, "no queue named " + name);
    return;
  }
  auto limit = std::min<std::uint32_t>(m.limit() == 0 ? 100 : m.limit(), 1000);
  auto offset = m.offset();
  self->request(q, st.setup.request_timeout, snapshot_atom_v, offset, limit)
    .then(
      [=](std::uint32_t total, const std::vector<interaction_view>& items) {
        auto& enc = self->state.enc;
        auto& fbb = enc.start();
        std::vector<flatbuffers::Offset<wire::InteractionInfo>> infos;
        for (auto& v : items)
          infos.push_back(build_info(fbb, v));
        auto qn = fbb.CreateString(name);
        auto vec = fbb.CreateVector(infos);
        auto next = std::min<std::uint32_t>(total, offset + static_cast<std::uint32_t>(items.size()));
        self->state.send(enc.finish(ref, wire::CreateQueueSnapshotData(fbb, qn, total, next, vec)));
      },
      [=](caf::error& e) { self->state.fail(ref, e); });
}

void register_router(connection_self self, std::uint64_t ref, const wire::RegisterRouter& m) {
  auto& st = self->state;
  auto& dom = *st.setup.domain;
  // Queues are grouped by tenant: each tenant's router takes its own.
  std::map<std::string, std::vector<std::string>> by_tenant;
  if (m.queues())
    for (auto* q : *m.queues()) {
      auto* cfg = dom.cfg->find_queue(q->str());
      if (!cfg) {
        st.fail(ref, wire::ErrorCode::unknown_id, "no queue named " + q->str());
        return;
      }
      by_tenant[cfg->tenant].push_back(q->str());
    }
  if (by_tenant.empty()) {
    st.fail(ref, wire::ErrorCode::invalid_argument, "RegisterRouter needs at least one queue");
    return;
  }
  auto left = std::make_shared<std::size_t>(by_tenant.size());
  auto failed = std::make_shared<bool>(false);
  for (auto& [tenant, names] : by_tenant)
    self->request(dom.router(tenant), st.setup.request_timeout, router_atom_v, names, me(self))
      .then(
        [=](caf::ok_atom) {
          if (--*left == 0 && !*failed)
            self->state.ack(ref);
        },
        [=](caf::error& e) {
          if (!*failed)
            self->state.fail(ref, e);
          *failed = true;
        });
}

void route_to(connection_self self, std::uint64_t ref, const wire::RouteTo& m) {
  auto& routers = self->state.setup.domain->routers_by_index;
  auto rid = m.request_id();
  auto index = router_index_of(rid);
  if (index >= routers.size()) {
    self->state.fail(ref, wire::ErrorCode::unknown_id, "no route request " + std::to_string(rid));
    return;
  }
  auto [ok, fail] = ack_or_fail(self, ref);
  self->request(routers[index], self->state.setup.request_timeout, route_atom_v, rid,
                text_of(m.agent()), me(self))
    .then(ok, fail);
}

/// Ends a replay in progress, reporting or VQ (a new subscription or an unsubscribe replaces it).
void stop_replay(connection_self self) {
  auto& st = self->state;
  if (st.replayer)
    caf::anon_send_exit(st.replayer, caf::exit_reason::user_shutdown);
  st.replayer = nullptr;
}

void vq_subscribe(connection_self self, std::uint64_t ref, const wire::VqSubscribe& m) {
  std::vector<std::string> names;
  if (m.queues())
    for (auto* q : *m.queues()) {
      if (!self->state.setup.domain->queue(q->str())) {
        self->state.fail(ref, wire::ErrorCode::unknown_id, "no virtual queue " + q->str());
        return;
      }
      names.push_back(q->str());
    }
  auto& st = self->state;
  stop_replay(self);
  if (m.from_seq() == 0 || !st.setup.store) {
    auto [ok, fail] = ack_or_fail(self, ref);
    self->request(st.setup.domain->bus, st.setup.request_timeout, caf::join_atom_v, vq_atom_v, me(self),
                  std::move(names))
      .then(ok, fail);
    return;
  }
  // The Ack first, then the stored events of those queues, then the live ones.
  st.ack(ref);
  st.replayer = caf::actor_cast<caf::actor>(
    spawn_vq_replayer(self->home_system(), *st.setup.store, m.from_seq(), std::move(names), self, st.setup.domain->bus));
}

// -- one handler per request: (self, envelope) -------------------------------------

requester who(connection_self self) {
  return self->state.who(me(self));
}

} // namespace

void on_submit(connection_self self, const wire::Envelope& env) {
  submit(self, env.ref(), *env.message_as_Submit());
}

void on_get(connection_self self, const wire::Envelope& env) {
  get(self, env.ref(), env.message_as_GetInteraction()->interaction_id());
}

void on_change_properties(connection_self self, const wire::Envelope& env) {
  auto* m = env.message_as_ChangeProperties();
  std::vector<std::string> remove;
  if (m->remove())
    for (auto* k : *m->remove())
      remove.push_back(k->str());
  interaction_request(self, env.ref(), m->interaction_id(), props_atom_v, who(self),
                      read_properties(m->set()), std::move(remove));
}

void on_place(connection_self self, const wire::Envelope& env) {
  auto* m = env.message_as_PlaceInQueue();
  interaction_request(self, env.ref(), m->interaction_id(), place_atom_v, text_of(m->queue()));
}

void on_stop(connection_self self, const wire::Envelope& env) {
  auto* m = env.message_as_StopProcessing();
  interaction_request(self, env.ref(), m->interaction_id(), stop_atom_v, who(self), text_of(m->reason()));
}

void on_login(connection_self self, const wire::Envelope& env) {
  login(self, env.ref(), *env.message_as_AgentLogin());
}

void on_logout(connection_self self, const wire::Envelope& env) {
  logout(self, env.ref());
}

void on_ready(connection_self self, const wire::Envelope& env) {
  agent_request(self, env.ref(), ready_atom_v);
}

void on_not_ready(connection_self self, const wire::Envelope& env) {
  agent_request(self, env.ref(), notready_atom_v,
                text_of(env.message_as_AgentNotReady()->reason()));
}

void on_after_call_work(connection_self self, const wire::Envelope& env) {
  agent_request(self, env.ref(), acw_atom_v);
}

void on_accept(connection_self self, const wire::Envelope& env) {
  interaction_request(self, env.ref(), env.message_as_Accept()->interaction_id(), accept_atom_v,
                      who(self));
}

void on_reject(connection_self self, const wire::Envelope& env) {
  auto* m = env.message_as_Reject();
  interaction_request(self, env.ref(), m->interaction_id(), reject_atom_v, who(self), text_of(m->reason()));
}

void on_transfer(connection_self self, const wire::Envelope& env) {
  auto* m = env.message_as_Transfer();
  interaction_request(self, env.ref(), m->interaction_id(), transfer_atom_v, who(self),
                      text_of(m->agent()), text_of(m->queue()));
}

void on_conference(connection_self self, const wire::Envelope& env) {
  auto* m = env.message_as_Conference();
  interaction_request(self, env.ref(), m->interaction_id(), conf_atom_v, who(self), text_of(m->agent()));
}

void on_leave_conference(connection_self self, const wire::Envelope& env) {
  interaction_request(self, env.ref(), env.message_as_LeaveConference()->interaction_id(),
                      leave_atom_v, who(self));
}

void on_hold(connection_self self, const wire::Envelope& env) {
  interaction_request(self, env.ref(), env.message_as_Hold()->interaction_id(), hold_atom_v, who(self));
}

void on_resume(connection_self self, const wire::Envelope& env) {
  interaction_request(self, env.ref(), env.message_as_Resume()->interaction_id(), resume_atom_v,
                      who(self));
}

void on_park(connection_self self, const wire::Envelope& env) {
  auto* m = env.message_as_Park();
  interaction_request(self, env.ref(), m->interaction_id(), park_atom_v, who(self),
                      text_of(m->queue_workbin()));
}

void on_pull(connection_self self, const wire::Envelope& env) {
  interaction_request(self, env.ref(), env.message_as_Pull()->interaction_id(), pull_atom_v,
                      who(self), self->state.agent_handle);
}

void on_snapshot(connection_self self, const wire::Envelope& env) {
  snapshot(self, env.ref(), *env.message_as_QueueSnapshot());
}

void on_subscribe_reporting(connection_self self, const wire::Envelope& env) {
  auto& st = self->state;
  auto from = env.message_as_SubscribeReporting()->from_seq();
  stop_replay(self);
  if (from == 0 || !st.setup.store) {
    auto [ok, fail] = ack_or_fail(self, env.ref());
    self->request(st.setup.domain->bus, st.setup.request_timeout, caf::join_atom_v, report_atom_v,
                  me(self))
      .then(ok, fail);
    return;
  }
  // The Ack first, then the stored events, then the live ones (reporting_replay.hpp).
  st.ack(env.ref());
  st.replayer = caf::actor_cast<caf::actor>(
    spawn_replayer(self->home_system(), *st.setup.store, from, self, st.setup.domain->bus));
}

/// UnsubscribeReporting and VqUnsubscribe: the bus forgets this client's subscriptions.
void on_unsubscribe(connection_self self, const wire::Envelope& env) {
  auto& st = self->state;
  stop_replay(self);
  auto [ok, fail] = ack_or_fail(self, env.ref());
  self->request(st.setup.domain->bus, st.setup.request_timeout, caf::leave_atom_v, me(self))
    .then(ok, fail);
}

void on_register_router(connection_self self, const wire::Envelope& env) {
  register_router(self, env.ref(), *env.message_as_RegisterRouter());
}

void on_route_to(connection_self self, const wire::Envelope& env) {
  route_to(self, env.ref(), *env.message_as_RouteTo());
}

void on_vq_subscribe(connection_self self, const wire::Envelope& env) {
  vq_subscribe(self, env.ref(), *env.message_as_VqSubscribe());
}

/// An external router publishes its own virtual-queue event to the subscribers (stored and
/// sequenced as the queues' own; its tenant is the queue's, "default" for a virtual queue
/// that is not a configured queue).
void on_vq_event(connection_self self, const wire::Envelope& env) {
  auto* m = env.message_as_VqEvent();
  auto name = text_of(m->vq());
  auto* q = self->state.setup.domain->cfg->find_queue(name);
  caf::anon_send(self->state.setup.domain->bus, vq_atom_v,
                 vq_record{m->kind(), q ? q->tenant : queue_config{}.tenant, std::move(name), m->interaction_id(),
                           text_of(m->agent()), text_of(m->reason())});
  self->state.ack(env.ref());
}

} // namespace parley::engine
