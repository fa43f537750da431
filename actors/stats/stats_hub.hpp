// stats_hub: the statistics engine's front door and its feed.
//
// Spawned once by the engine (spawn_domain), which subscribes it to the reporting bus
// before any listener opens; stopped by the engine. It owns the tracker (reporting events -> facts per object) and the index of
// open statistics per object; each reporting event becomes one (facts_atom, fact_list)
// message to every statistic open on an object it concerns. It spawns a stat actor per
// OpenStat, monitors it and forgets it when it ends. It never polls other actors.
//
// Messages (untyped):
//   (init_atom, domain_ptr)                          from the engine, first
//   (report_atom, report, uint64 seq, int64 engine_ms)   from the bus; no answer
//   (dial_atom, std::string tenant, std::string campaign, std::string result, int64 t_ms)
//       from a campaign: one outbound attempt ended with `result` (a call_result name)
//   (caf::open_atom, stat_spec, caf::actor client, uint64 stat_id)
//        from a connection -> caf::actor (the stat actor) | invalid_argument | unknown_id
//   (count_atom)  -> std::map<std::string, uint64>: open statistics per object key
//   (snapshot_atom) -> std::vector<queue_day>: each configured queue's day since the reset
//       (answered, abandoned, service level, speed of answer; queue_today.hpp)
#pragma once

#include <caf/fwd.hpp>

#include "actors/runtime/domain.hpp"

namespace parley::stats {

caf::actor spawn_stats_hub(caf::actor_system& sys);

} // namespace parley::stats
