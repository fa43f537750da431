#include "actors/stats/calculator.hpp"

#include <algorithm>
#include <limits>

namespace parley::stats {

namespace {

using wire::AgentState;

constexpr double seconds(double ms) {
  return ms / 1000.0;
}

double ratio_pct(double num, double den) {
  return den > 0 ? 100.0 * num / den : 0.0;
}

bool is_queue_gauge(metric m) {
  return m == metric::current_in_queue || m == metric::longest_waiting;
}

std::int64_t window_of(const stat_spec& s) {
  return s.interval == wire::StatInterval::sliding ? std::int64_t{s.window_s} * 1000 : 0;
}

} // namespace

calculator::calculator(const stat_spec& spec, std::int64_t now_ms, const object_snapshot& snap)
  : spec_(spec),
    kind_(info(spec.m).kind),
    samples_(window_of(spec)),
    levels_(window_of(spec), now_ms, {}) {
  if (is_queue_gauge(spec_.m))
    for (auto& [iid, since] : snap.waiting)
      waiting_[iid] = since;
  if (!info(spec_.m).queue_side && !info(spec_.m).campaign)
    for (auto& [agent, s] : snap.agents)
      if (s.state != AgentState::logged_out) {
        agents_[agent] = s;
        count_agent(s, +1);
      }
  lv_ = level_of();
  levels_.reset(now_ms);
  levels_.set(now_ms, lv_);
}

void calculator::count_agent(const agent_status& s, int sign) {
  if (s.state == AgentState::logged_out)
    return;
  counts_[0] += sign;
  if (s.state == AgentState::ready)
    counts_[1] += sign;
  else if (s.state == AgentState::not_ready)
    counts_[2] += sign;
  else if (s.state == AgentState::after_call_work)
    counts_[3] += sign;
  if (s.handling > 0)
    counts_[4] += sign;
}

levels calculator::level_of() const {
  levels out{};
  if (kind_ != metric_kind::integral && spec_.m != metric::occupancy)
    return out;
  for (auto& [agent, s] : agents_) {
    bool busy = s.handling > 0;
    switch (spec_.m) {
      case metric::ready_time: out[0] += s.state == AgentState::ready; break;
      case metric::not_ready_time:
        out[0] += s.state == AgentState::not_ready && (spec_.filter.empty() || s.reason == spec_.filter);
        break;
      case metric::acw_time: out[0] += s.state == AgentState::after_call_work; break;
      case metric::busy_time: out[0] += busy; break;
      case metric::occupancy:
        out[0] += busy;
        out[1] += !busy && s.state == AgentState::after_call_work;
        out[2] += !busy && s.state == AgentState::ready;
        break;
      default: break;
    }
  }
  return out;
}

void calculator::on_agent(const std::string& agent, const agent_status& after, std::int64_t t_ms) {
  if (info(spec_.m).queue_side || info(spec_.m).campaign)
    return;
  auto it = agents_.find(agent);
  if (it != agents_.end()) {
    count_agent(it->second, -1);
    if (after.state == AgentState::logged_out)
      agents_.erase(it);
    else
      it->second = after;
  } else if (after.state != AgentState::logged_out) {
    agents_[agent] = after;
  }
  count_agent(after, +1);
  if (kind_ == metric_kind::integral || spec_.m == metric::occupancy) {
    // Only this agent changed: recount it alone would need its old predicate; the map is
    // small for agents and groups, and tenants change levels rarely relative to events.
    auto l = level_of();
    if (l != lv_) {
      lv_ = l;
      levels_.set(t_ms, lv_);
    }
  }
}

bool calculator::in_range(std::int64_t wait_ms) const {
  auto lo = std::int64_t{spec_.range_from_s} * 1000;
  auto hi = std::int64_t{spec_.range_to_s} * 1000;
  return wait_ms >= lo && (spec_.range_to_s == 0 || wait_ms < hi);
}

void calculator::apply(const stat_fact& f) {
  auto m = spec_.m;
  auto wait = static_cast<double>(f.duration_ms());
  switch (f.kind) {
    case fact_kind::wait_begin:
      if (is_queue_gauge(m))
        waiting_[f.iid] = f.start_ms;
      if (m == metric::entered)
        samples_.add(f.t_ms, 0, 1);
      return;
    case fact_kind::wait_end: {
      if (is_queue_gauge(m))
        waiting_.erase(f.iid);
      bool dist = f.out == wait_outcome::distributed;
      bool aban = f.out == wait_outcome::abandoned;
      switch (m) {
        case metric::distributed:
          if (dist)
            samples_.add(f.t_ms, 0, 1);
          break;
        case metric::abandoned:
          if (aban)
            samples_.add(f.t_ms, 0, 1);
          break;
        case metric::distributed_within:
          if (dist && in_range(f.duration_ms()))
            samples_.add(f.t_ms, 0, 1);
          break;
        case metric::abandoned_within:
          if (aban && in_range(f.duration_ms()))
            samples_.add(f.t_ms, 0, 1);
          break;
        case metric::service_level:
          if (dist) {
            samples_.add(f.t_ms, 1, 1);
            if (in_range(f.duration_ms()))
              samples_.add(f.t_ms, 0, 1);
          } else if (aban && !in_range(f.duration_ms())) {
            samples_.add(f.t_ms, 2, 1);
          }
          break;
        case metric::average_speed_of_answer:
          if (dist)
            samples_.add(f.t_ms, 0, wait);
          break;
        case metric::max_wait:
          if (dist || aban)
            samples_.add(f.t_ms, 0, wait);
          break;
        default: break;
      }
      return;
    }
    case fact_kind::agent_change: on_agent(f.agent, f.after, f.t_ms); return;
    case fact_kind::handled:
      if (m == metric::handled)
        samples_.add(f.t_ms, 0, 1);
      else if (m == metric::average_handle_time)
        samples_.add(f.t_ms, 0, wait);
      return;
    case fact_kind::dial: {
      bool answer = f.detail == "answer" || f.detail == "dropped";
      if (m == metric::dial_attempts)
        samples_.add(f.t_ms, 0, 1);
      else if (m == metric::dial_answers && answer)
        samples_.add(f.t_ms, 0, 1);
      else if (m == metric::abandon_rate && answer)
        samples_.add(f.t_ms, f.detail == "dropped" ? 0 : 1, 1);
      else if (m == metric::dial_results && (spec_.filter.empty() || spec_.filter == f.detail))
        samples_.add(f.t_ms, 0, 1);
      return;
    }
  }
}

stat_value calculator::value(std::int64_t now_ms) {
  stat_value out;
  out.valid = valid();
  auto m = spec_.m;
  switch (m) {
    case metric::current_in_queue: out.value = static_cast<double>(waiting_.size()); return out;
    case metric::longest_waiting: {
      auto oldest = std::numeric_limits<std::int64_t>::max();
      for (auto& [iid, since] : waiting_)
        oldest = std::min(oldest, since);
      out.value = waiting_.empty() ? 0 : seconds(static_cast<double>(std::max<std::int64_t>(0, now_ms - oldest)));
      return out;
    }
    case metric::agent_state:
    case metric::time_in_state: {
      auto it = agents_.find(spec_.object_id);
      if (it == agents_.end())
        return out;  // logged out: 0 (invalid)
      if (m == metric::agent_state) {
        out.value = static_cast<double>(it->second.state);
        out.text = it->second.reason;
      } else {
        out.value = seconds(static_cast<double>(std::max<std::int64_t>(0, now_ms - it->second.since_ms)));
      }
      return out;
    }
    case metric::agents_logged_in: out.value = static_cast<double>(counts_[0]); return out;
    case metric::agents_ready: out.value = static_cast<double>(counts_[1]); return out;
    case metric::agents_not_ready: out.value = static_cast<double>(counts_[2]); return out;
    case metric::agents_acw: out.value = static_cast<double>(counts_[3]); return out;
    case metric::agents_busy: out.value = static_cast<double>(counts_[4]); return out;
    default: break;
  }
  if (kind_ == metric_kind::integral || m == metric::occupancy) {
    auto i = levels_.totals(now_ms);
    out.value = m == metric::occupancy ? ratio_pct(i[0] + i[1], i[0] + i[1] + i[2]) : seconds(i[0]);
    return out;
  }
  auto a = samples_.totals(now_ms);
  switch (m) {
    case metric::service_level:
      out.value = ratio_pct(static_cast<double>(a[0].count),
                            static_cast<double>(a[1].count + a[2].count));
      break;
    case metric::average_speed_of_answer:
    case metric::average_handle_time:
      out.value = a[0].count ? seconds(a[0].sum / static_cast<double>(a[0].count)) : 0;
      break;
    case metric::max_wait: out.value = seconds(a[0].max); break;
    case metric::abandon_rate:
      out.value = ratio_pct(static_cast<double>(a[0].count),
                            static_cast<double>(a[0].count + a[1].count));
      break;
    default: out.value = static_cast<double>(a[0].count); break;
  }
  return out;
}

void calculator::reset(std::int64_t now_ms) {
  samples_.reset();
  levels_.reset(now_ms);
}

bool calculator::valid() const {
  if (spec_.m != metric::agent_state && spec_.m != metric::time_in_state)
    return true;
  return agents_.count(spec_.object_id) > 0;
}

} // namespace parley::stats
