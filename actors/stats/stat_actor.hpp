// stat_actor: one calculation — a metric over an interval on one object — and the open
// statistics that share it. Statistics with the same object, metric, interval, window,
// range, filter and notification mode share one calculation (docs/statistics.md,
// "Shared calculations"): a thousand wallboards on one queue cost one calculation and one
// message from the hub per reporting event, plus one notification each.
//
// Spawned by the stats hub on the first OpenStat of its kind; the hub adds and removes the
// statistics (join/leave, keyed by connection and stat id) and stops it when the last one
// leaves or the hub ends. Notifications go to each statistic's connection as (notify_atom,
// stat_id, frame, latest_wins); the connection batches them and, while its client does not
// keep up, holds at most one per statistic, a newer value replacing the held one (latest
// wins, counted as coalesced).
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
  // From the hub: a statistic joins (OpenStat; a reset statistic that got a calculation of
  // its own comes `opened`, and is sent the value at once). (client, stat_id, opened)
  caf::reacts_to<caf::join_atom, stat_client_actor, std::uint64_t, bool>,
  // From the hub: a statistic leaves (CloseStat, its connection ended, or a reset that
  // moves it to a calculation of its own: `reset` sends a reset_based statistic the value
  // of the interval that ends). (client id, stat_id, reset)
  caf::reacts_to<caf::leave_atom, caf::actor_id, std::uint64_t, bool>,
  // From the connection: StatOpened (`opened`) or StatInfo answering `ref`; unknown_id
  // for a statistic not (or no longer) here. (ref, client id, stat_id, opened)
  caf::replies_to<peek_atom, std::uint64_t, caf::actor_id, std::uint64_t, bool>::with<frame>,
  // From the hub (ResetStat of its only statistic): restart the interval now.
  caf::replies_to<caf::reset_atom>::with<caf::ok_atom>,
  // Its own timers, each with the generation it was armed in: a periodic notification,
  // the scheduled reset.
  caf::reacts_to<period_atom, std::uint64_t>, caf::reacts_to<sreset_atom, std::uint64_t>>;

/// What a calculation starts from; the statistics on it join afterwards.
struct stat_setup {
  stat_spec spec;
  object_snapshot snapshot;
  std::shared_ptr<const clock> clk;
  std::shared_ptr<const reset_schedule> schedule;
  std::shared_ptr<domain_metrics> metrics;
  redis_publisher_actor redis;  ///< null: no Redis
};

stat_actor spawn_stat(caf::actor_system& sys, stat_setup setup);

} // namespace parley::stats

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::stats::shared_facts)
