// reporting_store: historical reporting's half of a store (store::reporting(); design in
// docs/reporting.md). The fact writer reads the event log after its watermark and writes,
// in one transaction, the facts those events make, what is still open (the writer's state),
// what those facts add to the 15-minute aggregates and the new watermark: after a kill -9 it
// resumes exactly where it committed. A rebuild marks intervals dirty and recomputes each
// from the facts alone with the same statements, so an incremental run and a rebuild give
// the same rows. Same rules as store.hpp: one thread at a time, every method throws
// storage_error.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace parley::storage {

/// The calendar's grain: 15 minutes, aligned on UTC (docs/reporting.md "The calendar").
constexpr std::int64_t interval_ms = 15 * 60 * 1000;

/// The interval `t_ms` falls in.
constexpr std::int64_t interval_of(std::int64_t t_ms) {
  return t_ms >= 0 ? t_ms / interval_ms * interval_ms : -((-t_ms + interval_ms - 1) / interval_ms) * interval_ms;
}

/// One wait in one queue ("enters" of docs/statistics.md). Written when it begins (open:
/// `why` empty, `left_ms` 0) and again when it ends; keyed by the seq of the event it began at.
struct queue_entry_fact {
  std::uint64_t entry_seq = 0;
  std::uint64_t iid = 0;
  std::string tenant;
  std::string queue;
  std::string media;
  std::int64_t entered_ms = 0;
  std::int64_t left_ms = 0;
  std::string why;           ///< distributed, abandoned, overflowed, cleared; "" while open
  std::string agent;         ///< distributed to
  std::int64_t sl_ms = 0;    ///< the queue's service-level threshold when it entered
  std::int64_t short_ms = 0; ///< reporting.short_abandon_s when it entered
  /// Not stored: this batch writes the wait first, so it counts as entered now (false: an
  /// earlier batch wrote it open and counted it).
  bool first_write = true;
};

/// One piece of an agent's state segment: the part of [seg_from_ms, seg_to_ms) inside one
/// 15-minute interval. A segment is a stretch with one state, reason and busy flag.
struct agent_state_fact {
  std::uint64_t end_seq = 0;  ///< the event that ended the segment
  std::string tenant;
  std::string agent;
  std::string group;
  std::string state;          ///< ready, not_ready, acw
  std::string reason;         ///< the not-ready reason code
  bool busy = false;          ///< handling at least one interaction
  std::int64_t seg_from_ms = 0;
  std::int64_t seg_to_ms = 0;
  std::int64_t interval_ms = 0;
  std::int64_t from_ms = 0;   ///< the piece
  std::int64_t to_ms = 0;
};

/// One agent handling one interaction, accept to leave.
struct handling_fact {
  std::uint64_t end_seq = 0;
  std::uint64_t iid = 0;
  std::string tenant;
  std::string agent;
  std::string group;
  std::string queue;          ///< the queue it was distributed from ("" = none)
  std::string media;
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::int64_t hold_ms = 0;
  bool transferred = false;   ///< it ended in a transfer this agent made
  bool conferenced = false;   ///< it began by this agent joining a conference
};

/// One offer of an interaction to an agent.
struct offer_fact {
  std::uint64_t end_seq = 0;
  std::uint64_t iid = 0;
  std::string tenant;
  std::string agent;
  std::string group;
  std::string queue;
  std::int64_t offered_ms = 0;
  std::int64_t ended_ms = 0;
  std::string result;         ///< accepted, rejected, timed_out, revoked
};

/// One interaction, written when it stops.
struct interaction_fact {
  std::uint64_t iid = 0;
  std::string tenant;
  std::string media;
  std::int64_t created_ms = 0;
  std::int64_t ended_ms = 0;
  std::string first_queue;
  std::string last_queue;
  std::string outcome;        ///< handled, transferred, abandoned, stopped
  std::int64_t wait_ms = 0;   ///< all its waits
  std::int64_t handle_ms = 0; ///< all its handlings (each agent's)
  std::int64_t hold_ms = 0;
  std::int64_t transfers = 0;
  std::int64_t conferences = 0;
  std::int64_t handlings = 0;
};

