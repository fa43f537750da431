// scheduler_actor: the job scheduler — runs the [[schedule]] entries (cron expressions in
// IANA zones) against the domain clock: at each firing it sends the campaign its start,
// stop, pause or resume, logs what happened, and arms the entry's next firing.
// Spawned by the engine when entries are configured; stopped by it with the campaigns.
// Messages: (job_atom, uint64 entry index) its own timers.
#pragma once

#include <caf/fwd.hpp>

#include "actors/runtime/domain.hpp"

namespace parley::outbound {

caf::actor spawn_scheduler(caf::actor_system& sys, domain_ptr dom);

} // namespace parley::outbound
