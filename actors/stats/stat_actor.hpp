// stat_actor: one open statistic — its calculator (metric + interval), its notification
// mode and its subscriber (the connection actor of the client that opened it).
//
// Spawned by the stats hub on OpenStat; stopped by the connection (CloseStat, or every
// statistic of a connection that closes) or when the connection dies (it monitors it).
// Notifications go to the connection as (notify_atom, stat_id, frame, latest_wins); the
// connection batches them and, while its client does not keep up, holds at most one per
// statistic, a newer value replacing the held one (latest wins, counted as coalesced).
//
// Messages (untyped):
//   (facts_atom, fact_list)          from the hub: the facts of its object; no answer
//   (peek_atom, uint64 ref, bool opened)  from the connection -> frame (StatOpened when
//                                    `opened`, else StatInfo answering `ref`)
//   (caf::reset_atom)                from the connection (ResetStat) -> ok
//   (period_atom, uint64 gen), (sreset_atom, uint64 gen)  its own timers
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>

#include "actors/runtime/domain.hpp"
#include "actors/stats/reset_schedule.hpp"
#include "actors/stats/stat_types.hpp"

namespace parley::stats {

struct stat_setup {
  stat_spec spec;
  std::uint64_t stat_id = 0;
  caf::actor client;  ///< the connection actor: (notify_atom, stat_id, frame, latest_wins)
  object_snapshot snapshot;
  std::shared_ptr<const clock> clk;
  std::shared_ptr<const reset_schedule> schedule;
  std::shared_ptr<domain_metrics> metrics;
  caf::actor redis;  ///< the Redis publisher, or null
};

caf::actor spawn_stat(caf::actor_system& sys, stat_setup setup);

} // namespace parley::stats
