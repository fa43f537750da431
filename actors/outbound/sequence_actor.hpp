// sequence_actor: one per campaign sequence ([[sequences]]) — its campaigns run one after
// another, as Outbound Contact Server's campaign sequences do. Started (console, a
// [[schedule]] entry, autostart) at a step, it starts that step's campaign and looks every
// second of domain time at what the campaign has left (campaign_progress): the step hands
// over when its `until` holds — `exhausted` (nothing left to dial, now or later), `idle`
// (nothing due now) — or at its `until_time` (a cron firing in the sequence's zone), whichever
// comes first. Handing over stops the step's campaign (its calls under way finish, its
// undialed records go back) and starts the next one's; after the last step the sequence is
// finished.
//
// The operator stays in charge: a step's campaign stopped by someone else stops the
// sequence (it never starts a next campaign the operator did not ask for); a paused one
// holds it (only its until_time still hands over). A step whose campaign cannot start (a
// missing list) fails the sequence, with the reason in its status. A sequence's position
// lives in memory: after a restart it is idle (autostart starts it at its first step).
//
// Spawned by the engine after the campaigns, stopped by it before them. Messages:
// sequence_actor below.
#pragma once

#include <cstdint>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/outbound/campaign_actor.hpp"
#include "actors/outbound/campaign_config.hpp"
#include "actors/outbound/outbound_types.hpp"
#include "actors/runtime/domain_fwd.hpp"
#include "actors/runtime/types.hpp"

// The sequence family's own atoms (start and stop are the campaigns' and the engine's).
CAF_BEGIN_TYPE_ID_BLOCK(parley_sequence, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_sequence, parley, sequence_atom, "sequence")
CAF_END_TYPE_ID_BLOCK(parley_sequence)

namespace parley::outbound {

using sequence_actor = caf::typed_actor<
  // From the engine, first: the other actors' handles.
  caf::reacts_to<init_atom, domain_ptr>,
  // Its status.
  caf::replies_to<sequence_atom, caf::get_atom>::with<sequence_view>,
  // Start at step `step` (0-based), answered once that step's campaign runs; wrong_state
  // while it runs, invalid_argument for a step it does not have. (step)
  caf::replies_to<sequence_atom, start_atom, std::uint32_t>::with<sequence_view>,
  // Stop: the step's campaign is stopped too; wrong_state when it does not run.
  caf::replies_to<sequence_atom, stop_atom>::with<sequence_view>,
  // Its own timer: look at the running step.
  caf::reacts_to<tick_atom>>;

sequence_actor spawn_sequence(caf::actor_system& sys, const sequence_config* cfg);

} // namespace parley::outbound