/// What the writer still holds open, as JSON it reads back itself; `body` empty: gone.
struct open_row {
  std::string kind;           ///< "i" interaction, "a" agent
  std::string key;
  std::string body;
};

/// What one fact-writer transaction writes.
struct fact_batch {
  std::vector<queue_entry_fact> entries;  ///< upserts by entry_seq
  std::vector<agent_state_fact> states;
  std::vector<handling_fact> handlings;
  std::vector<offer_fact> offers;
  std::vector<interaction_fact> interactions;
  std::vector<open_row> open;
  std::uint64_t watermark = 0;            ///< the last event folded in
  std::int64_t watermark_ms = 0;          ///< its engine time
  bool empty() const {
    return entries.empty() && states.empty() && handlings.empty() && offers.empty()
           && interactions.empty() && open.empty();
  }
};

/// A queue's 15-minute row (docs/reporting.md "Queue measures").
struct queue_agg {
  std::int64_t interval_ms = 0;
  std::string tenant, queue, media;
  std::int64_t entered = 0, distributed = 0, distributed_within = 0, distributed_of_entered = 0,
               abandoned = 0, abandoned_within = 0, short_abandoned = 0, overflowed = 0,
               cleared = 0, wait_distributed_ms = 0, wait_abandoned_ms = 0, max_wait_ms = 0,
               transferred = 0, conferenced = 0;
};

/// An agent's 15-minute row (docs/reporting.md "Agent measures").
struct agent_agg {
  std::int64_t interval_ms = 0;
  std::string tenant, agent, group;
  std::int64_t login_ms = 0, ready_ms = 0, not_ready_ms = 0, acw_ms = 0, busy_ms = 0,
               idle_ready_ms = 0, idle_acw_ms = 0, offered = 0, accepted = 0, rejected = 0,
               timed_out = 0, revoked = 0, accept_ms = 0, handled = 0, handle_ms = 0, hold_ms = 0,
               transferred = 0, conferenced = 0;
};

/// Not-ready time by reason, 15-minute rows.
struct reason_agg {
  std::int64_t interval_ms = 0;
  std::string tenant, agent, group, reason;
  std::int64_t ms = 0;
};

/// A campaign's 15-minute row (docs/reporting.md "Campaign measures"): an attempt counts in
/// the interval it was dialed, once it has its result row.
struct campaign_agg {
  std::int64_t interval_ms = 0;
  std::string campaign;
  std::int64_t dialed = 0, answered = 0, abandoned = 0, connected = 0, connected_in_2s = 0,
               connect_ms = 0, talk_ms = 0;
};

/// How many of a campaign's attempts had one result (`key`: the call_result's number), or
/// how many of its records were denied for one reason (`key`: the reason), in one interval.
struct campaign_count {
  std::int64_t interval_ms = 0;
  std::string campaign;
  std::string key;
  std::int64_t n = 0;
};

/// What a campaign's result rows that ended in a window prove (the figures of `campaign
/// audit`, from the same SQL).
struct campaign_window {
  std::string campaign;
  std::int64_t attempts = 0, answered = 0, abandoned = 0, connected = 0, connected_in_2s = 0;
};

/// Which rows a report reads: [from_ms, to_ms) by interval start, the tenants the caller
/// may see (empty: all), one object by name (empty: all).
struct agg_filter {
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::vector<std::string> tenants;
  std::string object;
};

/// The families retention deletes (docs/reporting.md "Retention").
enum class retention_family { events, vq_events, facts, outbound, aggregates };

/// What one retention run deletes: rows older than these times (0: none of that family).
struct retention_cut {
  std::int64_t events_ms = 0;      ///< events stored before this, in seq order, stopping at
                                   ///< the first newer one ...
  std::uint64_t events_seq = 0;    ///< ... and never past this seq (the fact writer's
                                   ///< watermark); the last event always stays (seqs go on from it)
  /// VQ events go by events_ms as well, never past this seq (the stream export's VQ
  /// watermark; the last VQ event always stays).
  std::uint64_t vq_seq = std::numeric_limits<std::uint64_t>::max();
  std::int64_t facts_ms = 0;       ///< facts that ended before this; the aggregates of the
                                   ///< intervals before it are final from then on
  std::int64_t outbound_ms = 0;    ///< attempt rows dialed and denials made before this
  std::int64_t aggregates_ms = 0;  ///< aggregate rows of the intervals before this
};

