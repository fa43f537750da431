// directory_actor: who is connected. Admits registrations and knows every registered client.
//
// Spawned once by the engine at start-up with the configured registration tokens; stopped
// by the engine after every session has closed. Connection actors ask it to admit their
// client and tell it when their session is gone. Later issues hang per-client rules here
// (one session per agent, routers registered for queues).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/runtime/types.hpp"

// The directory family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_directory, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_directory, parley, register_atom, "register")
  CAF_ADD_ATOM(parley_directory, parley, unreg_atom, "unreg")
CAF_END_TYPE_ID_BLOCK(parley_directory)

namespace parley {

/// Registered clients per client type, indexed by the numeric ClientType.
using client_counts = std::vector<std::uint64_t>;

using directory_actor = caf::typed_actor<
  // From a connection actor: admit this client. Answers its session id, or an error:
  // unsupported_version, wrong_client_type, bad_credential, already_registered.
  caf::replies_to<register_atom, client_info>::with<std::uint64_t>,
  // From a connection actor whose session closed: forget the client. No answer.
  caf::reacts_to<unreg_atom, std::uint64_t>,
  // From the console and tests: registered clients per client type.
  caf::replies_to<count_atom>::with<client_counts>,
  // From the console: every registered client.
  caf::replies_to<snapshot_atom>::with<std::vector<client_info>>,
  // From the engine on a config reload: the new registration tokens, replacing all of
  // them at once (registrations already admitted stay). No answer.
  caf::reacts_to<caf::update_atom, std::map<wire::ClientType, std::string>>>;

/// Tokens per client type; a type without an entry registers without a credential.
using token_map = std::map<wire::ClientType, std::string>;

/// Spawns the directory with the configured registration tokens.
directory_actor spawn_directory(caf::actor_system& sys, token_map tokens);

/// Compares secrets in time that depends only on their lengths.
bool same_secret(const std::string& a, const std::string& b) noexcept;

} // namespace parley
