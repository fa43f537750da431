#include "actors/stats/queue_today.hpp"

namespace parley::stats {

namespace {

stat_spec day_spec(const std::string& queue, metric m, std::uint32_t to_s = 0) {
  stat_spec s;
  s.object_type = wire::StatObjectType::queue;
  s.object_id = queue;
  s.m = m;
  s.interval = wire::StatInterval::growing_reset;
  s.range_to_s = to_s;
  return s;
}

} // namespace

queue_today::queue_today(const domain_config& cfg, std::shared_ptr<const reset_schedule> schedule,
                         std::int64_t now_ms)
  : schedule_(std::move(schedule)), next_reset_ms_(schedule_->next_after(now_ms)) {
  // Opened at the last reset with nothing waiting: the engine counts from its start.
  object_snapshot none;
  queues_.reserve(cfg.queues.size());
  for (auto& q : cfg.queues) {
    auto t = q.service_level_s;
    queues_.push_back({q.name, t,
                       calculator{day_spec(q.name, metric::service_level, t), now_ms, none},
                       calculator{day_spec(q.name, metric::distributed), now_ms, none},
                       calculator{day_spec(q.name, metric::abandoned), now_ms, none},
                       calculator{day_spec(q.name, metric::abandoned_within, t), now_ms, none},
                       calculator{day_spec(q.name, metric::average_speed_of_answer), now_ms, none}});
    by_key_.emplace(object_key(wire::StatObjectType::queue, q.name), queues_.size() - 1);
  }
}

void queue_today::roll(std::int64_t now_ms) {
  if (now_ms < next_reset_ms_)
    return;
  auto at = schedule_->last_at_or_before(now_ms);
  for (auto& q : queues_)
    for (auto* c : {&q.sl, &q.answered, &q.abandoned, &q.abandoned_within, &q.asa})
      c->reset(at);
  next_reset_ms_ = schedule_->next_after(now_ms);
}

void queue_today::apply(const std::string& key, const stat_fact& f) {
  if (f.kind != fact_kind::wait_end)
    return;  // the day's figures are made of waits that ended
  auto it = by_key_.find(key);
  if (it == by_key_.end())
    return;
  roll(f.t_ms);
  auto& q = queues_[it->second];
  for (auto* c : {&q.sl, &q.answered, &q.abandoned, &q.abandoned_within, &q.asa})
    c->apply(f);
}

std::vector<queue_day> queue_today::figures(std::int64_t now_ms) {
  roll(now_ms);
  std::vector<queue_day> out;
  out.reserve(queues_.size());
  for (auto& q : queues_) {
    queue_day d;
    d.queue = q.queue;
    d.threshold_s = q.threshold_s;
    d.answered = static_cast<std::uint64_t>(q.answered.value(now_ms).value);
    d.abandoned = static_cast<std::uint64_t>(q.abandoned.value(now_ms).value);
    auto within = static_cast<std::uint64_t>(q.abandoned_within.value(now_ms).value);
    d.sl_known = d.answered + d.abandoned - within > 0;  // abandons within T do not count
    d.service_level = q.sl.value(now_ms).value;
    d.asa_s = q.asa.value(now_ms).value;
    out.push_back(std::move(d));
  }
  return out;
}

} // namespace parley::stats
