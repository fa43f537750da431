// fact_builder: turns the stored event log into historical facts (docs/reporting.md).
//
// The waits, handlings and agent states come from the statistics tracker
// (actors/stats/tracker.hpp) — the same rules, the same code as the real-time statistics,
// so a day's aggregates equal the day's statistics. The builder adds what the statistics do
// not follow: offers and their results, hold time, each interaction's totals, and agent
// state segments cut at 15-minute boundaries. Everything still open (the tracker's state
// and the builder's) is kept as JSON per interaction and per agent, written with the facts
// in one transaction, so a restart resumes exactly where the last commit stopped.
// Plain C++: no CAF, no I/O; the reporting actor drives it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/runtime/domain_config.hpp"
#include "actors/stats/tracker.hpp"
#include "storage/reporting_store.hpp"
#include "storage/rows.hpp"

namespace parley::reporting {

class fact_builder {
public:
  /// `short_abandon_ms`: an abandon this quick counts as short (reporting.short_abandon_s).
  fact_builder(std::shared_ptr<const domain_config> cfg, std::int64_t short_abandon_ms);

  /// Takes back what was open at the last commit (store::reporting().open_rows()).
  void restore(const std::vector<storage::open_row>& rows);

  /// Folds one stored event in; its facts go to `out`. `out.watermark` moves to it.
  void apply(const storage::event_row& e, storage::fact_batch& out);

  /// The engine run that held what is open ended (it stopped or died; its successor's
  /// first event is `seq`): every logged-in agent is logged out at the last event's time,
  /// ending its handlings and offers. Waiting interactions stay open: recovery re-queues
  /// them.
  void end_run(std::uint64_t seq, storage::fact_batch& out);

  /// Adds the open state of everything `out` touched to `out.open` (call once, before it
  /// is written).
  void finish(storage::fact_batch& out);

  std::size_t open_interactions() const { return iids_.size(); }
  std::size_t open_agents() const { return agents_.size(); }

private:
  struct offer {
    std::int64_t at = 0;
    std::string queue;
  };
  /// What the builder follows of one interaction, beyond the tracker.
  struct iid_extra {
    std::string tenant, media;
    std::int64_t created_ms = 0;
    std::string first_queue, last_queue;
    std::uint64_t entry_seq = 0;    ///< the open wait's key (0: not waiting)
    std::int64_t entered_ms = 0;
    std::string entry_queue;
    std::int64_t sl_ms = 0, short_ms = 0;
    std::int64_t wait_ms = 0, handle_ms = 0, hold_ms = 0;
    std::int64_t transfers = 0, conferences = 0, handlings = 0;
    bool accepted = false, abandoned = false;
    std::map<std::string, offer> offers;             ///< agent -> open offer
    std::map<std::string, std::int64_t> hold_since;  ///< agent -> on hold since
    std::map<std::string, std::int64_t> held_ms;     ///< agent -> hold so far this handling
    std::set<std::string> joined;                    ///< agents handling it since a conference
  };
  /// The agent's current segment (state, reason, busy) and since when.
  struct agent_extra {
    std::int64_t seg_from = 0;
    wire::AgentState state = wire::AgentState::logged_out;
    std::string reason;
    bool busy = false;
  };

  void on_fact(const std::string& key, const stats::stat_fact& f, const storage::event_row& e,
               storage::fact_batch& out);
  void end_offer(std::uint64_t iid, iid_extra& x, const std::string& agent, const std::string& result,
                 std::uint64_t seq, std::int64_t t, storage::fact_batch& out);
  void segment(const std::string& agent, const stats::agent_status& after, std::uint64_t seq,
               std::int64_t t, storage::fact_batch& out);
  std::string group_of(const std::string& agent) const;
  std::string tenant_of_queue(const std::string& queue, const std::string& fallback) const;

  std::shared_ptr<const domain_config> cfg_;
  std::int64_t short_abandon_ms_;
  stats::tracker tracker_;
  std::unordered_map<std::uint64_t, iid_extra> iids_;
  std::unordered_map<std::string, agent_extra> agents_;
  std::map<std::string, std::string> agent_tenant_;  ///< for facts of agents the tracker dropped
  std::int64_t last_ms_ = 0;  ///< the engine time of the last event folded in
  /// While a transfer event is applied: the handler it is credited to — the agent it names
  /// when that one handles it (a transfer to a queue names who made it), else the first
  /// handler (a transfer to an agent names the target).
  std::string transfer_by_;
  // Touched since the last finish(): their open state is written with the batch.
  std::set<std::uint64_t> touched_iids_;
  std::set<std::string> touched_agents_;
  std::map<std::uint64_t, std::size_t> entry_index_;  ///< entry_seq -> its row in the batch
  // Which open rows the store holds: what began and ended between two commits never needs
  // a row (a short lifecycle costs no open-state writes at all).
  std::set<std::uint64_t> stored_iids_;
  std::set<std::string> stored_agents_;
};

} // namespace parley::reporting
