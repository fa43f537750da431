// reporting_bus: the one ordered stream of "what happened".
//
// Every state change of an interaction or agent is sent here as a `report`; the bus gives
// it the next engine-wide sequence number (gap-free, from 1), stamps the engine time, sends
// it to the persistence writer and — once the writer says it is stored — fans the encoded
// ReportingEvent out to the subscribed reporting clients, in order: a subscriber never sees
// a number that a crash could make the next run give to another event. The stats hub gets
// every report at once (statistics are not replayed), the console's trace too. Virtual-queue
// events travel the same way to VQ subscribers (filtered by queue), with a sequence of their
// own (also gap-free from 1, stored: a VQ subscriber may replay from one). The bus also keeps the per-tenant
// conservation counts: submitted = in_submitted + queued + offered + handled + parked +
// stopped holds after every event it has processed.
//
// Spawned once by the engine, stopped by it. Messages: reporting_bus_actor below.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <caf/fwd.hpp>

#include <caf/typed_actor.hpp>

#include "actors/persistence/writer.hpp"
#include "actors/runtime/clock.hpp"
#include "actors/runtime/types.hpp"

// The bus family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_bus, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_bus, parley, report_atom, "report")
  CAF_ADD_ATOM(parley_bus, parley, vq_atom, "vq")
  CAF_ADD_ATOM(parley_bus, parley, trace_atom, "trace")
  CAF_ADD_ATOM(parley_bus, parley, stats_atom, "stats")
  CAF_ADD_ATOM(parley_bus, parley, replay_atom, "replay")
CAF_END_TYPE_ID_BLOCK(parley_bus)

namespace parley {

/// One state change, before the bus orders it.
struct report {
  wire::ReportingKind kind = wire::ReportingKind::submitted;
  std::int64_t source_ms = 0;
  std::string tenant;
  std::uint64_t iid = 0;
  std::string agent;
  std::string queue;
  std::string media;
  /// Interaction events that change its state: from -> to (has_from false for submitted).
  bool transition = false;
  bool has_from = false;
  wire::InteractionState from = wire::InteractionState::submitted;
  wire::InteractionState state = wire::InteractionState::submitted;
  wire::AgentState agent_state = wire::AgentState::logged_out;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, report& x) {
  return f(caf::meta::type_name("report"), x.kind, x.source_ms, x.tenant, x.iid, x.agent, x.queue,
           x.media, x.transition, x.has_from, x.from, x.state, x.agent_state, x.reason);
}

struct vq_record {
  wire::VqEventKind kind = wire::VqEventKind::entered;
  std::string tenant;
  std::string vq;
  std::uint64_t iid = 0;
  std::string agent;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, vq_record& x) {
  return f(caf::meta::type_name("vq_record"), x.kind, x.tenant, x.vq, x.iid, x.agent, x.reason);
}

/// Interactions per state for one tenant; `submitted` and `stopped` are totals, the others
/// are how many are in that state now.
struct conservation {
  std::uint64_t submitted = 0;
  std::uint64_t in_submitted = 0;
  std::uint64_t queued = 0;
  std::uint64_t offered = 0;
  std::uint64_t handled = 0;
  std::uint64_t parked = 0;
  std::uint64_t stopped = 0;
  /// Events after which the invariant did not hold (checked after every event; a bug if > 0).
  std::uint64_t violations = 0;

