// tracker: turns the reporting stream into statistics facts, per object.
//
// It follows every interaction (which queue it waits in and since when, which agents
// handle it and since when) and every logged-in agent (state, reason, how many
// interactions it handles), and says for each reporting event what happened to which
// objects: a wait began or ended (distributed, abandoned, cleared), an agent changed, an
// agent finished handling an interaction. Queue facts go to the queue and its tenant,
// agent facts to the agent, its group and its tenant. docs/statistics.md defines the rules
// written here (what counts as entered, distributed, abandoned, handled). Plain C++, owned
// by the stats hub; unit tested with scripted reports.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/domain_config.hpp"
#include "actors/stats/stat_types.hpp"

namespace parley::stats {

class tracker {
public:
  /// Receives each fact with the key of the object it concerns.
  using sink = std::function<void(const std::string& key, const stat_fact& f)>;

  explicit tracker(std::shared_ptr<const domain_config> cfg);

  /// Folds in reporting event `seq`, ordered by the bus at engine time `engine_ms`.
  void apply(const report& r, std::uint64_t seq, std::int64_t engine_ms, const sink& out);

  /// An outbound call attempt of `campaign` ended with `result` (answer, busy, no_answer,
  /// answering_machine, fax, sit, dropped). The outbound side reports these when it lands.
  void dial(const std::string& tenant, const std::string& campaign, const std::string& result,
            std::uint64_t seq, std::int64_t engine_ms, const sink& out);

  /// What is true now about the object with this key.
  object_snapshot snapshot(const std::string& key) const;

  /// Whether an object exists (configured queue, group or tenant; an agent some group
  /// admits; any campaign name).
  bool knows(wire::StatObjectType type, const std::string& id) const;

  std::size_t interactions() const { return iids_.size(); }

  /// What the tracker follows of one interaction.
  struct iid_state {
    std::string wait_queue;  // the queue it waits in ("" when not waiting)
    std::int64_t wait_start = 0;
    std::map<std::string, std::int64_t> handling;  // agent -> accepted at
  };
  /// What the tracker follows of one logged-in agent.
  struct agent_row {
    agent_status st;
    std::string tenant;
    std::string group;
  };

  // The historical fact writer (actors/reporting/fact_builder.hpp) stores what the tracker
  // follows with its facts and gives it back after a restart.
  const iid_state* interaction(std::uint64_t iid) const;
  const agent_row* agent(const std::string& id) const;
  void restore(std::uint64_t iid, iid_state st);
  void restore(const std::string& agent, agent_row row) { agents_[agent] = std::move(row); }
  /// The agents logged in now.
  std::vector<std::string> agent_ids() const;

private:

  void agent_event(const report& r, std::uint64_t seq, std::int64_t t, const sink& out);
  void emit_agent(const std::string& agent, const agent_row& row, const stat_fact& f,
                  const sink& out) const;
  void emit_queue(const std::string& queue, const stat_fact& f, const sink& out) const;
  void change_handling(const std::string& agent, int delta, std::uint64_t seq, std::int64_t t,
                       const sink& out);
  void end_handling(std::uint64_t iid, iid_state& st, const std::string& agent, std::uint64_t seq,
                    std::int64_t t, const sink& out);
  void end_wait(std::uint64_t iid, iid_state& st, wait_outcome how, std::uint64_t seq,
                std::int64_t t, const sink& out);
  std::string tenant_of_queue(const std::string& queue) const;

  std::shared_ptr<const domain_config> cfg_;
  std::unordered_map<std::uint64_t, iid_state> iids_;
  std::unordered_map<std::string, agent_row> agents_;
  /// agent -> the interactions it handles (iid_state::handling the other way round): a
  /// logout ends its handlings without a scan of every interaction.
  std::unordered_map<std::string, std::set<std::uint64_t>> handled_by_;
};

} // namespace parley::stats
