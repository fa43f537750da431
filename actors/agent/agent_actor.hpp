// agent_actor: one per logged-in agent. The authority on the agent's state (not ready after
// login, ready, not ready with a reason, after-call work with automatic return to ready
// after the configured wrap-up) and on its load: it refuses an invite it cannot take, so
// no agent is ever offered more than its capacity per media. Pushes invites, revocations
// and its own state changes to its desktop, and reports every change to its tenant's
// router and to the reporting bus.
//
// Spawned by the agent registry at login; quits at logout or when its desktop disconnects
// (then its offered and handled interactions go back to their queues).
// Messages (untyped):
//   (ready_atom) | (notready_atom, std::string reason) | (acw_atom) -> agent_view
//   (logout_atom, bool forced) -> agent_view; not forced: wrong_state while handling
//   (state_atom) -> agent_view
//   (invite_atom, iid, std::string media, caf::actor interaction, frame, bool routed,
//    caf::timespan timeout, uint64 gen) -> ok   from an interaction; wrong_state when not
//       ready, limit_exceeded when full. The agent runs the offer timer: after `timeout`
//       an offer still unanswered gets (revoke_atom, gen) back
//   (caf::timeout_atom, iid, uint64 gen)   own offer timer
//   (pull_atom, iid, std::string media, caf::actor interaction) -> ok (takes it as handled)
//   (accepted_atom, iid)                 the offer became a handled interaction
//   (revoke_atom, iid, std::string reason)   an offer ended without accept
//   (release_atom, iid, std::string reason)  a handled interaction left the agent
//   (event_atom, frame)                  an event for the desktop
//   (wrapup_atom, uint64 gen)            own timer: after-call work is over
#pragma once

#include <caf/fwd.hpp>

#include "actors/runtime/domain.hpp"
#include "actors/runtime/views.hpp"

namespace parley {

struct agent_setup {
  std::string id;
  std::string place;
  const agent_group_config* group = nullptr;  ///< owned by the shared domain config
  caf::actor client;                          ///< the desktop's connection actor
  domain_ptr dom;
};

caf::actor spawn_agent(caf::actor_system& sys, agent_setup setup);

} // namespace parley
