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
// Messages: redis_publisher_actor below.
#pragma once

#include <memory>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/runtime/domain_config.hpp"
#include "actors/runtime/metrics.hpp"
#include "actors/runtime/types.hpp"

// The redis publisher family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_redis_publisher, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_redis_publisher, parley, publish_atom, "publish")
  CAF_ADD_ATOM(parley_redis_publisher, parley, nflush_atom, "nflush")
CAF_END_TYPE_ID_BLOCK(parley_redis_publisher)

namespace parley::stats {

using redis_publisher_actor = caf::typed_actor<
  // From a stat actor: the latest value of one field of one object's hash; no answer.
  // (key, field, value)
  caf::reacts_to<publish_atom, std::string, std::string, double>,
  // Its own timer: write what is pending in one pipeline.
  caf::reacts_to<nflush_atom>>;

redis_publisher_actor spawn_redis_publisher(caf::actor_system& sys, const stats_config& cfg,
                                 std::shared_ptr<domain_metrics> metrics);

} // namespace parley::stats
