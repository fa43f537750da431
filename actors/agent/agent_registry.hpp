// agent_registry: which agents are logged in, and on which desktop.
//
// Resolves an agent id to its configured group (skills, capacities, wrap-up), enforces one
// session per agent (a second login is refused, or forces the first out, per
// routing.second_login), spawns the agent actor and finds it again for transfers and
// conferences. Spawned once by the engine; stopped by it (it then logs every agent out).
// Messages: agent_registry_actor below.
#pragma once

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/agent/agent_actor.hpp"
#include "actors/runtime/domain_fwd.hpp"

namespace parley {

using agent_registry_actor = caf::typed_actor<
  // From the engine, first: the other actors' handles and the configuration.
  caf::reacts_to<init_atom, domain_ptr>,
  // From a desktop: log the agent in at `place`; its actor and state, unknown_id (not
  // configured) or wrong_state (logged in elsewhere, routing.second_login = refuse).
  // (agent, place, desktop)
  caf::replies_to<login_atom, std::string, std::string, client_actor>::with<agent_actor,
                                                                            agent_view>,
  // The actor of a logged-in agent; unknown_id.
  caf::replies_to<lookup_atom, std::string>::with<agent_actor>,
  // Logged-in agents.
  caf::replies_to<count_atom>::with<std::uint64_t>>;

agent_registry_actor spawn_agent_registry(caf::actor_system& sys);

} // namespace parley
