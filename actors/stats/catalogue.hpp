// catalogue: the metrics a client may open, by name, with the objects each applies to and
// the parameters each needs. docs/statistics.md is its human form and defines every
// metric exactly; validate() is the one place an OpenStat is checked.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/wire.hpp"

namespace parley::stats {

enum class metric : std::uint8_t {
  // -- queue (tenant: over its queues) --
  current_in_queue,
  longest_waiting,
  entered,
  distributed,
  abandoned,
  abandoned_within,
  distributed_within,
  service_level,
  average_speed_of_answer,
  max_wait,
  // -- agent (agent group and tenant: over their agents) --
  agent_state,
  time_in_state,
  ready_time,
  not_ready_time,
  acw_time,
  busy_time,
  handled,
  average_handle_time,
  occupancy,
  agents_logged_in,
  agents_ready,
  agents_not_ready,
  agents_acw,
  agents_busy,
  // -- campaign (values stay 0 until outbound reports dial results) --
  dial_attempts,
  dial_answers,
  abandon_rate,
  dial_results,
};

/// How a metric's value is made (calculator.cpp switches on it).
enum class metric_kind : std::uint8_t {
  gauge,     ///< what is true now; the interval does not apply
  counter,   ///< events in the interval
  ratio,     ///< a ratio of counters or time integrals in the interval
  integral,  ///< seconds spent in a condition within the interval
};

struct metric_info {
  metric m;
  const char* name;
  metric_kind kind;
  bool queue_side;  ///< about queues (queue, tenant) rather than agents (agent, group, tenant)
  bool agent_only;  ///< only on a single agent
  bool campaign;    ///< only on campaigns
  bool ranged;      ///< uses [range_from_s, range_to_s)
};

/// Every metric, in enum order.
const metric_info& info(metric m);

/// The metric called `name`, or false.
bool metric_by_name(std::string_view name, metric& out);

/// Whether a metric may be opened on an object type.
bool applies_to(metric m, wire::StatObjectType t);

struct stat_spec;

/// "" when the spec is acceptable, else why not (answered as invalid_argument).
std::string validate(const stat_spec& s);

} // namespace parley::stats
