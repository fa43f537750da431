// queue_actor: one per configured queue. Owns the waiting interactions of its queue in
// routing order — priority (higher first), then age (the position a requeued interaction
// keeps) — one ordered set per media, and tells its tenant's router the head of each
// media whenever it changes. Also: max size, overflow timers, paged snapshots and the
// queue's virtual-queue events.
//
// Spawned by the engine at start-up, one per [[queues]] entry; stopped by the engine.
// Messages (untyped):
//   (init_atom, domain_ptr)                                     from the engine, first
//   (enqueue_atom, iid, caf::actor interaction, interaction_view summary, uint64 seq,
//    int64 entered_ms) from an interaction; seq 0 = a new arrival (refused with
//       limit_exceeded when full), else a requeue at that position (never refused);
//       entered_ms: when it entered this queue, which the overflow wait counts from -> seq
//   (enqueue_atom, ..., std::string pinned_to) the same for an answered outbound call whose
//       agent a dialer reserved: it waits outside the routing order and the queue asks the
//       router to deliver it to that agent (deliver_atom)
//   (unpin_atom, iid)   from the router: the reservation is gone, route it like the others
//   (remove_atom, iid, bool abandoned, std::string reason)      from an interaction -> ok
//       (unknown_id when not waiting here)
//   (assign_atom, iid, std::string agent, caf::actor agent, std::string media) from the
//       router; the queue hands the interaction the offer, or, when it is gone or cannot
//       take it, tells the router (void_atom, agent, media)
//   (snapshot_atom, uint32 offset, uint32 limit) -> (uint32 total, std::vector<interaction_view>)
//   (state_atom) -> queue_status: how many wait, since when the oldest waits
//   (stop_atom, std::string reason) -> uint64   the console's `queue clear`: every waiting
//       interaction is stopped (not an abandon: it was cleared); answers how many
#pragma once

#include <caf/fwd.hpp>

#include "actors/runtime/domain.hpp"

namespace parley {

/// The head of one media in one queue, as the router sees it.
struct queue_head {
  std::string queue;
  std::string media;
  bool present = false;
  std::uint64_t iid = 0;
  std::int32_t priority = 0;
  std::int64_t enqueued_ms = 0;  ///< first arrival in a queue: the age routing compares
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_head& x) {
  return f(caf::meta::type_name("queue_head"), x.queue, x.media, x.present, x.iid, x.priority,
           x.enqueued_ms);
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

caf::actor spawn_queue(caf::actor_system& sys, queue_config cfg);

} // namespace parley
