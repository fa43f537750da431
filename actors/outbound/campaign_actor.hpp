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
// Messages: campaign_actor below.
#pragma once

#include <string_view>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/outbound/campaign_config.hpp"
#include "actors/outbound/compliance_actor.hpp"
#include "actors/outbound/dialer_session.hpp"
#include "actors/outbound/gateway.hpp"
#include "actors/outbound/list_store_actor.hpp"
#include "actors/outbound/outbound_types.hpp"
#include "actors/runtime/domain_fwd.hpp"

// The campaign family's own atoms: its control operations (status is caf::get_atom; stop
// and resume are the engine's stop_atom and resume_atom).
CAF_BEGIN_TYPE_ID_BLOCK(parley_campaign, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_campaign, parley, campaign_atom, "campaign")
  CAF_ADD_ATOM(parley_campaign, parley, preview_atom, "preview")
  CAF_ADD_ATOM(parley_campaign, parley::outbound, start_atom, "start")
  CAF_ADD_ATOM(parley_campaign, parley::outbound, pause_atom, "pause")
CAF_END_TYPE_ID_BLOCK(parley_campaign)

namespace parley::outbound {

/// The outbound actors a campaign works with.
struct campaign_handles {
  gateway_actor gateway;
  list_store_actor list_store;
  compliance_actor compliance;
};

using campaign_actor = campaign_feedback_actor::extend<
  // From the engine, first: the other actors' handles, and the outbound ones.
  caf::reacts_to<init_atom, domain_ptr, campaign_handles>,
  // Control (the console, the API, [[schedule]] entries): the campaign as it is then, or
  // wrong_state for a transition that does not apply. Status, start, pause, resume, stop.
  caf::replies_to<campaign_atom, caf::get_atom>::with<campaign_view>,
  caf::replies_to<campaign_atom, start_atom>::with<campaign_view>,
  caf::replies_to<campaign_atom, pause_atom>::with<campaign_view>,
  caf::replies_to<campaign_atom, resume_atom>::with<campaign_view>,
  caf::replies_to<campaign_atom, stop_atom>::with<campaign_view>,
  // What it has left to dial (a campaign sequence's step ends on it).
  caf::replies_to<campaign_atom, count_atom>::with<campaign_progress>,
  // An agent asks for a record to preview (answered when one is due). (agent)
  caf::replies_to<preview_atom, std::string>::with<preview_record>,
  // The agent's decision on a previewed record. (agent, record, dial)
  caf::replies_to<preview_atom, std::string, std::uint64_t, bool>::with<caf::ok_atom>,
  // An agent's desktop acts on the record of its call: passed to the call's dialer session
  // (unknown_id when no session of this campaign holds the record).
  caf::replies_to<record_atom, record_request>::with<caf::ok_atom>,
  // Its own timers: a previewed record nobody decided on in time (record); pacing.
  caf::reacts_to<preview_atom, std::uint64_t>, caf::reacts_to<tick_atom>>;

/// Calls `f` with the atom of the control operation `name` ("status", "start", "pause",
/// "resume", "stop"): f(caf::get_atom_v), f(start_atom_v), ... False when there is none.
template <class F>
bool with_campaign_op(std::string_view name, F&& f) {
  if (name == "status")
    f(caf::get_atom_v);
  else if (name == "start")
    f(start_atom_v);
  else if (name == "pause")
    f(pause_atom_v);
  else if (name == "resume")
    f(resume_atom_v);
  else if (name == "stop")
    f(stop_atom_v);
  else
    return false;
  return true;
}

campaign_actor spawn_campaign(caf::actor_system& sys, const campaign_config* cfg);

} // namespace parley::outbound

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::outbound::campaign_handles)
