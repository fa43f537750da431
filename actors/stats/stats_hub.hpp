// stats_hub: the statistics engine's front door and its feed.
//
// Spawned once by the engine (spawn_domain), which subscribes it to the reporting bus
// before any listener opens; stopped by the engine. It owns the tracker (reporting events -> facts per object) and the index of
// calculations per object; each reporting event becomes one (facts_atom, fact_list)
// message to every calculation on an object it concerns. Statistics opened with the same
// specification share one calculation (stat_actor.hpp); the hub keeps which statistic of
// which connection is on which calculation, monitors the connections and the
// calculations, and stops a calculation when its last statistic leaves. It never polls
// other actors.
//
// Messages: stats_hub_actor below.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/domain_fwd.hpp"
#include "actors/stats/queue_today.hpp"
#include "actors/stats/stat_actor.hpp"

namespace parley::stats {

using stats_hub_actor = report_feed_actor::extend<
  // From the engine, first: the other actors' handles and the configuration.
  caf::reacts_to<init_atom, domain_ptr>,
  // From a campaign: one outbound attempt ended with `result` (a call_result name).
  // (tenant, campaign, result, t_ms)
  caf::reacts_to<dial_atom, std::string, std::string, std::string, std::int64_t>,
  // From a connection (OpenStat): joins the statistic to its calculation (spawned if it is
  // the first of its kind) and answers it; invalid_argument or unknown_id.
  // (spec, connection, stat_id)
  caf::replies_to<caf::open_atom, stat_spec, stat_client_actor, std::uint64_t>::with<stat_actor>,
  // From a connection (CloseStat); no answer. (connection, stat_id)
  caf::reacts_to<caf::close_atom, stat_client_actor, std::uint64_t>,
  // From a connection (ResetStat): restarts the statistic's interval and answers its
  // calculation — its own one now if it shared one before. `wait`: how long the hub may
  // wait for the calculation. (connection, stat_id, wait)
  caf::replies_to<caf::reset_atom, stat_client_actor, std::uint64_t, caf::timespan>::with<stat_actor>,
  // Open statistics per object key (not calculations).
  caf::replies_to<count_atom>::with<std::map<std::string, std::uint64_t>>,
  // Each configured queue's day since the reset (answered, abandoned, service level,
  // speed of answer; queue_today.hpp).
  caf::replies_to<snapshot_atom>::with<std::vector<queue_day>>>;

stats_hub_actor spawn_stats_hub(caf::actor_system& sys);

} // namespace parley::stats
