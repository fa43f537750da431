// writer: the persistence actor. Group commit between the domain and a storage backend.
//
// Interaction actors send their current row after every change; the reporting bus sends
// every event and every VQ event once it has its sequence number. The writer buffers them (one row per
// interaction id: the latest wins; events in order) and writes a batch in one transaction
// when the batch is full, when its mailbox has no more writes waiting, or — with a
// positive batch delay — when the oldest buffered row has waited that long. Agent
// sessions are derived from the login/logout events, in the same transaction.
//
// Stored events: a commit feed (the reporting bus) that asks (join_atom) is told once, at
// the next commit or at once if there is news, the last event and VQ event sequence
// numbers stored so far; it asks again while it has events waiting for that. So live
// subscribers see an event only once it is stored (a restart never reuses a number they
// saw), and nothing is sent while nobody waits.
//
// Acknowledgement: (sync_atom) is answered once everything the writer received before it
// is committed ("durability = commit"), or at once ("async"). The connection actors ask
// for it before they acknowledge a request, so an acknowledged change is on disk.
//
// Failures: a failed write is retried with exponential backoff, forever, keeping the
// buffer (nothing is dropped); domain_metrics::storage says `up` false meanwhile. At
// storage.max_pending buffered rows `full` is set: new submits and state changes are
// refused with storage_unavailable until the buffer drains (reporting events past the
// bound are dropped and counted only with storage.shed_events = true).
//
// Runs detached (its own thread: database calls block). Spawned by the engine after
// recovery; stopped last, after every domain actor, and writes what it holds then. On CAF's
// test coordinator it runs as an ordinary actor instead (writer_placement::scheduled).
// Messages: writer_actor below.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include <caf/fwd.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/runtime/metrics.hpp"
#include "actors/runtime/views.hpp"
#include "actors/runtime/placement.hpp"
#include "storage/store.hpp"

// The writer family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_writer, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_writer, parley, persist_atom, "persist")
  CAF_ADD_ATOM(parley_writer, parley, retry_atom, "retry")
  CAF_ADD_ATOM(parley_writer, parley, committed_atom, "committed")
CAF_END_TYPE_ID_BLOCK(parley_writer)

namespace parley {

/// Told by the writer after a commit: (the last event seq stored, the last VQ event seq
/// stored). Events dropped by storage.shed_events count as stored: they never will be.
using commit_feed_actor = caf::typed_actor<caf::reacts_to<committed_atom, std::uint64_t, std::uint64_t>>;

using writer_actor = caf::typed_actor<
  // From an interaction actor after every change; no answer. Made into a row (JSON) only
  // when written, once per interaction per batch. (view, queue_seq, entered_ms)
  caf::reacts_to<persist_atom, interaction_view, std::uint64_t, std::int64_t>,
  // From the reporting bus: one sequenced event; no answer.
  caf::reacts_to<persist_atom, storage::event_row>,
  // From the reporting bus: one sequenced VQ event; no answer.
  caf::reacts_to<persist_atom, storage::vq_event_row>,
  // The reporting bus asks to be told what is stored, once (commit_feed_actor).
  caf::reacts_to<caf::join_atom, commit_feed_actor>,
  // Answered once everything received before it is committed (see above); error
  // storage_unavailable at exit.
  caf::replies_to<sync_atom>::with<caf::ok_atom>,
  // Its own timers: write the batch, retry a failed write, check an idle database.
  caf::reacts_to<caf::flush_atom>, caf::reacts_to<retry_atom>, caf::reacts_to<caf::tick_atom>>;

struct writer_config {
  std::uint32_t batch_size = 1000;
  std::chrono::milliseconds batch_delay{0};  ///< 0: write as soon as the mailbox is drained
  bool commit_acks = true;
  std::uint64_t max_pending = 200'000;
  std::chrono::milliseconds retry_min{50};
  std::chrono::milliseconds retry_max{5'000};
  std::chrono::milliseconds health_interval{1'000};  ///< idle health check
  bool shed_events = false;
  std::uint64_t next_session_id = 1;  ///< from recovery
};

/// Where the writer's handlers run (actors/runtime/placement.hpp).
using writer_placement = actor_placement;

writer_actor spawn_writer(caf::actor_system& sys, std::shared_ptr<storage::store> store,
                        writer_config cfg, std::shared_ptr<domain_metrics> metrics,
                        writer_placement where = writer_placement::detached);

} // namespace parley