/// The aggregate tables, 15-minute rows each.
inline constexpr const char* aggregate_tables[] = {"agg_queue_15m",   "agg_agent_15m",
                                                   "agg_agent_reason_15m", "agg_campaign_15m",
                                                   "agg_campaign_result_15m", "agg_campaign_denial_15m"};

class reporting_store {
public:
  virtual ~reporting_store() = default;

  /// The last event the facts include, and its engine time (0, 0: none yet).
  virtual std::pair<std::uint64_t, std::int64_t> watermark() = 0;
  /// The first seq of every engine run, ascending (the writer ends what a run left open).
  virtual std::vector<std::uint64_t> runs() = 0;
  /// Records that a run begins at `first_seq` (again: nothing).
  virtual void add_run(std::uint64_t first_seq) = 0;
  /// What the writer held open at its last commit.
  virtual std::vector<open_row> open_rows() = 0;
  /// One transaction: facts, open state, what the facts add to the aggregates, watermark.
  virtual void write(const fact_batch& b) = 0;

  /// Intervals a rebuild marked dirty, oldest first, at most `limit`.
  virtual std::vector<std::int64_t> dirty(std::size_t limit) = 0;
  /// Recomputes the 15-minute rows of interval `start` from the facts and clears its mark,
  /// in one transaction (an interval before final_before() only loses its mark).
  virtual void aggregate(std::int64_t start) = 0;
  /// Marks every interval in [from_ms, to_ms) dirty (report rebuild); how many. Intervals
  /// before final_before() are left alone: their facts are gone.
  virtual std::size_t mark_dirty(std::int64_t from_ms, std::int64_t to_ms) = 0;

  /// Retention: deletes at most `limit` rows of one family older than its cut, in one
  /// transaction; how many (fewer than `limit`: that family is done). Deleting facts first
  /// makes the intervals before cut.facts_ms final (final_before) and drops their dirty
  /// marks, in the same transaction.
  virtual std::size_t purge(retention_family family, const retention_cut& cut, std::size_t limit) = 0;
  /// Intervals before this are final: retention took their facts, so aggregation and
  /// rebuild leave their rows as they are (0: none).
  virtual std::int64_t final_before() = 0;

  /// Adds the attempt result rows and denials stored since the last call (at most `limit` of
  /// each; they are append-only, written by one actor in id order) to the campaign
  /// aggregates and moves their watermarks, in one transaction. How many rows it read.
  virtual std::size_t fold_outbound(std::size_t limit) = 0;

  virtual std::vector<queue_agg> queue_aggs(const agg_filter& f) = 0;
  virtual std::vector<agent_agg> agent_aggs(const agg_filter& f) = 0;
  virtual std::vector<reason_agg> reason_aggs(const agg_filter& f) = 0;
  // Campaign reads: `object` is one campaign; `tenants` is not used (the attempt log has no
  // tenant: the caller keeps the campaigns of its tenants).
  virtual std::vector<campaign_agg> campaign_aggs(const agg_filter& f) = 0;
  virtual std::vector<campaign_count> campaign_results(const agg_filter& f) = 0;
  virtual std::vector<campaign_count> campaign_denials(const agg_filter& f) = 0;
  /// Per campaign, the result rows that ended in [from_ms, to_ms).
  virtual std::vector<campaign_window> campaign_windows(const agg_filter& f) = 0;
  // Fact reads for detail reports and tests, at most `limit` rows each.
  /// State pieces of intervals in the range, by agent and time.
  virtual std::vector<agent_state_fact> agent_states(const agg_filter& f, std::size_t limit) = 0;
  /// Waits that ended in the range, and open ones that began in it (`object` = queue), by
  /// end time (open ones first).
  virtual std::vector<queue_entry_fact> queue_entries(const agg_filter& f, std::size_t limit) = 0;
  /// Interactions created in the range (`object` = first queue), by creation time.
  virtual std::vector<interaction_fact> interactions(const agg_filter& f, std::size_t limit) = 0;
};

} // namespace parley::storage
