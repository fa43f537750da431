// scheduler_actor: the job scheduler — runs the [[schedule]] entries (cron expressions in
// IANA zones) against the domain clock: at each firing it sends the campaign its start,
// stop, pause or resume (or a sequence its start or stop), or starts a job — a list import
// or a retention run — logs what happened, and arms the entry's next firing. A job still
// running when its entry fires again is not started twice. An import whose file is not
// there is skipped (logged); one refused because the list has the file's contents already
// is logged as a warning (the job renamed the file aside).
// Spawned by the engine when entries are configured; stopped by it with the campaigns.
// An entry can be disabled and enabled again while the engine runs (the console's
// `schedule`, the API's /api/v1/schedules): a disabled entry does not fire; the config
// decides again at the next start. Messages: scheduler_actor below.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/typed_actor.hpp>

#include "actors/outbound/campaign_config.hpp"
#include "actors/runtime/domain_fwd.hpp"
#include "actors/runtime/types.hpp"

// The scheduler family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_scheduler, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_scheduler, parley, job_atom, "job")
CAF_END_TYPE_ID_BLOCK(parley_scheduler)

namespace parley::outbound {

/// One [[schedule]] entry as it runs.
struct schedule_status {
  std::uint64_t index = 0;   ///< its place in the config, from 0
  bool enabled = true;
  std::int64_t next_ms = 0;  ///< its next firing (domain clock); 0 while disabled
  std::int64_t last_ms = 0;  ///< its last firing since the start; 0: none
  std::string last;          ///< what that firing did ("" before the first)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, schedule_status& x) {
  return f(caf::meta::type_name("schedule_status"), x.index, x.enabled, x.next_ms, x.last_ms, x.last);
}

/// Whom a job reports to (the console's `list import`, a scheduled import or retention run).
using job_report_actor = caf::typed_actor<
  // Progress text while it runs.
  caf::reacts_to<progress_atom, std::string>,
  // Its answer, once, at the end ("error: ..." when it failed).
  caf::reacts_to<import_atom, std::string>>;

/// Starts the job of a schedule entry (an import or retention) and returns it; the job
/// reports to `report_to`, then quits.
using job_starter = std::function<caf::actor(const schedule_entry&, const job_report_actor& report_to)>;

using scheduler_actor = job_report_actor::extend<
  // Its own timers: entry `index` is due at `due_ms`. (index, due_ms)
  caf::reacts_to<job_atom, std::uint64_t, std::int64_t>,
  // Every entry as it runs, in config order.
  caf::replies_to<caf::get_atom>::with<std::vector<schedule_status>>,
  // Enables (true) or disables entry `index` until the next start; out of range: an
  // unknown_id error.
  caf::replies_to<caf::put_atom, std::uint64_t, bool>::with<schedule_status>>;

/// What an entry does, in words: "start campaign spring", "import leads.csv into spring".
std::string describe_entry(const schedule_entry& e);

scheduler_actor spawn_scheduler(caf::actor_system& sys, domain_ptr dom, job_starter jobs);

} // namespace parley::outbound
