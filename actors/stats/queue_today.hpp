// queue_today: each configured queue's figures since the day's reset — answered, abandoned,
// service level and speed of answer — for operators (console `show queues`, /metrics).
//
// Owned by the stats hub, which feeds it the same facts its statistics get, so these
// figures are exactly what a 2060 client sees in a growing_reset statistic of the same
// metric (service level with T = the queue's service_level_s). Plain C++, no timers: a fact
// or a question after the next scheduled reset starts the day afresh first.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "actors/runtime/domain_config.hpp"
#include "actors/stats/calculator.hpp"
#include "actors/stats/reset_schedule.hpp"

namespace parley::stats {

/// One queue's day so far.
struct queue_day {
  std::string queue;
  std::uint32_t threshold_s = 0;   ///< the service level's T
  std::uint64_t answered = 0;      ///< distributed (accepted) since the reset
  std::uint64_t abandoned = 0;
  bool sl_known = false;           ///< anything counted in the service level yet
  double service_level = 0;        ///< percent answered within T (docs/statistics.md)
  double asa_s = 0;                ///< average speed of answer, seconds
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, queue_day& x) {
  return f(caf::meta::type_name("queue_day"), x.queue, x.threshold_s, x.answered, x.abandoned,
           x.sl_known, x.service_level, x.asa_s);
}

class queue_today {
public:
  queue_today(const domain_config& cfg, std::shared_ptr<const reset_schedule> schedule,
              std::int64_t now_ms);

  /// A fact for object `key` (only queue keys matter here).
  void apply(const std::string& key, const stat_fact& f);

  /// Every configured queue's day at `now_ms`, in config order.
  std::vector<queue_day> figures(std::int64_t now_ms);

private:
  struct calcs {
    std::string queue;
    std::uint32_t threshold_s;
    calculator sl, answered, abandoned, abandoned_within, asa;
  };
  void roll(std::int64_t now_ms);

  std::shared_ptr<const reset_schedule> schedule_;
  std::int64_t next_reset_ms_;
  std::vector<calcs> queues_;
  std::map<std::string, std::size_t> by_key_;
};

} // namespace parley::stats
