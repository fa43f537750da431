// The job scheduler (scheduler_actor.hpp).
#include "actors/outbound/scheduler_actor.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/cron.hpp"
#include "actors/outbound/outbound_types.hpp"
#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"

namespace parley::outbound {

namespace {

struct scheduler_state {
  domain_ptr dom;
  std::vector<cron_schedule> crons;  ///< parallel to dom->cfg->outbound.schedule
  static inline const char* name = "scheduler";
};

using self_ptr = caf::stateful_actor<scheduler_state>*;

void arm(self_ptr self, std::size_t i) {
  auto& st = self->state;
  auto now = st.dom->clk->now_ms();
  auto next = st.crons[i].next_after(now);
  self->delayed_send(self, st.dom->clk->real_delay(std::chrono::milliseconds{next - now}),
                     job_atom_v, static_cast<std::uint64_t>(i), next);
}

caf::behavior scheduler(self_ptr self, domain_ptr dom) {
  auto& st = self->state;
  st.dom = std::move(dom);
  harden(self);
  auto& entries = st.dom->cfg->outbound.schedule;
  for (auto& e : entries)
    st.crons.push_back(cron_schedule::parse(e.cron, e.zone));  // validated by the config
  for (std::size_t i = 0; i < entries.size(); ++i)
    arm(self, i);
  return {
    [=](job_atom, std::uint64_t i, std::int64_t due_ms) {
      auto& st = self->state;
      // A timer may fire a little early on a scaled clock: wait for the due time.
      if (st.dom->clk->now_ms() < due_ms) {
        self->delayed_send(self, st.dom->clk->real_delay(std::chrono::milliseconds{due_ms - st.dom->clk->now_ms()}),
                           job_atom_v, i, due_ms);
        return;
      }
      auto& e = st.dom->cfg->outbound.schedule.at(i);
      auto c = st.dom->campaign(e.campaign);
      auto what = e.action + " " + e.campaign + " (" + e.cron + " " + e.zone + ")";
      self->request(c, std::chrono::seconds{30}, campaign_atom_v, e.action)
        .then([=](const campaign_view& v) { spdlog::info("schedule: {}: {}", what, v.state); },
              [=](caf::error& err) { spdlog::warn("schedule: {}: {}", what, describe(err)); });
      arm(self, i);
    },
  };
}

} // namespace

caf::actor spawn_scheduler(caf::actor_system& sys, domain_ptr dom) {
  return sys.spawn(scheduler, std::move(dom));
}

} // namespace parley::outbound
