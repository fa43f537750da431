// scheduler_actor: the job scheduler — runs the [[schedule]] entries (cron expressions in
// IANA zones) against the domain clock: at each firing it sends the campaign its start,
// stop, pause or resume (or a sequence its start or stop), or starts a list import, logs
// what happened, and arms the entry's next firing. An import whose file is not there is skipped (logged); one still running
// when its entry fires again is not started twice; one refused because the list has the
// file's contents already is logged as a warning (the job renamed the file aside).
// Spawned by the engine when entries are configured; stopped by it with the campaigns.
// Messages: scheduler_actor below.
#pragma once

#include <functional>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/outbound/campaign_config.hpp"
#include "actors/runtime/domain_fwd.hpp"
#include "actors/runtime/types.hpp"

// The scheduler family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_scheduler, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_scheduler, parley, job_atom, "job")
CAF_END_TYPE_ID_BLOCK(parley_scheduler)

namespace parley::outbound {

/// Whom an import job reports to (the console's `list import`, a scheduled import).
using import_report_actor = caf::typed_actor<
  // Progress text while it runs.
  caf::reacts_to<progress_atom, std::string>,
  // Its answer, once, at the end ("error: ..." when it failed).
  caf::reacts_to<import_atom, std::string>>;

/// Starts an import job for a schedule entry and returns it; the job reports to
/// `report_to`, then quits.
using import_starter =
  std::function<caf::actor(const schedule_entry&, const import_report_actor& report_to)>;

using scheduler_actor = import_report_actor::extend<
  // Its own timers: entry `index` is due at `due_ms`. (index, due_ms)
  caf::reacts_to<job_atom, std::uint64_t, std::int64_t>>;

scheduler_actor spawn_scheduler(caf::actor_system& sys, domain_ptr dom, import_starter imports);

} // namespace parley::outbound
