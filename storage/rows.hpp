// rows: what the engine stores, as plain structs (no CAF, no SQL).
//
// The persistence actors build these from actor state and hand them to a store in batches;
// recovery reads them back. Lists and properties travel as JSON text (see json_codec in
// actors/persistence), so a backend stores them without knowing their shape (PostgreSQL
// keeps them as jsonb, SQLite as text). Enum values are the wire protocol's numbers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace parley::storage {

/// The current state of one interaction: one row per interaction id, overwritten on change.
struct interaction_row {
  std::uint64_t id = 0;
  std::string external_id;
  std::string tenant;
  std::string media;
  std::string queue;
  std::int32_t priority = 0;
  std::uint8_t state = 0;  ///< wire::InteractionState
  std::string agents;      ///< JSON array of agent ids
  bool held = false;
  std::string workbin;     ///< "" or the workbin it is parked in
  std::string properties;  ///< JSON array of {"k","t"} / {"k","n"}
  std::int64_t submitted_ms = 0;
  std::int64_t changed_ms = 0;
  std::int64_t entered_ms = 0;  ///< when it entered its current queue
  std::uint64_t queue_seq = 0;  ///< its position key in that queue
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, interaction_row& x) {
  return f(x.id, x.external_id, x.tenant, x.media, x.queue, x.priority, x.state, x.agents, x.held,
           x.workbin, x.properties, x.submitted_ms, x.changed_ms, x.entered_ms, x.queue_seq);
}

/// One reporting event: the append-only log, keyed by the stream's gap-free sequence number.
struct event_row {
  std::uint64_t seq = 0;
  std::int64_t engine_ms = 0;
  std::int64_t source_ms = 0;
  std::uint8_t kind = 0;  ///< wire::ReportingKind
  std::string tenant;
  std::uint64_t iid = 0;  ///< 0 for agent events
  std::string agent;
  std::string queue;
  std::string media;
  std::int16_t from_state = -1;  ///< wire::InteractionState before the change; -1: none
  std::uint8_t state = 0;
  std::uint8_t agent_state = 0;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_row& x) {
  return f(x.seq, x.engine_ms, x.source_ms, x.kind, x.tenant, x.iid, x.agent, x.queue, x.media,
           x.from_state, x.state, x.agent_state, x.reason);
}

/// One virtual-queue event: the second append-only log, keyed by its own gap-free sequence
/// number (the VQ stream on 7122 is apart from the reporting stream, as in the systems Parley
/// follows). `vq` is the queue's name; a router may publish events of its own queues.
struct vq_event_row {
  std::uint64_t seq = 0;
  std::int64_t engine_ms = 0;
  std::uint8_t kind = 0;  ///< wire::VqEventKind
  std::string tenant;
  std::string vq;
  std::uint64_t iid = 0;
  std::string agent;   ///< diverted: the agent it went to
  std::string reason;  ///< cleared: why; abandoned: the stop reason
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, vq_event_row& x) {
  return f(x.seq, x.engine_ms, x.kind, x.tenant, x.vq, x.iid, x.agent, x.reason);
}

/// One agent session, from login to logout (logout_ms 0 while it lasts).
struct agent_session_row {
  std::uint64_t id = 0;
  std::string tenant;
  std::string agent;
  std::string client;  ///< the desktop's registered name
  std::int64_t login_ms = 0;
  std::int64_t logout_ms = 0;
  std::string reason;  ///< why it ended
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_session_row& x) {
  return f(x.id, x.tenant, x.agent, x.client, x.login_ms, x.logout_ms, x.reason);
}

/// What one transaction writes. Interaction and session rows are upserts by id (the batcher
/// keeps only the latest row per id); events are inserts.
struct batch {
  std::vector<interaction_row> interactions;
  std::vector<event_row> events;
  std::vector<agent_session_row> sessions;
  std::vector<vq_event_row> vq_events;

  std::size_t size() const {
    return interactions.size() + events.size() + sessions.size() + vq_events.size();
  }
  bool empty() const { return size() == 0; }
};

/// What the engine needs at start to carry on where it stopped.
struct recovered {
  std::vector<interaction_row> live;      ///< every interaction not stopped, by id
  std::vector<interaction_row> finished;  ///< the newest stopped ones with an external id
  std::uint64_t max_interaction_id = 0;
  std::uint64_t max_seq = 0;              ///< the last stored reporting event
  std::uint64_t max_vq_seq = 0;           ///< the last stored VQ event
  std::uint64_t max_session_id = 0;
  std::uint64_t closed_sessions = 0;      ///< sessions left open by the last run, now closed
};

} // namespace parley::storage