  bool holds() const {
    return submitted == in_submitted + queued + offered + handled + parked + stopped;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, conservation& x) {
  return f(caf::meta::type_name("conservation"), x.submitted, x.in_submitted, x.queued, x.offered,
           x.handled, x.parked, x.stopped, x.violations);
}

using conservation_map = std::map<std::string, conservation>;

/// A logged-in agent as the stream last saw it (for the console).
struct agent_row {
  std::string tenant;
  std::string agent;
  wire::AgentState state = wire::AgentState::not_ready;
  std::string reason;
  std::int64_t since_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_row& x) {
  return f(caf::meta::type_name("agent_row"), x.tenant, x.agent, x.state, x.reason, x.since_ms);
}

/// What the console's `status` shows from the stream.
struct bus_status {
  std::uint64_t seq = 0;  ///< events ordered so far
  std::uint64_t vq_seq = 0;  ///< VQ events ordered so far
  conservation_map interactions;
  /// Logged-in agents per tenant and state (index: wire::AgentState).
  std::map<std::string, std::vector<std::uint64_t>> agents;
  /// Events so far by kind (index: wire::ReportingKind).
  std::vector<std::uint64_t> kinds;
  std::uint64_t replays = 0;           ///< subscriptions from a sequence number
  std::uint64_t replay_overflows = 0;  ///< holds that overflowed (read from the store instead)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, bus_status& x) {
  return f(caf::meta::type_name("bus_status"), x.seq, x.vq_seq, x.interactions, x.agents, x.kinds, x.replays,
           x.replay_overflows);
}

/// What the bus sends the stats hub: every report as it orders it.
using report_feed_actor = caf::typed_actor<
  // (report, its sequence number, the engine time it was ordered at)
  caf::reacts_to<report_atom, report, std::uint64_t, std::int64_t>>;

using reporting_bus_actor = caf::typed_actor<
  // From any domain actor: one state change to order and fan out; no answer.
  caf::reacts_to<report_atom, report>,
  // From the persistence writer: the events up to these sequence numbers (reporting, VQ)
  // are stored; their subscribers get them now (commit_feed_actor).
  caf::reacts_to<committed_atom, std::uint64_t, std::uint64_t>,
  // From queues and routers: a virtual-queue event for the VQ subscribers; no answer.
  caf::reacts_to<vq_atom, vq_record>,
  // A client subscribes to the reporting stream (a ReportingEvent per report).
  caf::replies_to<caf::join_atom, report_atom, client_actor>::with<caf::ok_atom>,
  // A client subscribes from a stored sequence number: its events are held back (not sent)
  // while its replayer sends it the stored ones; the last sequence number ordered so far.
  caf::replies_to<caf::join_atom, report_atom, client_actor, replay_atom>::with<std::uint64_t>,
  // A client subscribes to the VQ events of these queues (empty: all) from a stored VQ
  // sequence number: as above, with the last VQ sequence number ordered so far.
  caf::replies_to<caf::join_atom, vq_atom, client_actor, std::vector<std::string>, replay_atom>::with<
    std::uint64_t>,
  // Its replayer sent it every stored event up to the last answer: the held events follow
  // and it is an ordinary subscriber (0). When more were held than the bus keeps
  // (hold_max), they were let go: the replayer goes on up to the answer (the last
  // sequence number (of its log) now) and asks again.
  caf::replies_to<replay_atom, client_actor>::with<std::uint64_t>,
  // The same for a VQ subscriber.
  caf::replies_to<replay_atom, vq_atom, client_actor>::with<std::uint64_t>,
  // A client subscribes to the VQ events of these queues (empty: all).
  caf::replies_to<caf::join_atom, vq_atom, client_actor, std::vector<std::string>>::with<
    caf::ok_atom>,
  // A client (the console's trace) follows the events of one interaction.
  caf::replies_to<caf::join_atom, trace_atom, client_actor, std::uint64_t>::with<caf::ok_atom>,
  // The stats hub subscribes to every report (report_feed_actor).
  caf::replies_to<caf::join_atom, stats_atom, report_feed_actor>::with<caf::ok_atom>,
  // A client unsubscribes from everything.
  caf::replies_to<caf::leave_atom, client_actor>::with<caf::ok_atom>,
  // The per-tenant conservation counts.
  caf::replies_to<count_atom>::with<conservation_map>,
  // What the console's `status` shows.
  caf::replies_to<state_atom>::with<bus_status>,
  // The logged-in agents as the stream last saw them, at most `limit`.
  caf::replies_to<snapshot_atom, std::uint32_t>::with<std::vector<agent_row>>>;

/// `store`: the persistence writer every sequenced event goes to (may be invalid);
/// `last_seq`, `last_vq_seq`: the last sequence numbers already stored (reporting and VQ
/// events), so the streams continue gap-free;
/// `hold_max`: the live events held back for one replaying subscriber at most
/// (limits.replay_hold_events).
reporting_bus_actor spawn_reporting_bus(caf::actor_system& sys, std::shared_ptr<const clock> clk,
                                        writer_actor store = {}, std::uint64_t last_seq = 0,
                                        std::uint64_t last_vq_seq = 0, std::size_t hold_max = 50'000);

} // namespace parley
