// scheduler_actor: the job scheduler — runs the [[schedule]] entries (cron expressions in
// IANA zones) against the domain clock: at each firing it sends the campaign its start,
// stop, pause or resume, or starts a list import, logs what happened, and arms the entry's
// next firing. An import whose file is not there is skipped (logged); one still running
// when its entry fires again is not started twice; one refused because the list has the
// file's contents already is logged as a warning (the job renamed the file aside).
// Spawned by the engine when entries are configured; stopped by it with the campaigns.
// Messages: (job_atom, uint64 entry index, int64 due ms) its own timers;
// (progress_atom, string) and (import_atom, string) from the import jobs it started.
#pragma once

#include <functional>

#include <caf/fwd.hpp>

#include "actors/runtime/domain.hpp"

namespace parley::outbound {

/// Starts an import job for a schedule entry and returns it; the job reports to the given
/// actor with (progress_atom, string) and (import_atom, string) like the console's
/// `list import`, then quits.
using import_starter = std::function<caf::actor(const schedule_entry&, const caf::actor& report_to)>;

caf::actor spawn_scheduler(caf::actor_system& sys, domain_ptr dom, import_starter imports);

} // namespace parley::outbound
