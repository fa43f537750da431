// queue_live: every configured queue as an operator sees it now — waiting, the oldest wait,
// ready agents, and the day so far (answered, abandoned, service level, speed of answer) —
// gathered from the actors that know each part: the queue (who waits), its tenant's router
// (who is ready), the stats hub (the day, the same arithmetic as the 2060 statistics).
//
// Used by the console's `status` and `show queues` and by /metrics. The caller's actor
// asks; `done` runs once in that actor with every queue in config order (a part that did
// not answer is left at zero and named in `missing`).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/runtime/domain.hpp"
#include "actors/stats/queue_today.hpp"

namespace parley::engine {

struct queue_live {
  std::string name;
  std::string tenant;
  std::uint64_t waiting = 0;
  double oldest_wait_s = 0;       ///< 0 when nothing waits
  std::uint32_t ready_agents = 0; ///< eligible agents in state ready (free or busy)
  stats::queue_day today;
};

struct queue_live_report {
  std::vector<queue_live> queues;
  std::vector<std::string> missing;  ///< "queue sales", "router acme", "stats": no answer
};

void gather_queue_live(caf::event_based_actor* self, const domain_ptr& dom,
                       std::function<void(queue_live_report)> done);

} // namespace parley::engine
