// interaction_registry: creates interactions and finds them by id.
//
// Submit comes here: the request is validated (media, queue, tenant, property limits), a
// resubmit of a known external id returns the existing interaction instead of a duplicate,
// and a new interaction actor is spawned and placed in its queue before the submit is
// answered. Anyone else finds an interaction by id here. At start-up it recovers the
// stored ones: a queued one goes back to its queue as a waiting_record without an actor,
// which a lookup here spawns when something first needs it. Spawned once by the engine; on
// shutdown it stops every interaction it knows.
// Messages: interaction_registry_actor below.
#pragma once

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/interaction/interaction_actor.hpp"
#include "actors/runtime/domain_fwd.hpp"
#include "actors/runtime/types.hpp"
#include "storage/store.hpp"

// The interaction registry family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_interaction_registry, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_interaction_registry, parley, forget_atom, "forget")
CAF_END_TYPE_ID_BLOCK(parley_interaction_registry)

namespace parley {

struct submit_request {
  std::string external_id;
  std::string tenant;
  std::string media;
  std::string queue;
  std::int32_t priority = 0;
  property_list properties;
  std::string reserved_for;  ///< an outbound call: the agent a dialer reserved (not on the wire)
  budget time;               ///< what the submitting client's request has left
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, submit_request& x) {
  return f(caf::meta::type_name("submit_request"), x.external_id, x.tenant, x.media, x.queue,
           x.priority, x.properties, x.reserved_for, x.time);
}

using interaction_registry_actor = caf::typed_actor<
  // From the engine, first: the other actors' handles and the configuration.
  caf::reacts_to<init_atom, domain_ptr>,
  // Submit: validated, then a new interaction placed in its queue, or the existing one of
  // that external id (existing = true; its events go to `owner` from now on).
  // (request, owner) -> (id, existing, state)
  caf::replies_to<submit_atom, submit_request, client_actor>::with<std::uint64_t, bool,
                                                                   wire::InteractionState>,
  // The interaction of an id; unknown_id (unknown or stopped).
  caf::replies_to<lookup_atom, std::uint64_t>::with<interaction_actor>,
  // From an interaction that ends: forget it. `finished`: it stopped, its external id
  // answers as stopped from now on; false: its queue refused it at the start (the submit
  // was answered with the refusal), its external id is free again.
  // (id, tenant, external_id, finished)
  caf::reacts_to<forget_atom, std::uint64_t, std::string, std::string, bool>,
  // From the engine at start-up, before any client connects: ids continue after `max_id`,
  // the `finished` external ids are remembered (newest `finished_limit`), every live row
  // goes back where it was; answers how many. (live, finished, max_id, finished_limit)
  caf::replies_to<recover_atom, std::vector<storage::interaction_row>,
                  std::vector<storage::interaction_row>, std::uint64_t,
                  std::uint64_t>::with<std::uint64_t>,
  // Live interactions.
  caf::replies_to<count_atom>::with<std::uint64_t>,
  // At most `limit` live interactions, oldest first (the console).
  caf::replies_to<snapshot_atom, std::uint32_t>::with<std::vector<interaction_actor>>>;

interaction_registry_actor spawn_interaction_registry(caf::actor_system& sys);

} // namespace parley
