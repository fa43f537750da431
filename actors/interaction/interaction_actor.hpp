// interaction_actor: one per interaction, from submit to stop. Owns the state machine
// (submitted -> queued -> offered -> handled -> transferred / conferenced / parked ->
// stopped), the properties (user data), the parties, the timestamps of every transition
// and its offer timer. Every change is one report to the reporting bus; the submitting
// client gets the interaction's events, and so do the agents handling it.
//
// Spawned by the interaction registry on submit; quits when stopped (or at shutdown).
// Messages (untyped; `requester` says who asks and is checked against the state):
//   (init_atom) -> Submitted state | error           from the registry: enter the first queue
//   (recover_atom) -> state                          from the registry at start-up: back to
//       its queue at its old position (offered or handled ones too: their agents are gone),
//       or parked where it was; a queue no longer configured parks it in "orphaned:<queue>"
//   (state_atom) -> interaction_view
//   (props_atom, requester, property_list set, std::vector<std::string> remove) -> ok
//   (place_atom, std::string queue) -> ok
//   (stop_atom, requester, std::string reason) -> ok
//   (accept_atom, requester) | (reject_atom, requester, std::string reason) -> ok
//   (transfer_atom, requester, std::string agent, std::string queue) -> ok
//   (conf_atom, requester, std::string agent) | (leave_atom, requester) -> ok
//   (hold_atom, requester) | (resume_atom, requester) -> ok
//   (park_atom, requester, std::string workbin) | (pull_atom, requester, caf::actor agent) -> ok
//   (offer_atom, std::string agent, caf::actor agent, std::string queue) -> ok | wrong_state
//       from its queue (refused when it left that queue meanwhile)
//   (submit_atom, caf::actor owner) -> interaction_view   a resubmit: events go to `owner`
//   (overflow_atom, std::string queue)                              from its queue
//   (gone_atom, std::string agent, std::string why)                 from an agent logging out
//   (revoke_atom, uint64 gen)          the offer timer, run by the invited agent
#pragma once

#include <caf/fwd.hpp>

#include "actors/runtime/domain.hpp"
#include "actors/runtime/views.hpp"

namespace parley {

struct interaction_setup {
  interaction_view view;  ///< id, external id, tenant, media, queue, priority, properties
  caf::actor owner;       ///< the submitting client's connection actor
  domain_ptr dom;
  /// Loaded from storage at start-up: `view` is as stored, and (recover_atom) puts it back
  /// at its place: its queue position, or its workbin.
  bool recovered = false;
  std::uint64_t queue_seq = 0;
  std::int64_t entered_ms = 0;
  /// An outbound call: its first queue hands it straight to this reserved agent.
  std::string reserved_for;
};

caf::actor spawn_interaction(caf::actor_system& sys, interaction_setup setup);

/// Checks a property change against routing.max_properties / max_property_bytes.
/// Returns "" or why it is refused.
std::string check_properties(const routing_config& cfg, const property_list& current,
                             const property_list& set, const std::vector<std::string>& remove);

} // namespace parley
