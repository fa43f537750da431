// campaign_actor: one per configured campaign — its state (loaded, running, paused,
// stopped), its records and its pace. While running it leases due records from its lists
// in scheduled order, has compliance check them in batches, and on every tick (100 ms of
// domain time) dials as many as its pacing says through dialer sessions (one per attempt):
//   preview      an agent asks for a record, sees it, accepts (dialed with that agent
//                reserved) or rejects it (back to the list);
//   progressive  one call per available agent of its queue, each holding that agent;
//   predictive   more calls than agents, from the answer rate and expected agent releases,
//                keeping the abandon rate under target; over the compliance cap it falls
//                back to progressive until the rate is under again.
// It stops dialing at once when its agents log out or go not ready (the router's count).
// Records denied by compliance go back with a reason (outside the calling window: due
// when it opens; suppressed or unknown zone: cancelled; attempt caps: an hour later).
// Stopping returns leased, undialed records to their lists; calls under way finish.
//
// Spawned by the engine at start-up (after stale leases were recovered), stopped by it.
// Messages (untyped):
//   (init_atom, domain_ptr, campaign_handles)                     from the engine, first
//   (campaign_atom, std::string op) -> campaign_view | error   op: start, stop, pause,
//       resume, status (wrong_state for a transition that does not apply)
//   (preview_atom, std::string agent) -> preview_record | error  an agent asks for a record
//   (preview_atom, std::string agent, uint64 record, bool dial) -> ok   its decision
//   (outcome_atom, attempt_report)          from a finished dialer session
//   (call_atom, uint64 call, double ring_s) from a session whose call was answered
//   (call_atom, uint64 call)                from that session when the call reached an agent
//   (tick_atom)                              own pacing timer
#pragma once

#include <caf/fwd.hpp>

#include "actors/outbound/campaign_config.hpp"
#include "actors/outbound/outbound_types.hpp"
#include "actors/runtime/domain.hpp"

namespace parley::outbound {

/// The outbound actors a campaign works with.
struct campaign_handles {
  caf::actor gateway;
  caf::actor list_store;
  caf::actor compliance;
};

caf::actor spawn_campaign(caf::actor_system& sys, const campaign_config* cfg);

} // namespace parley::outbound

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::outbound::campaign_handles)
