#include "engine/history.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/reporting/fact_builder.hpp"

namespace parley::engine {

namespace {

/// A pass stops taking more events or intervals after this much real time, so questions
/// and rebuilds wait at most about this long.
constexpr auto pass_budget = std::chrono::milliseconds{500};
/// Intervals recomputed per query of the dirty set.
constexpr std::size_t dirty_page = 200;

struct history_state {
  history_setup setup;
  std::unique_ptr<storage::store> store;
  std::unique_ptr<reporting::fact_builder> builder;
  std::vector<std::uint64_t> runs;  ///< first seqs of engine runs, ascending
  std::uint64_t watermark = 0;
  std::int64_t watermark_ms = 0;
  std::int64_t caught_up_ms = 0;    ///< domain time the aggregates last had everything
  history_status status;
  static inline const char* name = "history";
};

using history_self = history_actor::stateful_pointer<history_state>;

/// Opens the store and takes back the builder's state (after a failure: from scratch).
void open(history_state& st) {
  st.store = storage::open_store(st.setup.store);
  auto& rep = st.store->reporting();
  rep.add_run(st.setup.first_seq);
  st.runs = rep.runs();
  std::tie(st.watermark, st.watermark_ms) = rep.watermark();
  st.builder = std::make_unique<reporting::fact_builder>(st.setup.domain, st.setup.short_abandon_ms);
  st.builder->restore(rep.open_rows());
}

/// Folds events into facts, one transaction per batch, until none are left or the budget
/// is spent; true when it read everything there was.
bool write_facts(history_state& st, std::chrono::steady_clock::time_point until) {
  auto& rep = st.store->reporting();
  while (std::chrono::steady_clock::now() < until) {
    auto events = st.store->events(st.watermark + 1, st.setup.batch_events);
    if (events.empty())
      return true;
    storage::fact_batch batch;
    for (auto& e : events) {
      if (e.seq != 1 && std::binary_search(st.runs.begin(), st.runs.end(), e.seq))
        st.builder->end_run(e.seq, batch);
      st.builder->apply(e, batch);
    }
    st.builder->finish(batch);
    rep.write(batch);
    st.watermark = batch.watermark;
    st.watermark_ms = batch.watermark_ms;
    auto facts = batch.entries.size() + batch.states.size() + batch.handlings.size() + batch.offers.size()
                 + batch.interactions.size();
    st.status.facts += facts;
    if (auto* c = st.setup.stats) {
      c->reporting_facts.fetch_add(facts, std::memory_order_relaxed);
      c->reporting_watermark.store(st.watermark, std::memory_order_relaxed);
    }
    if (events.size() < st.setup.batch_events)
      return true;
  }
  return false;
}

/// Adds new attempt results and denials to the campaign aggregates until none are left or
/// the budget is spent; true when it read them all.
bool follow_outbound(history_state& st, std::chrono::steady_clock::time_point until) {
  auto& rep = st.store->reporting();
  while (std::chrono::steady_clock::now() < until)
    if (rep.fold_outbound(st.setup.batch_events) < st.setup.batch_events)
      return true;
  return false;
}

/// Recomputes the intervals a rebuild marked dirty until none are left or the budget is
/// spent; true when none are left.
bool aggregate(history_state& st, std::chrono::steady_clock::time_point until) {
  auto& rep = st.store->reporting();
  while (std::chrono::steady_clock::now() < until) {
    auto dirty = rep.dirty(dirty_page);
    if (dirty.empty())
      return true;
    for (auto start : dirty) {
      rep.aggregate(start);
      if (std::chrono::steady_clock::now() >= until)
        return false;
    }
  }
  return false;
}

/// One pass; true when the next one should wait reporting.poll_ms (false: at once).
bool pass(history_self self) {
  auto& st = self->state;
  auto now = st.setup.clk->now_ms();
  bool caught_up = false;
  try {
    if (!st.store)
      open(st);
    auto until = std::chrono::steady_clock::now() + pass_budget;
    bool facts_done = write_facts(st, until) && follow_outbound(st, until);
    // Rebuilds get their own budget: a long backlog of events must not starve them.
    bool aggregates_done = aggregate(st, std::chrono::steady_clock::now() + pass_budget);
    caught_up = facts_done && aggregates_done;
    if (caught_up)
      st.caught_up_ms = now;
    st.status.error.clear();
  } catch (const std::exception& e) {
    st.store.reset();  // a new connection, and the builder's state again, at the next tick
    st.builder.reset();
    st.status.error = e.what();
    if (auto* c = st.setup.stats)
      c->reporting_errors.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("history: {} (trying again in {} ms)", e.what(), st.setup.poll.count());
  }
  if (st.caught_up_ms == 0)
    st.caught_up_ms = now;
  st.status.lag_ms = std::max<std::int64_t>(0, now - st.caught_up_ms);
  if (auto* c = st.setup.stats)
    c->reporting_lag_ms.store(st.status.lag_ms, std::memory_order_relaxed);
  return caught_up || !st.status.error.empty();
}

history_actor::behavior_type history(history_self self, history_setup setup) {
  self->state.setup = std::move(setup);
  self->send(self, caf::tick_atom_v);
  return {
    [=](caf::tick_atom) {
      // Work left: the next pass at once (a message, so questions and rebuilds still come
      // between passes); otherwise after poll_ms.
      if (pass(self))
        self->delayed_send(self, self->state.setup.poll, caf::tick_atom_v);
      else
        self->send(self, caf::tick_atom_v);
    },
    [=](caf::get_atom) -> caf::result<history_status> {
      auto& st = self->state;
      auto out = st.status;
      out.watermark = st.watermark;
      out.watermark_ms = st.watermark_ms;
      try {
        if (st.store) {
          out.dirty = st.store->reporting().dirty(10'000).size();
          out.final_before_ms = st.store->reporting().final_before();
        }
      } catch (const std::exception& e) {
        out.error = e.what();
      }
      return out;
    },
    [=](rebuild_atom, std::int64_t from_ms, std::int64_t to_ms) -> caf::result<std::uint64_t> {
      auto& st = self->state;
      try {
        if (!st.store)
          open(st);
        return static_cast<std::uint64_t>(st.store->reporting().mark_dirty(from_ms, to_ms));
      } catch (const std::exception& e) {
        st.store.reset();
        st.builder.reset();
        return caf::make_error(wire::ErrorCode::storage_unavailable, std::string{"report rebuild: "} + e.what());
      }
    },
  };
}

} // namespace

history_actor spawn_history(caf::actor_system& sys, history_setup setup) {
  return sys.spawn<caf::detached>(history, std::move(setup));
}

} // namespace parley::engine
