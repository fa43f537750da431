// history: historical reporting's writer (docs/reporting.md). One detached actor with its
// own store connection that, every reporting.poll_ms:
//   1. reads the event log after its watermark (reporting.batch_events at a time) and folds
//      the events into facts (actors/reporting/fact_builder.hpp), writing facts, open state,
//      what the facts add to the 15-minute aggregates and the new watermark in one
//      transaction; new attempt results and denials are added to the campaign aggregates
//      likewise;
//   2. recomputes the intervals `report rebuild` marked dirty, oldest first, from the facts.
// Both steps are bounded per pass so `report rebuild` and status questions are answered
// between passes, which follow each other at once while work is left and every
// reporting.poll_ms otherwise. It starts by recording the run's first seq (what the last run
// left open ends there) and stops with the engine. A failed pass is logged, counted and tried
// again at the next tick on a new connection; nothing is lost (the watermark did not move).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/runtime/clock.hpp"
#include "actors/runtime/domain_config.hpp"
#include "actors/runtime/types.hpp"
#include "engine/counters.hpp"
#include "storage/store.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(parley_history, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_history, parley, rebuild_atom, "rebuild")
CAF_END_TYPE_ID_BLOCK(parley_history)

namespace parley::engine {

/// Where historical reporting stands.
struct history_status {
  std::uint64_t watermark = 0;    ///< the last event in the facts
  std::int64_t watermark_ms = 0;  ///< its engine time
  std::uint64_t dirty = 0;        ///< intervals a rebuild left to recompute (at most 10,000 counted)
  std::int64_t lag_ms = 0;        ///< domain time since the aggregates last had everything
  std::uint64_t facts = 0;        ///< facts written by this run
  std::int64_t final_before_ms = 0;  ///< retention took the facts before this (0: none)
  std::string error;              ///< the last pass's failure ("" when it worked)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, history_status& x) {
  return f(caf::meta::type_name("history_status"), x.watermark, x.watermark_ms, x.dirty, x.lag_ms, x.facts,
           x.final_before_ms, x.error);
}

using history_actor = caf::typed_actor<
  // Its own timer: one pass.
  caf::reacts_to<caf::tick_atom>,
  caf::replies_to<caf::get_atom>::with<history_status>,
  // report rebuild: marks [from_ms, to_ms) dirty; answers how many intervals.
  caf::replies_to<rebuild_atom, std::int64_t, std::int64_t>::with<std::uint64_t>>;

struct history_setup {
  storage::config store;
  std::shared_ptr<const domain_config> domain;
  std::shared_ptr<const clock> clk;
  std::chrono::milliseconds poll{1'000};
  std::uint32_t batch_events = 5'000;
  std::int64_t short_abandon_ms = 5'000;
  std::uint64_t first_seq = 1;  ///< the first seq this run gives out
  counters* stats = nullptr;    ///< the engine's; outlives the actor
};

history_actor spawn_history(caf::actor_system& sys, history_setup setup);

} // namespace parley::engine
