#include "actors/stats/catalogue.hpp"

#include <array>

#include "actors/stats/stat_types.hpp"

namespace parley::stats {

namespace {

using K = metric_kind;

// name, kind, queue side, agent only, campaign, ranged
constexpr std::array<metric_info, 28> table{{
  {metric::current_in_queue, "current_in_queue", K::gauge, true, false, false, false},
  {metric::longest_waiting, "longest_waiting", K::gauge, true, false, false, false},
  {metric::entered, "entered", K::counter, true, false, false, false},
  {metric::distributed, "distributed", K::counter, true, false, false, false},
  {metric::abandoned, "abandoned", K::counter, true, false, false, false},
  {metric::abandoned_within, "abandoned_within", K::counter, true, false, false, true},
  {metric::distributed_within, "distributed_within", K::counter, true, false, false, true},
  {metric::service_level, "service_level", K::ratio, true, false, false, true},
  {metric::average_speed_of_answer, "average_speed_of_answer", K::ratio, true, false, false, false},
  {metric::max_wait, "max_wait", K::counter, true, false, false, false},
  {metric::agent_state, "agent_state", K::gauge, false, true, false, false},
  {metric::time_in_state, "time_in_state", K::gauge, false, true, false, false},
  {metric::ready_time, "ready_time", K::integral, false, false, false, false},
  {metric::not_ready_time, "not_ready_time", K::integral, false, false, false, false},
  {metric::acw_time, "acw_time", K::integral, false, false, false, false},
  {metric::busy_time, "busy_time", K::integral, false, false, false, false},
  {metric::handled, "handled", K::counter, false, false, false, false},
  {metric::average_handle_time, "average_handle_time", K::ratio, false, false, false, false},
  {metric::occupancy, "occupancy", K::ratio, false, false, false, false},
  {metric::agents_logged_in, "agents_logged_in", K::gauge, false, false, false, false},
  {metric::agents_ready, "agents_ready", K::gauge, false, false, false, false},
  {metric::agents_not_ready, "agents_not_ready", K::gauge, false, false, false, false},
  {metric::agents_acw, "agents_acw", K::gauge, false, false, false, false},
  {metric::agents_busy, "agents_busy", K::gauge, false, false, false, false},
  {metric::dial_attempts, "dial_attempts", K::counter, false, false, true, false},
  {metric::dial_answers, "dial_answers", K::counter, false, false, true, false},
  {metric::abandon_rate, "abandon_rate", K::ratio, false, false, true, false},
  {metric::dial_results, "dial_results", K::counter, false, false, true, false},
}};

} // namespace

const metric_info& info(metric m) {
  return table[static_cast<std::size_t>(m)];
}

bool metric_by_name(std::string_view name, metric& out) {
  for (auto& i : table)
    if (name == i.name) {
      out = i.m;
      return true;
    }
  return false;
}

bool applies_to(metric m, wire::StatObjectType t) {
  auto& i = info(m);
  using T = wire::StatObjectType;
  if (i.campaign)
    return t == T::campaign;
  if (i.agent_only)
    return t == T::agent;
  if (i.queue_side)
    return t == T::queue || t == T::tenant;
  return t == T::agent || t == T::agent_group || t == T::tenant;
}

std::string validate(const stat_spec& s) {
  auto& i = info(s.m);
  if (s.object_type > wire::StatObjectType::MAX)
    return "unknown object type";
  if (s.object_id.empty())
    return "object_id must not be empty";
  if (!applies_to(s.m, s.object_type))
    return std::string{"metric "} + i.name + " does not apply to "
           + wire::EnumNameStatObjectType(s.object_type) + " objects";
  if (s.interval > wire::StatInterval::MAX)
    return "unknown interval";
  if (s.interval == wire::StatInterval::sliding && (s.window_s == 0 || s.window_s > 86'400))
    return "a sliding window needs window_s from 1 to 86400";
  if (s.interval != wire::StatInterval::sliding && s.window_s != 0)
    return "window_s is only for sliding intervals";
  if (s.range_to_s != 0 && s.range_to_s <= s.range_from_s)
    return "the range [range_from_s, range_to_s) is empty";
  if (!i.ranged && (s.range_from_s != 0 || s.range_to_s != 0))
    return std::string{"metric "} + i.name + " takes no range";
  if (s.m == metric::service_level && (s.range_from_s != 0 || s.range_to_s == 0))
    return "service_level needs range_to_s = T (seconds) and range_from_s = 0";
  if (!s.filter.empty() && s.m != metric::not_ready_time && s.m != metric::dial_results)
    return std::string{"metric "} + i.name + " takes no filter";
  if (s.notify > wire::StatNotify::MAX)
    return "unknown notification mode";
  if (s.notify == wire::StatNotify::periodic && (s.period_ms < 10 || s.period_ms > 86'400'000))
    return "periodic notification needs period_ms from 10 to 86400000";
  if (s.notify == wire::StatNotify::reset_based && s.interval == wire::StatInterval::sliding)
    return "reset_based notification needs a growing interval";
  if (!(s.threshold >= 0) || s.threshold > 1e12)
    return "threshold must be a number from 0";
  return {};
}

std::string object_key(wire::StatObjectType type, const std::string& id) {
  static constexpr char prefix[] = {'a', 'g', 'q', 'c', 't'};
  auto i = static_cast<std::size_t>(type);
  return std::string{i < sizeof prefix ? prefix[i] : '?'} + ':' + id;
}

} // namespace parley::stats
