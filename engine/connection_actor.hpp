// connection_actor: the actor side of one session (one per TCP connection).
//
// Spawned by the session when the socket is accepted; quits when the session reports
// closed_atom (logging its agent out and unsubscribing it first). It turns verified
// request frames into messages to the domain actors (dispatch.cpp), waits for their
// answers with the configured request timeout, and hands exactly one answer per request
// back through the session_link. Domain actors push events to the client by sending it
// (event_atom, frame), which keeps the Asio side out of the domain.
#pragma once

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/directory/directory_actor.hpp"
#include "actors/runtime/domain.hpp"
#include "actors/runtime/types.hpp"
#include "storage/store.hpp"

namespace parley::engine {

class session_link;

using connection_actor = caf::typed_actor<
  // From the session: a verified request frame with a non-zero reference id.
  // Answered through the session_link, never as a CAF response.
  caf::reacts_to<request_atom, request_frame>,
  // From domain actors: an encoded event for this client.
  caf::reacts_to<event_atom, frame>,
  // From an agent: an Invite and its interaction, remembered for the Accept.
  caf::reacts_to<event_atom, frame, caf::actor_addr>,
  // From the session: the socket is closed. The actor cleans up and quits.
  caf::reacts_to<closed_atom>,
  // From a stat actor: an event of statistic `stat_id`. Notifications (`latest_wins`) are
  // batched into one post per mailbox sweep; while the peer does not keep up they wait,
  // at most one per statistic, a newer value replacing the waiting one.
  caf::reacts_to<notify_atom, std::uint64_t, frame, bool>,
  // Its own: post the batch (false), or a timer to retry held notifications (true).
  caf::reacts_to<nflush_atom, bool>,
  // From its reporting replayer: stored events for the client, answered once they are
  // posted — at once while the peer keeps up, else when its output has room again.
  caf::replies_to<replay_atom, std::vector<frame>>::with<caf::ok_atom>,
  // Its own timer: whether the replayer's waiting events fit now.
  caf::reacts_to<replay_atom>>;

/// Which listener a session came from.
enum class listener_kind { interaction, vq, stat };

struct connection_setup {
  client_info info;  ///< session id, peer and listener (its name) filled in by the session
  listener_kind listener = listener_kind::interaction;  ///< which families it serves
  directory_actor directory;
  domain_ptr domain;
  caf::timespan request_timeout;
  std::uint32_t max_stats = 100'000;  ///< open statistics on this connection
  std::uint64_t max_output_bytes = 8 * 1024 * 1024;  ///< the session's output limit
  /// storage.durability = commit: a change is acknowledged once the writer committed it.
  bool commit_acks = true;
  /// Where the reporting events are stored (SubscribeReporting from a sequence number reads
  /// them); nullopt: nothing is stored, there is nothing to replay.
  std::optional<storage::config> store;
};

/// Spawns the connection actor of one session.
connection_actor spawn_connection(caf::actor_system& sys, session_link link, connection_setup setup);

} // namespace parley::engine
