// router_actor: the built-in router of one tenant, and the gateway to external routers.
//
// It keeps an index of available agents per (queue, media), ordered by how long they have
// been idle, built at login from the agent's skills against each queue's requirements —
// so a routing decision never scans all agents nor all waiting interactions. Queues tell it
// their heads; agents tell it their availability. It matches a head with the longest-idle
// eligible agent, or a newly available agent with the best head among its queues
// (priority, then age), and asks the queue to hand that interaction to the agent.
//
// Reservations: the router counts what it assigned but the agent has not yet seen
// (`sent` vs the agent's `seen`, per media), so it never offers beyond capacity even
// before the agent reports; the agent actor has the last word and refuses what it cannot
// take. One assignment per queue head is outstanding at a time.
//
// External routers (client type router) may take over queues: the router actor sends them
// RouteRequest events and waits router_timeout for RouteTo; on timeout or disconnect the
// built-in choice is used.
//
// Spawned by the engine, one per tenant; stopped by the engine. Messages (untyped):
//   (init_atom, domain_ptr)                                   from the engine, first
//   (head_atom, queue_head)                                   from queues
//   (void_atom, std::string agent, std::string media)         from a queue: assignment void
//   (login_atom, std::string agent, caf::actor, skill_levels, media_capacity) from agents
//   (avail_atom, agent_report)                                from agents, on every change
//   (logout_atom, std::string agent, caf::actor agent)        from agents
//   (router_atom, std::vector<std::string> queues, caf::actor client) -> ok | unknown_id
//   (reserve_atom, std::string queue, std::string media) -> std::string agent | wrong_state
//       a dialer holds the longest-idle available agent of the queue for a call it places
//       (counted like an invite on its way, so nothing else is routed to it)
//   (reserve_atom, std::string queue, std::string media, std::string agent) -> agent
//       the same for one agent (preview: the agent who accepted the record)
//   (unreserve_atom, std::string agent, std::string media)   the call did not connect
//   (deliver_atom, std::string queue, uint64 iid, std::string agent, std::string media)
//       from a queue: the answered call pinned to a reserved agent entered it; assigned to
//       that agent, or unpinned (routed like others) when the reservation is gone
//   (count_atom, std::string queue, std::string media) -> (uint32 available, uint32 working)
//       working: eligible agents in state ready, free or busy (not not-ready, not in ACW)
//   (state_atom) -> std::map<std::string, uint32>: per queue of this tenant, the eligible
//       agents in state ready (free or busy), for operators
//   (route_atom, uint64 request_id, std::string agent, caf::actor client) -> ok | unknown_id
//       (no such request or agent) | wrong_state (agent not available) | wrong_client_type
//       (the request went to another router client)
#pragma once

#include <map>
#include <string>

#include <caf/fwd.hpp>

#include "actors/runtime/domain.hpp"

namespace parley {

/// What an agent tells the router after every change.
struct agent_report {
  std::string agent;
  bool ready = false;  ///< state ready (not not-ready, not after-call work)
  std::map<std::string, std::uint32_t> used;  ///< interactions held or offered, per media
  std::map<std::string, std::uint64_t> seen;  ///< routed invites received, per media
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_report& x) {
  return f(caf::meta::type_name("agent_report"), x.agent, x.ready, x.used, x.seen);
}

/// `index` (< 65536, unique per engine) makes this router's route request ids unique:
/// request_id >> 48 == index.
caf::actor spawn_router(caf::actor_system& sys, std::string tenant, std::uint64_t index);

/// The router index a route request id belongs to.
inline std::uint64_t router_index_of(std::uint64_t request_id) {
  return request_id >> 48;
}

} // namespace parley
