// stat_actor: one open statistic — its calculator (metric + interval), its notification
// mode and its subscriber (the connection actor of the client that opened it).
//
// Spawned by the stats hub on OpenStat; stopped by the connection (CloseStat, or every
// statistic of a connection that closes) or when the connection dies (it monitors it).
// Notifications go to the connection as (notify_atom, stat_id, frame, latest_wins); the
// connection batches them and, while its client does not keep up, holds at most one per
// statistic, a newer value replacing the held one (latest wins, counted as coalesced).
//
// Messages: stat_actor below.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/runtime/clock.hpp"
#include "actors/runtime/metrics.hpp"
#include "actors/stats/redis_publisher.hpp"
#include "actors/stats/reset_schedule.hpp"
#include "actors/stats/stat_types.hpp"

// The stat family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_stat, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_stat, parley, facts_atom, "facts")
  CAF_ADD_ATOM(parley_stat, parley, peek_atom, "peek")
  CAF_ADD_ATOM(parley_stat, parley, notify_atom, "notify")
  CAF_ADD_ATOM(parley_stat, parley, period_atom, "period")
  CAF_ADD_ATOM(parley_stat, parley, sreset_atom, "sreset")
CAF_END_TYPE_ID_BLOCK(parley_stat)

namespace parley::stats {

/// The facts of one reporting event for one object, shared by every statistic open on it.
using shared_facts = std::shared_ptr<const fact_list>;

/// The subscriber of a statistic as the stat actor sees it: the connection actor
/// (engine/connection_actor.hpp implements more).
using stat_client_actor = caf::typed_actor<
  // An event of statistic `stat_id` (StatValue, StatValid, StatInvalid). `latest_wins`:
  // a notification a newer one may replace while the client does not keep up.
  // (stat_id, frame, latest_wins)
  caf::reacts_to<notify_atom, std::uint64_t, frame, bool>>;

using stat_actor = caf::typed_actor<
  // From the hub: the facts of its object; no answer.
  caf::reacts_to<facts_atom, shared_facts>,
  // From the connection: StatOpened (`opened`) or StatInfo answering `ref`. (ref, opened)
  caf::replies_to<peek_atom, std::uint64_t, bool>::with<frame>,
  // From the connection (ResetStat): restart the interval now.
  caf::replies_to<caf::reset_atom>::with<caf::ok_atom>,
  // Its own timers, each with the generation it was armed in: a periodic notification,
  // the scheduled reset.
  caf::reacts_to<period_atom, std::uint64_t>, caf::reacts_to<sreset_atom, std::uint64_t>>;

struct stat_setup {
  stat_spec spec;
  std::uint64_t stat_id = 0;
  stat_client_actor client;
  object_snapshot snapshot;
  std::shared_ptr<const clock> clk;
  std::shared_ptr<const reset_schedule> schedule;
  std::shared_ptr<domain_metrics> metrics;
  redis_publisher_actor redis;  ///< null: no Redis
};

stat_actor spawn_stat(caf::actor_system& sys, stat_setup setup);

} // namespace parley::stats

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::stats::shared_facts)
