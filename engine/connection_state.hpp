// connection_state: what a connection actor knows about its client. Private to
// connection_actor.cpp and the dispatch files.
#pragma once

#include <unordered_map>
#include <unordered_set>

#include <caf/stateful_actor.hpp>

#include "engine/bridge.hpp"
#include "engine/connection_actor.hpp"
#include "protocol/codec.hpp"

namespace parley::engine {

struct connection_state {
  session_link link;
  connection_setup setup;
  bool registered = false;
  std::string agent;        ///< the agent logged in on this desktop
  agent_actor agent_handle;
  /// Interactions this client touched, so most requests skip the registry lookup. Weak
  /// (addresses), small, and pruned on ProcessingStopped/Revoked: even a weak reference
  /// keeps a stopped actor's memory block allocated.
  std::unordered_map<std::uint64_t, caf::actor_addr> known;
  /// Small and bounded: a cached address still pins the stopped actor's memory (CAF frees
  /// an actor's block when the last weak reference goes). A miss costs a registry lookup.
  void remember(std::uint64_t iid, caf::actor_addr a) {
    if (known.size() >= 256)
      known.clear();
    known[iid] = std::move(a);
  }
  protocol::encoder enc;
  // -- the reporting replay (SubscribeReporting from a sequence number) --
  caf::actor replayer;                 ///< reads the stored events and sends them here
  std::vector<frame> replay_waiting;   ///< its events, while the peer's output is full
  caf::typed_response_promise<caf::ok_atom> replay_done;
  // -- statistics (2060) --
  std::unordered_map<std::uint64_t, stats::stat_actor> stats;  ///< open statistics by stat id
  std::unordered_set<caf::actor_id> watching;  ///< calculations we monitor (once each)
  std::uint64_t next_stat = 0;
  std::uint32_t opening = 0;  ///< OpenStat requests not answered yet (count to the limit)
  /// Statistics events on their way: a batch posted once per mailbox sweep.
  std::vector<std::uint8_t> batch;
  std::uint64_t batch_frames = 0;
  bool flush_sent = false;
  /// Held while the peer does not keep up, in order; at most one notification per statistic
  /// (held_at: stat id -> its index in `held`), a newer value replacing the held one.
  struct held_frame {
    std::uint64_t stat_id;
    frame bytes;
    bool latest_wins;  ///< a value (replaceable), not StatInvalid/StatValid
  };
  std::vector<held_frame> held;
  std::unordered_map<std::uint64_t, std::size_t> held_at;

  /// held_at for `held` from index `from` on: a statistic's last value that no validity
  /// event follows (a newer value must not jump ahead of one).
  void index_held(std::size_t from) {
    for (auto i = from; i < held.size(); ++i) {
      if (held[i].latest_wins)
        held_at[held[i].stat_id] = i;
      else
        held_at.erase(held[i].stat_id);
    }
  }
  bool poll_armed = false;
  static inline const char* name = "connection";

  /// Output backlog above which notifications wait (and coalesce): an eighth of the
  /// output limit (1 MiB by default), so notifications never get a client cut off.
  std::uint64_t watermark() const { return setup.max_output_bytes / 8; }

  /// The sender of a request being dispatched now: its budget starts here.
  requester who(client_actor self) const {
    return requester{setup.info.type, agent, std::move(self), budget::within(setup.request_timeout)};
  }

  void send(std::span<const std::uint8_t> f) { link.answer(protocol::to_bytes(f)); }

  void fail(std::uint64_t ref, wire::ErrorCode code, const std::string& text) {
    send(enc.error(ref, code, text));
  }

  void fail(std::uint64_t ref, const caf::error& e) {
    auto code = wire_code(e);
    auto text = error_text(e);
    if (code == wire::ErrorCode::internal || code == wire::ErrorCode::timeout)
      text = describe(e);
    fail(ref, code, text);
  }

  void ack(std::uint64_t ref) { send(enc.ack(ref)); }
};

using connection_self = connection_actor::stateful_pointer<connection_state>;

/// Handles one request of any family but the session's own; answers exactly once
/// (dispatch.cpp: the table of who may send what where).
void dispatch(connection_self self, const wire::Envelope& env);

/// The statistics family (2060), named in dispatch's table.
void dispatch_stat(connection_self self, const wire::Envelope& env);

/// The outbound family (campaigns and preview, on 7120), named in dispatch's table.
void dispatch_outbound(connection_self self, const wire::Envelope& env);

} // namespace parley::engine
