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
// built-in choice is used. A queue configured with router = "stream" is routed the same way
// over Redis Streams (docs/streams.md): its requests go to the engine's route_stream actor,
// which posts them, and its instructions come back as instruct_atom.
//
// Spawned by the engine, one per tenant; stopped by the engine. Messages: router_actor below.
#pragma once

#include <map>
#include <string>

#include <caf/fwd.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/agent/agent_actor.hpp"
#include "actors/queue/queue_actor.hpp"
#include "actors/runtime/domain_fwd.hpp"

// The router family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_router, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_router, parley, router_atom, "router")
  CAF_ADD_ATOM(parley_router, parley, route_atom, "route")
  CAF_ADD_ATOM(parley_router, parley, reserve_atom, "reserve")
  CAF_ADD_ATOM(parley_router, parley, unreserve_atom, "unreserve")
  CAF_ADD_ATOM(parley_router, parley, instruct_atom, "instruct")
CAF_END_TYPE_ID_BLOCK(parley_router)

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

/// A routing request of a stream-routed queue, for the route_stream actor to post.
struct stream_route_request {
  std::uint64_t request_id = 0;
  std::string tenant;
  std::string queue;
  std::string media;
  std::uint64_t iid = 0;
  std::int32_t priority = 0;
  std::int64_t submitted_ms = 0;    ///< when it first entered a queue
  std::int64_t asked_ms = 0;        ///< domain time of the request
  std::int64_t timeout_ms = 0;      ///< when the built-in router takes over: routing.router_timeout_ms
  std::vector<std::string> ready;   ///< eligible agents free now, longest idle first (at most 50)
  std::uint32_t ready_count = 0;    ///< all of them
  property_list properties;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_route_request& x) {
  return f(caf::meta::type_name("stream_route_request"), x.request_id, x.tenant, x.queue, x.media,
           x.iid, x.priority, x.submitted_ms, x.asked_ms, x.timeout_ms, x.ready, x.ready_count,
           x.properties);
}

/// What an external router answers over Redis Streams (docs/streams.md), parsed.
struct route_instruction {
  enum class action : std::uint8_t { route, queue, wait, stop };
  std::uint64_t request_id = 0;
  std::uint64_t iid = 0;
  action what = action::route;
  std::string target;  ///< route: the agent; queue: the queue; stop: the reason (may be empty)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, route_instruction& x) {
  return f(caf::meta::type_name("route_instruction"), x.request_id, x.iid, x.what, x.target);
}

/// What became of an instruction.
enum class instruction_outcome : std::uint8_t {
  applied,
  stale,    ///< no such open request (answered, timed out, head moved on, another run)
  refused,  ///< the request was open but the instruction cannot be carried out: built-in routing decides
};

/// Posts the routing requests of stream-routed queues to Redis (engine/stream_route.cpp).
/// An error (Redis unreachable) makes the router decide built-in at once.
using route_stream_actor = caf::typed_actor<
  // From the engine, first: the routers it hands the instructions to.
  caf::reacts_to<init_atom, domain_ptr>,
  caf::replies_to<route_atom, stream_route_request>::with<caf::ok_atom>>;

using router_actor = caf::typed_actor<
  // From the engine, first: the other actors' handles and the configuration.
  caf::reacts_to<init_atom, domain_ptr>,
  // From a queue: the head of one of its media changed.
  caf::reacts_to<head_atom, queue_head>,
  // From a queue: the assignment to this agent is void (the interaction is gone or could
  // not take it). (agent, media)
  caf::reacts_to<void_atom, std::string, std::string>,
  // From an agent at login: index it. (agent, its actor, skills, capacity per media)
  caf::reacts_to<login_atom, std::string, agent_actor, skill_levels, media_capacity>,
  // From an agent after every change.
  caf::reacts_to<avail_atom, agent_report>,
  // From an agent logging out. (agent, its actor)
  caf::reacts_to<logout_atom, std::string, agent_actor>,
  // From a router client (RegisterRouter): it routes these queues; unknown_id.
  caf::replies_to<router_atom, std::vector<std::string>, client_actor>::with<caf::ok_atom>,
  // From a dialer: hold the longest-idle available agent of (queue, media) for a call it
  // places (counted like an invite on its way, so nothing else is routed to it); the
  // agent, or wrong_state.
  caf::replies_to<reserve_atom, std::string, std::string>::with<std::string>,
  // The same for one agent (preview: the agent who accepted the record). (queue, media, agent)
  caf::replies_to<reserve_atom, std::string, std::string, std::string>::with<std::string>,
  // The reserved call did not connect. (agent, media)
  caf::reacts_to<unreserve_atom, std::string, std::string>,
  // From a queue: the answered call pinned to a reserved agent entered it; assigned to that
  // agent, or unpinned (routed like others) when the reservation is gone.
  // (queue, iid, agent, media)
  caf::reacts_to<deliver_atom, std::string, std::uint64_t, std::string, std::string>,
  // (queue, media) -> (available now, working: eligible agents in state ready, free or
  // busy — not not-ready, not in after-call work)
  caf::replies_to<count_atom, std::string, std::string>::with<std::uint32_t, std::uint32_t>,
  // Per queue of this tenant, the eligible agents in state ready (free or busy), for
  // operators.
  caf::replies_to<state_atom>::with<std::map<std::string, std::uint32_t>>,
  // From a router client (RouteTo): route request `request_id` to `agent`; unknown_id (no
  // such request or agent), wrong_state (agent not available), wrong_client_type (the
  // request went to another router client). (request_id, agent, client)
  caf::replies_to<route_atom, std::uint64_t, std::string, client_actor>::with<caf::ok_atom>,
  // Its own timer: the external router did not answer route request `request_id` in time.
  caf::reacts_to<route_atom, std::uint64_t>,
  // From the route stream's reader: an instruction of a stream router; what became of it
  // and why (empty when applied).
  caf::replies_to<instruct_atom, route_instruction>::with<instruction_outcome, std::string>>;

/// `index` (< 65536, unique per engine) makes this router's route request ids unique:
/// request_id >> 48 == index.
router_actor spawn_router(caf::actor_system& sys, std::string tenant, std::uint64_t index);

/// The router index a route request id belongs to.
inline std::uint64_t router_index_of(std::uint64_t request_id) {
  return request_id >> 48;
}

} // namespace parley
