// agent_registry: which agents are logged in, and on which desktop.
//
// Resolves an agent id to its configured group (skills, capacities, wrap-up), enforces one
// session per agent (a second login is refused, or forces the first out, per
// routing.second_login), spawns the agent actor and finds it again for transfers and
// conferences. Spawned once by the engine; stopped by it (it then logs every agent out).
// Messages (untyped):
//   (init_atom, domain_ptr)
//   (login_atom, std::string agent, std::string place, caf::actor client)
//       -> (caf::actor agent, agent_view) | unknown_id (not configured) | wrong_state
//   (lookup_atom, std::string agent) -> caf::actor | unknown_id
//   (count_atom) -> uint64 logged-in agents
#pragma once

#include <caf/fwd.hpp>

namespace parley {

caf::actor spawn_agent_registry(caf::actor_system& sys);

} // namespace parley
