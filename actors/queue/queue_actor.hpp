// queue_actor: one per configured queue. Owns the waiting interactions of its queue in
// routing order — priority (higher first), then age (the position a requeued interaction
// keeps) — one ordered set per media, and tells its tenant's router the head of each
// media whenever it changes. Also: max size, overflow timers, paged snapshots and the
// queue's virtual-queue events.
//
// Spawned by the engine at start-up, one per [[queues]] entry; stopped by the engine.
// Messages: queue_actor below.
#pragma once

#include <caf/fwd.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/agent/agent_actor.hpp"
#include "actors/interaction/interaction_actor.hpp"
#include "actors/runtime/domain_fwd.hpp"

// The queue family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_queue, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_queue, parley, enqueue_atom, "enqueue")
  CAF_ADD_ATOM(parley_queue, parley, remove_atom, "remove")
  CAF_ADD_ATOM(parley_queue, parley, unpin_atom, "unpin")
  CAF_ADD_ATOM(parley_queue, parley, assign_atom, "assign")
  CAF_ADD_ATOM(parley_queue, parley, head_atom, "head")
  CAF_ADD_ATOM(parley_queue, parley, void_atom, "void")
  CAF_ADD_ATOM(parley_queue, parley, deliver_atom, "deliver")
CAF_END_TYPE_ID_BLOCK(parley_queue)

namespace parley {

/// The head of one media in one queue, as the router sees it.
struct queue_head {
  std::string queue;
  std::string media;
  bool present = false;
  std::uint64_t iid = 0;
  std::int32_t priority = 0;
  std::int64_t enqueued_ms = 0;  ///< first arrival in a queue: the age routing compares
  property_list properties;      ///< only for a stream-routed queue: its routers see them
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_head& x) {
  return f(caf::meta::type_name("queue_head"), x.queue, x.media, x.present, x.iid, x.priority,
           x.enqueued_ms, x.properties);
}

/// A queue as operators see it now.
struct queue_status {
  std::string queue;
  std::uint64_t waiting = 0;          ///< pinned outbound calls included
  std::int64_t oldest_entered_ms = 0; ///< when the longest waiter entered this queue (0: none)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_status& x) {
  return f(caf::meta::type_name("queue_status"), x.queue, x.waiting, x.oldest_entered_ms);
}

/// An interaction recovered at start-up that waits without an actor of its own: its queue
/// holds this record, and the interaction registry spawns the actor when something needs
/// it (the router offers it, its overflow wait ends, it is cleared or looked up). A
/// recovery then costs a record per waiting interaction, not an actor and two requests.
struct waiting_record {
  std::uint64_t iid = 0;
  interaction_view summary;  ///< as the queue shows it (queue_summary)
  std::uint64_t seq = 0;     ///< its position
  std::int64_t entered_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, waiting_record& x) {
  return f(caf::meta::type_name("waiting_record"), x.iid, x.summary, x.seq, x.entered_ms);
}

using queue_actor = caf::typed_actor<
  // From the engine, first: the other actors' handles and the configuration.
  caf::reacts_to<init_atom, domain_ptr>,
  // From an interaction: take it in; its position (seq). seq 0 is a new arrival (refused
  // with limit_exceeded when full), else a requeue at that position (never refused).
  // entered_ms: when it entered this queue, which the overflow wait counts from.
  // (iid, interaction, summary, seq, entered_ms)
  caf::replies_to<enqueue_atom, std::uint64_t, interaction_actor, interaction_view,
                  std::uint64_t, std::int64_t>::with<std::uint64_t>,
  // The same for an answered outbound call whose agent a dialer reserved: it waits
  // outside the routing order and the queue asks the router to deliver it to that agent.
  // (..., pinned_to)
  caf::replies_to<enqueue_atom, std::uint64_t, interaction_actor, interaction_view,
                  std::uint64_t, std::int64_t, std::string>::with<std::uint64_t>,
  // From the interaction registry at start-up, before any client connects: recovered
  // interactions that wait without an actor (never refused); how many.
  caf::replies_to<recover_atom, std::vector<waiting_record>>::with<std::uint64_t>,
  // From the router: the reservation is gone, route it like the others. (iid)
  caf::reacts_to<unpin_atom, std::uint64_t>,
  // From an interaction leaving (abandoned or not); no answer (nothing happens when it is
  // not waiting here). (iid, abandoned, reason)
  caf::reacts_to<remove_atom, std::uint64_t, bool, std::string>,
  // From the router: hand the interaction the offer; when it is gone or cannot take it,
  // the queue tells the router (void_atom, agent, media). (iid, agent, its actor, media)
  caf::reacts_to<assign_atom, std::uint64_t, std::string, agent_actor, std::string>,
  // Its own timer: the overflow wait of an interaction ended. (iid, gen)
  caf::reacts_to<overflow_atom, std::uint64_t, std::uint64_t>,
  // A page of the waiting interactions in routing order. (offset, limit) -> (total, page)
  caf::replies_to<snapshot_atom, std::uint32_t, std::uint32_t>::with<
    std::uint32_t, std::vector<interaction_view>>,
  // How many wait, since when the oldest waits.
  caf::replies_to<state_atom>::with<queue_status>,
  // The console's `queue clear`: every waiting interaction is stopped (not an abandon: it
  // was cleared); how many. (reason)
  caf::replies_to<stop_atom, std::string>::with<std::uint64_t>>;

queue_actor spawn_queue(caf::actor_system& sys, queue_config cfg);

} // namespace parley
