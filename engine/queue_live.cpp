#include "engine/queue_live.hpp"

#include <map>
#include <memory>

#include <caf/all.hpp>

#include "actors/queue/queue_actor.hpp"
#include "actors/runtime/types.hpp"

namespace parley::engine {

void gather_queue_live(caf::event_based_actor* self, const domain_ptr& dom,
                       std::function<void(queue_live_report)> done) {
  auto out = std::make_shared<queue_live_report>();
  std::map<std::string, std::size_t> index;
  for (auto& q : dom->cfg->queues) {
    index.emplace(q.name, out->queues.size());
    out->queues.push_back({q.name, q.tenant, 0, 0, 0, {}});
    out->queues.back().today.queue = q.name;
  }
  // One answer per queue, one per router, one from the stats hub.
  auto left = std::make_shared<std::size_t>(out->queues.size() + dom->routers.size() + 1);
  auto one_done = [=] {
    if (--*left == 0)
      done(std::move(*out));
  };
  auto missed = [=](std::string what) {
    return [=](caf::error&) {
      out->missing.push_back(what);
      one_done();
    };
  };
  auto now_ms = dom->clk->now_ms();
  constexpr auto limit = std::chrono::seconds{5};
  for (auto& [name, i] : index)
    self->request(dom->queue(name), limit, state_atom_v)
      .then(
        [=, i = i](const queue_status& s) {
          auto& q = out->queues[i];
          q.waiting = s.waiting;
          if (s.oldest_entered_ms != 0)
            q.oldest_wait_s = static_cast<double>(std::max<std::int64_t>(0, now_ms - s.oldest_entered_ms)) / 1000.0;
          one_done();
        },
        missed("queue " + name));
  for (auto& [tenant, router] : dom->routers)
    self->request(router, limit, state_atom_v)
      .then(
        [=](const std::map<std::string, std::uint32_t>& ready) {
          for (auto& [queue, n] : ready)
            if (auto it = index.find(queue); it != index.end())
              out->queues[it->second].ready_agents = n;
          one_done();
        },
        missed("router " + tenant));
  self->request(dom->stats, limit, snapshot_atom_v)
    .then(
      [=](const std::vector<stats::queue_day>& days) {
        for (auto& d : days)
          if (auto it = index.find(d.queue); it != index.end())
            out->queues[it->second].today = d;
        one_done();
      },
      missed("stats"));
}

} // namespace parley::engine
