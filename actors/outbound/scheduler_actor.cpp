// The job scheduler (scheduler_actor.hpp).
#include "actors/outbound/scheduler_actor.hpp"

#include <map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/cron.hpp"
#include "actors/outbound/outbound_types.hpp"
#include "actors/outbound/campaign_actor.hpp"
#include "actors/runtime/domain.hpp"
#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"

namespace parley::outbound {

namespace {

struct scheduler_state {
  domain_ptr dom;
  import_starter imports;
  std::vector<cron_schedule> crons;  ///< parallel to dom->cfg->outbound.schedule
  std::map<std::string, caf::actor_addr> importing;  ///< list -> its import job under way
  static inline const char* name = "scheduler";
};

using self_ptr = scheduler_actor::stateful_pointer<scheduler_state>;

void arm(self_ptr self, std::size_t i) {
  auto& st = self->state;
  auto now = st.dom->clk->now_ms();
  auto next = st.crons[i].next_after(now);
  self->delayed_send(self, st.dom->clk->real_delay(std::chrono::milliseconds{next - now}),
                     job_atom_v, static_cast<std::uint64_t>(i), next);
}

/// A timed import: the file dropped into the import directory, if it is there.
void run_import(self_ptr self, const schedule_entry& e) {
  auto& st = self->state;
  if (st.importing.count(e.list)) {
    spdlog::warn("schedule: import {} into {}: the last one is still running; skipped", e.file,
                 e.list);
    return;
  }
  spdlog::info("schedule: import {} into {} ({} {})", e.file, e.list, e.cron, e.zone);
  auto job = st.imports(e, caf::actor_cast<import_report_actor>(self));
  self->monitor(job);  // its end, answered or not, frees the list for the next firing
  st.importing[e.list] = job.address();
}

/// A sequence started (at its first step) or stopped.
void run_sequence(self_ptr self, const schedule_entry& e) {
  auto& st = self->state;
  auto q = st.dom->sequence(e.sequence);
  auto what = std::string{to_string(e.action)} + " sequence " + e.sequence + " (" + e.cron + " "
              + e.zone + ")";
  auto log = [=](const sequence_view& v) { spdlog::info("schedule: {}: {}", what, v.state); };
  auto warn = [=](caf::error& err) { spdlog::warn("schedule: {}: {}", what, describe(err)); };
  if (e.action == schedule_action::start)
    self->request(q, st.dom->cfg->request_timeout, sequence_atom_v, start_atom_v, std::uint32_t{0})
      .then(log, warn);
  else
    self->request(q, st.dom->cfg->request_timeout, sequence_atom_v, stop_atom_v).then(log, warn);
}

scheduler_actor::behavior_type scheduler(self_ptr self, domain_ptr dom, import_starter imports) {
  auto& st = self->state;
  st.dom = std::move(dom);
  st.imports = std::move(imports);
  self->set_down_handler([=](caf::down_msg& m) {
    auto& jobs = self->state.importing;
    for (auto it = jobs.begin(); it != jobs.end(); ++it)
      if (it->second == m.source) {
        jobs.erase(it);
        return;
      }
  });
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
      arm(self, i);
      if (e.action == schedule_action::import)
        return run_import(self, e);
      if (!e.sequence.empty())
        return run_sequence(self, e);
      auto c = st.dom->campaign(e.campaign);
      std::string op = to_string(e.action);
      auto what = op + " " + e.campaign + " (" + e.cron + " " + e.zone + ")";
      with_campaign_op(op, [&](auto atom) {
        self->request(c, st.dom->cfg->request_timeout, campaign_atom_v, atom)
          .then([=](const campaign_view& v) { spdlog::info("schedule: {}: {}", what, v.state); },
                [=](caf::error& err) { spdlog::warn("schedule: {}: {}", what, describe(err)); });
      });
    },
    [=](progress_atom, const std::string&) {},
    [=](import_atom, const std::string& answer) {
      auto text = answer;
      while (!text.empty() && text.back() == '\n')
        text.pop_back();
      for (auto& c : text)
        if (c == '\n')
          c = ';';
      if (text.rfind("error: no file", 0) == 0)
        spdlog::info("schedule: import: nothing to import ({})", text.substr(7));
      else if (text.rfind("error: ", 0) == 0)
        spdlog::warn("schedule: import: {}", text);
      else
        spdlog::info("schedule: import: {}", text);
    },
  };
}

} // namespace

scheduler_actor spawn_scheduler(caf::actor_system& sys, domain_ptr dom, import_starter imports) {
  return sys.spawn(scheduler, std::move(dom), std::move(imports));
}

} // namespace parley::outbound
