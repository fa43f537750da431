// stat_types: the values that flow through the statistics engine.
//
// The tracker turns each reporting event into `stat_fact`s for the objects it concerns
// (a queue, its tenant; an agent, its group, its tenant); each open statistic folds the
// facts of its object into one metric (calculator.hpp). A statistic opened mid-day starts
// from an `object_snapshot` of what is true now (who waits, which agents are in which
// state). Plain structs with CAF 0.17 inspect functions: they travel between actors.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "actors/stats/catalogue.hpp"
#include "protocol/wire.hpp"

namespace parley::stats {

/// What a client asked for in OpenStat, validated against the catalogue.
struct stat_spec {
  wire::StatObjectType object_type = wire::StatObjectType::queue;
  std::string object_id;
  metric m = metric::current_in_queue;
  wire::StatInterval interval = wire::StatInterval::growing;
  std::uint32_t window_s = 0;
  std::uint32_t range_from_s = 0;
  std::uint32_t range_to_s = 0;  ///< 0: unbounded
  std::string filter;
  wire::StatNotify notify = wire::StatNotify::on_change;
  double threshold = 0;
  std::uint32_t period_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stat_spec& x) {
  return f(caf::meta::type_name("stat_spec"), x.object_type, x.object_id, x.m, x.interval,
           x.window_s, x.range_from_s, x.range_to_s, x.filter, x.notify, x.threshold, x.period_ms);
}

/// One agent as the statistics see it.
struct agent_status {
  wire::AgentState state = wire::AgentState::logged_out;
  std::string reason;
  std::uint32_t handling = 0;  ///< interactions it handles now (accepted, not yet gone)
  std::int64_t since_ms = 0;   ///< when `state` (or the reason) last changed
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_status& x) {
  return f(caf::meta::type_name("agent_status"), x.state, x.reason, x.handling, x.since_ms);
}

enum class fact_kind : std::uint8_t {
  wait_begin,    ///< iid started waiting in a queue (start_ms = now)
  wait_end,      ///< iid stopped waiting: `out` says how; start_ms = when it began
  agent_change,  ///< an agent's state, reason or handling count changed (before -> after)
  handled,       ///< an agent finished handling iid; start_ms = when it accepted
  dial,          ///< an outbound call attempt ended with result `detail` (outbound issue)
};

enum class wait_outcome : std::uint8_t { distributed, abandoned, cleared };

struct stat_fact {
  fact_kind kind = fact_kind::wait_begin;
  std::int64_t t_ms = 0;  ///< engine time of the reporting event
  std::uint64_t seq = 0;  ///< its reporting sequence number
  std::uint64_t iid = 0;
  std::int64_t start_ms = 0;
  wait_outcome out = wait_outcome::distributed;
  std::string agent;
  agent_status before;
  agent_status after;
  std::string detail;

  std::int64_t duration_ms() const { return t_ms - start_ms; }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stat_fact& x) {
  return f(caf::meta::type_name("stat_fact"), x.kind, x.t_ms, x.seq, x.iid, x.start_ms, x.out,
           x.agent, x.before, x.after, x.detail);
}

using fact_list = std::vector<stat_fact>;

/// What is true now about an object, for a statistic that opens.
struct object_snapshot {
  std::vector<std::pair<std::uint64_t, std::int64_t>> waiting;  ///< (iid, since ms)
  std::map<std::string, agent_status> agents;                   ///< logged-in agents
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, object_snapshot& x) {
  return f(caf::meta::type_name("object_snapshot"), x.waiting, x.agents);
}

/// A statistic's value at one moment.
struct stat_value {
  double value = 0;
  std::string text;
  bool valid = true;
};

/// The key of an object in the tracker and the hub: "q:sales", "a:ann", ...
std::string object_key(wire::StatObjectType type, const std::string& id);

} // namespace parley::stats
