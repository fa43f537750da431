// agent_actor: one per logged-in agent. The authority on the agent's state (not ready after
// login, ready, not ready with a reason, after-call work with automatic return to ready
// after the configured wrap-up) and on its load: it refuses an invite it cannot take, so
// no agent is ever offered more than its capacity per media. Pushes invites, revocations
// and its own state changes to its desktop, and reports every change to its tenant's
// router and to the reporting bus.
//
// Spawned by the agent registry at login; quits at logout or when its desktop disconnects
// (then its offered and handled interactions go back to their queues).
// Messages: agent_actor below.
#pragma once

#include <caf/fwd.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/runtime/domain_config.hpp"
#include "actors/runtime/domain_fwd.hpp"
#include "actors/runtime/views.hpp"

// The agent family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_agent, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_agent, parley, ready_atom, "ready")
  CAF_ADD_ATOM(parley_agent, parley, notready_atom, "notready")
  CAF_ADD_ATOM(parley_agent, parley, acw_atom, "acw")
  CAF_ADD_ATOM(parley_agent, parley, invite_atom, "invite")
  CAF_ADD_ATOM(parley_agent, parley, revoke_atom, "revoke")
  CAF_ADD_ATOM(parley_agent, parley, release_atom, "release")
  CAF_ADD_ATOM(parley_agent, parley, accepted_atom, "accepted")
  CAF_ADD_ATOM(parley_agent, parley, wrapup_atom, "wrapup")
  CAF_ADD_ATOM(parley_agent, parley, gone_atom, "gone")
  CAF_ADD_ATOM(parley_agent, parley, pull_atom, "pull")
  CAF_ADD_ATOM(parley_agent, parley, login_atom, "login")
  CAF_ADD_ATOM(parley_agent, parley, logout_atom, "logout")
  CAF_ADD_ATOM(parley_agent, parley, avail_atom, "avail")
CAF_END_TYPE_ID_BLOCK(parley_agent)

namespace parley {

/// An interaction as the agents holding it see it (interaction_actor.hpp implements more;
/// this narrow view breaks the cycle between the two interfaces).
using interaction_ref = caf::typed_actor<
  // From an agent logging out: it no longer holds the interaction. (agent, why)
  caf::reacts_to<gone_atom, std::string, std::string>,
  // The offer timer the invited agent runs: the offer of generation `gen` is unanswered.
  caf::reacts_to<revoke_atom, std::uint64_t>>;

using agent_actor = caf::typed_actor<
  // From the desktop: change state; the agent as it is now.
  caf::replies_to<ready_atom>::with<agent_view>,
  caf::replies_to<notready_atom, std::string>::with<agent_view>,  // (reason)
  caf::replies_to<acw_atom>::with<agent_view>,
  // Log out; not `forced`: wrong_state while it handles interactions.
  caf::replies_to<logout_atom, bool>::with<agent_view>,
  caf::replies_to<state_atom>::with<agent_view>,
  // From an interaction: an offer; wrong_state when not ready, limit_exceeded when full.
  // The agent runs the offer timer: after `timeout` an offer still unanswered gets
  // (revoke_atom, gen) back. `routed`: counted against the router's reservation.
  // (iid, media, interaction, the Invite event, routed, timeout, gen)
  caf::replies_to<invite_atom, std::uint64_t, std::string, interaction_ref, frame, bool,
                  caf::timespan, std::uint64_t>::with<caf::ok_atom>,
  // From an interaction: takes it as handled at once (Pull); limit_exceeded when full.
  // (iid, media, interaction)
  caf::replies_to<pull_atom, std::uint64_t, std::string, interaction_ref>::with<caf::ok_atom>,
  // From an interaction: the offer became a handled interaction. (iid)
  caf::reacts_to<accepted_atom, std::uint64_t>,
  // From an interaction: an offer ended without accept. (iid, reason)
  caf::reacts_to<revoke_atom, std::uint64_t, std::string>,
  // From an interaction: a handled interaction left the agent. (iid, reason)
  caf::reacts_to<release_atom, std::uint64_t, std::string>,
  // An event for the desktop.
  caf::reacts_to<event_atom, frame>,
  // Its own timers: the offer timer (iid, gen); after-call work is over (gen).
  caf::reacts_to<caf::timeout_atom, std::uint64_t, std::uint64_t>,
  caf::reacts_to<wrapup_atom, std::uint64_t>>;

struct agent_setup {
  std::string id;
  std::string place;
  const agent_group_config* group = nullptr;  ///< owned by the shared domain config
  client_actor client;                        ///< the desktop's connection actor
  domain_ptr dom;
};

agent_actor spawn_agent(caf::actor_system& sys, agent_setup setup);

} // namespace parley
