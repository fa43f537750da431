// interaction_registry: creates interactions and finds them by id.
//
// Submit comes here: the request is validated (media, queue, tenant, property limits), a
// resubmit of a known external id returns the existing interaction instead of a duplicate,
// and a new interaction actor is spawned and placed in its queue before the submit is
// answered. Anyone else finds an interaction by id here. Spawned once by the engine; on
// shutdown it stops every interaction it knows.
// Messages (untyped):
//   (init_atom, domain_ptr)
//   (submit_atom, submit_request, caf::actor owner) -> (uint64 id, bool existing, InteractionState)
//   (lookup_atom, uint64 id) -> caf::actor | unknown_id
//   (forget_atom, uint64 id, std::string tenant, std::string external_id) from a stopping
//       interaction
//   (count_atom) -> uint64 live interactions
//   (snapshot_atom, uint32 limit) -> std::vector<caf::actor>, oldest first (console)
#pragma once

#include <caf/fwd.hpp>

#include "actors/runtime/types.hpp"

namespace parley {

struct submit_request {
  std::string external_id;
  std::string tenant;
  std::string media;
  std::string queue;
  std::int32_t priority = 0;
  property_list properties;
  std::string reserved_for;  ///< an outbound call: the agent a dialer reserved (not on the wire)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, submit_request& x) {
  return f(caf::meta::type_name("submit_request"), x.external_id, x.tenant, x.media, x.queue,
           x.priority, x.properties, x.reserved_for);
}

caf::actor spawn_interaction_registry(caf::actor_system& sys);

} // namespace parley
