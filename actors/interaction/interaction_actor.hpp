// interaction_actor: one per interaction, from submit to stop. Owns the state machine
// (submitted -> queued -> offered -> handled -> transferred / conferenced / parked ->
// stopped), the properties (user data), the parties, the timestamps of every transition
// and its offer timer. Every change is one report to the reporting bus; the submitting
// client gets the interaction's events, and so do the agents handling it.
//
// Spawned by the interaction registry on submit; quits when stopped (or at shutdown).
// Messages: interaction_actor below; `requester` says who asks and is checked against the
// state.
#pragma once

#include <caf/fwd.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/agent/agent_actor.hpp"
#include "actors/runtime/clock.hpp"
#include "actors/runtime/domain_config.hpp"
#include "actors/runtime/domain_fwd.hpp"
#include "actors/runtime/views.hpp"

// The interaction family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_interaction, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_interaction, parley, props_atom, "props")
  CAF_ADD_ATOM(parley_interaction, parley, place_atom, "place")
  CAF_ADD_ATOM(parley_interaction, parley, accept_atom, "accept")
  CAF_ADD_ATOM(parley_interaction, parley, reject_atom, "reject")
  CAF_ADD_ATOM(parley_interaction, parley, transfer_atom, "transfer")
  CAF_ADD_ATOM(parley_interaction, parley, conf_atom, "conf")
  CAF_ADD_ATOM(parley_interaction, parley, leave_atom, "leave")
  CAF_ADD_ATOM(parley_interaction, parley, hold_atom, "hold")
  CAF_ADD_ATOM(parley_interaction, parley, park_atom, "park")
  CAF_ADD_ATOM(parley_interaction, parley, offer_atom, "offer")
  CAF_ADD_ATOM(parley_interaction, parley, overflow_atom, "overflow")
CAF_END_TYPE_ID_BLOCK(parley_interaction)

namespace parley {

using interaction_actor = interaction_ref::extend<
  // Delegated by the registry (a new Submit): enter the first queue, then answer the
  // submitter (id, existing = false, queued) or why no queue took it — then it tells the
  // registry (forget_atom, not finished) and ends.
  caf::replies_to<init_atom>::with<std::uint64_t, bool, wire::InteractionState>,
  // From the registry at start-up: back to its queue at its old position (an offered or
  // handled one: its agents are gone), or parked where it was; a queue no longer
  // configured parks it in "orphaned:<queue>". (A queued one waits without an actor until
  // needed: waiting_record, and `waiting` below.)
  caf::replies_to<recover_atom>::with<wire::InteractionState>,
  caf::replies_to<state_atom>::with<interaction_view>,
  // A resubmit: events go to `owner` from now on (invalid: unchanged).
  caf::replies_to<submit_atom, client_actor>::with<interaction_view>,
  // Set and remove properties (user data). (who, set, remove)
  caf::replies_to<props_atom, requester, property_list, std::vector<std::string>>::with<
    caf::ok_atom>,
  // Move it to another queue (the console). (queue)
  caf::replies_to<place_atom, std::string>::with<caf::ok_atom>,
  // StopProcessing. (who, reason)
  caf::replies_to<stop_atom, requester, std::string>::with<caf::ok_atom>,
  caf::replies_to<accept_atom, requester>::with<caf::ok_atom>,
  caf::replies_to<reject_atom, requester, std::string>::with<caf::ok_atom>,  // (who, reason)
  // From its queue: offer it to this agent; wrong_state when it left that queue meanwhile.
  // (agent, its actor, queue)
  caf::replies_to<offer_atom, std::string, agent_actor, std::string>::with<caf::ok_atom>,
  // From its queue: it waited too long; go to this queue. (queue)
  caf::reacts_to<overflow_atom, std::string>,
  // Transfer to an agent, or to a queue (agent empty). (who, agent, queue)
  caf::replies_to<transfer_atom, requester, std::string, std::string>::with<caf::ok_atom>,
  // Invite an agent into a conference; leave one. (who, agent)
  caf::replies_to<conf_atom, requester, std::string>::with<caf::ok_atom>,
  caf::replies_to<leave_atom, requester>::with<caf::ok_atom>,
  caf::replies_to<hold_atom, requester>::with<caf::ok_atom>,
  caf::replies_to<resume_atom, requester>::with<caf::ok_atom>,
  // Park in a workbin (empty: the agent's own). (who, workbin)
  caf::replies_to<park_atom, requester, std::string>::with<caf::ok_atom>,
  // Pull from a workbin to this agent. (who, the agent's actor)
  caf::replies_to<pull_atom, requester, agent_actor>::with<caf::ok_atom>>;

struct interaction_setup {
  interaction_view view;  ///< id, external id, tenant, media, queue, priority, properties
  client_actor owner;     ///< the submitting client's connection actor
  domain_ptr dom;
  /// Loaded from storage at start-up: `view` is as stored, and (recover_atom) puts it back
  /// at its place: its queue position, or its workbin.
  bool recovered = false;
  std::uint64_t queue_seq = 0;
  std::int64_t entered_ms = 0;
  /// An outbound call: its first queue hands it straight to this reserved agent.
  std::string reserved_for;
  /// Recovered and already waiting in its queue at `queue_seq` (a waiting_record the
  /// registry gave the queue, reported there): it starts queued, no recover_atom.
  bool waiting = false;
  clock::time_point entered_at{};  ///< with `waiting`: when the recovery queued it
};

interaction_actor spawn_interaction(caf::actor_system& sys, interaction_setup setup);

/// Checks a property change against routing.max_properties / max_property_bytes.
/// Returns "" or why it is refused.
std::string check_properties(const routing_config& cfg, const property_list& current,
                             const property_list& set, const std::vector<std::string>& remove);

} // namespace parley
