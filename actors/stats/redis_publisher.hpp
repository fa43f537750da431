// redis_publisher: optional publication of statistic values to Redis for dashboards — one
// hash per object (`<prefix><key>`, e.g. parley:stats:q:sales), one field per open metric
// and interval (e.g. `service_level:growing`), the latest value.
//
// Spawned by the stats hub when stats.redis_port is set; stopped with it. A detached actor
// (its own thread: hiredis calls block), so it never slows the statistics down. Values are
// coalesced in memory (latest wins) and written every stats.redis_flush_ms in one pipeline.
// Redis down: the error is logged (once per outage) and counted, the batch is kept (still
// latest-wins, so bounded by the number of fields), and the next flush reconnects.
//
// Messages: (publish_atom, std::string key, std::string field, double value); its own
// (nflush_atom) timer.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/runtime/domain_config.hpp"
#include "actors/runtime/metrics.hpp"

namespace parley::stats {

caf::actor spawn_redis_publisher(caf::actor_system& sys, const stats_config& cfg,
                                 std::shared_ptr<domain_metrics> metrics);

} // namespace parley::stats
