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
  job_starter jobs;
  std::vector<cron_schedule> crons;  ///< parallel to dom->cfg->outbound.schedule
  std::vector<schedule_status> status;  ///< parallel too; next_ms names the armed timer
  /// what a job works on ("list NAME", "retention") -> the job under way and its entry
  std::map<std::string, std::pair<caf::actor_addr, std::size_t>> running;
  static inline const char* name = "scheduler";
};

using scheduler_self = scheduler_actor::stateful_pointer<scheduler_state>;

/// Arms entry i's next firing. Only the timer whose due time is the entry's next_ms counts:
/// one armed before a disable (or before a disable and enable) fires into nothing.
void arm(scheduler_self self, std::size_t i) {
  auto& st = self->state;
  auto now = st.dom->clk->now_ms();
  auto next = st.crons[i].next_after(now);
  st.status[i].next_ms = next;
  self->delayed_send(self, st.dom->clk->real_delay(std::chrono::milliseconds{next - now}),
                     job_atom_v, static_cast<std::uint64_t>(i), next);
}

/// What entry i's last firing did, as its answer comes.
void note(scheduler_self self, std::size_t i, std::string what) {
  if (i < self->state.status.size())
    self->state.status[i].last = std::move(what);
}

/// Starts entry i's job unless the last one on the same thing is still running.
void run_job(scheduler_self self, std::size_t i, const schedule_entry& e) {
  auto& st = self->state;
  bool import = e.action == schedule_action::import;
  auto key = import ? "list " + e.list : std::string{"retention"};
  auto what = import ? "import " + e.file + " into " + e.list : std::string{"retention"};
  if (st.running.count(key)) {
    spdlog::warn("schedule: {}: the last one is still running; skipped", what);
    return note(self, i, "skipped: the last " + (import ? "import into " + e.list : what) + " was still running");
  }
  spdlog::info("schedule: {} ({} {})", what, e.cron, e.zone);
  note(self, i, what + " started");
  auto job = st.jobs(e, caf::actor_cast<job_report_actor>(self));
  self->monitor(job);  // its end, answered or not, frees the key for the next firing
  st.running[key] = {job.address(), i};
}

/// A sequence started (at its first step) or stopped.
void run_sequence(scheduler_self self, std::size_t i, const schedule_entry& e) {
  auto& st = self->state;
  auto q = st.dom->sequence(e.sequence);
  auto what = std::string{to_string(e.action)} + " sequence " + e.sequence + " (" + e.cron + " "
              + e.zone + ")";
  auto log = [=](const sequence_view& v) {
    spdlog::info("schedule: {}: {}", what, v.state);
    note(self, i, std::string{to_string(e.action)} + " sequence " + e.sequence + ": " + v.state);
  };
  auto warn = [=](caf::error& err) {
    spdlog::warn("schedule: {}: {}", what, describe(err));
    note(self, i, std::string{to_string(e.action)} + " sequence " + e.sequence + ": error: " + describe(err));
  };
  if (e.action == schedule_action::start)
    self->request(q, st.dom->cfg->request_timeout, sequence_atom_v, start_atom_v, std::uint32_t{0})
      .then(log, warn);
  else
    self->request(q, st.dom->cfg->request_timeout, sequence_atom_v, stop_atom_v).then(log, warn);
}

scheduler_actor::behavior_type scheduler(scheduler_self self, domain_ptr dom, job_starter jobs) {
  auto& st = self->state;
  st.dom = std::move(dom);
  st.jobs = std::move(jobs);
  self->set_down_handler([=](caf::down_msg& m) {
    auto& jobs = self->state.running;
    for (auto it = jobs.begin(); it != jobs.end(); ++it)
      if (it->second.first == m.source) {
        jobs.erase(it);
        return;
      }
  });
  harden(self);
  auto& entries = st.dom->cfg->outbound.schedule;
  for (auto& e : entries)
    st.crons.push_back(cron_schedule::parse(e.cron, e.zone));  // validated by the config
  for (std::size_t i = 0; i < entries.size(); ++i) {
    st.status.push_back({i, true, 0, 0, {}});
    arm(self, i);
  }
  return {
    [=](job_atom, std::uint64_t i, std::int64_t due_ms) {
      auto& st = self->state;
      if (i >= st.status.size() || st.status[i].next_ms != due_ms)
        return;  // disabled since it was armed (or armed again)
      // A timer may fire a little early on a scaled clock: wait for the due time.
      if (st.dom->clk->now_ms() < due_ms) {
        self->delayed_send(self, st.dom->clk->real_delay(std::chrono::milliseconds{due_ms - st.dom->clk->now_ms()}),
                           job_atom_v, i, due_ms);
        return;
      }
      auto& e = st.dom->cfg->outbound.schedule.at(i);
      st.status[i].last_ms = st.dom->clk->now_ms();
      arm(self, i);
      if (e.action == schedule_action::import || e.action == schedule_action::retention)
        return run_job(self, i, e);
      if (!e.sequence.empty())
        return run_sequence(self, i, e);
      auto c = st.dom->campaign(e.campaign);
      std::string op = to_string(e.action);
      auto what = op + " " + e.campaign + " (" + e.cron + " " + e.zone + ")";
      with_campaign_op(op, [&](auto atom) {
        self->request(c, st.dom->cfg->request_timeout, campaign_atom_v, atom)
          .then(
            [=](const campaign_view& v) {
              spdlog::info("schedule: {}: {}", what, v.state);
              note(self, i, op + " campaign " + e.campaign + ": " + v.state);
            },
            [=](caf::error& err) {
              spdlog::warn("schedule: {}: {}", what, describe(err));
              note(self, i, op + " campaign " + e.campaign + ": error: " + describe(err));
            });
      });
    },
    [=](caf::get_atom) { return self->state.status; },
    [=](caf::put_atom, std::uint64_t i, bool enabled) -> caf::result<schedule_status> {
      auto& st = self->state;
      if (i >= st.status.size())
        return caf::make_error(wire::ErrorCode::unknown_id, "no schedule entry " + std::to_string(i) + " (there are "
                                                              + std::to_string(st.status.size()) + ")");
      auto& s = st.status[i];
      if (s.enabled != enabled) {
        s.enabled = enabled;
        if (enabled)
          arm(self, i);
        else
          s.next_ms = 0;  // its armed timer fires into nothing
        spdlog::info("schedule: entry {} {}", i, enabled ? "enabled" : "disabled");
      }
      return s;
    },
    [=](progress_atom, const std::string&) {},
    [=](import_atom, const std::string& answer) {
      auto text = answer;
      while (!text.empty() && text.back() == '\n')
        text.pop_back();
      for (auto& c : text)
        if (c == '\n')
          c = ';';
      std::string what = "job";
      for (auto& [key, job] : self->state.running)
        if (job.first == self->current_sender()) {
          what = key == "retention" ? key : "import into " + key.substr(5);
          note(self, job.second, key == "retention" ? text : what + ": " + text);  // it says "retention: ..."
        }
      if (text.rfind("error: no file", 0) == 0)
        spdlog::info("schedule: {}: nothing to import ({})", what, text.substr(7));
      else if (text.rfind("error: ", 0) == 0)
        spdlog::warn("schedule: {}: {}", what, text);
      else
        spdlog::info("schedule: {}: {}", what, text);
    },
  };
}

} // namespace

std::string describe_entry(const schedule_entry& e) {
  std::string op = to_string(e.action);
  if (e.action == schedule_action::import)
    return "import " + e.file + " into " + e.list + (e.dedupe ? " (dedupe)" : "");
  if (e.action == schedule_action::retention)
    return "retention";
  return op + (e.sequence.empty() ? " campaign " + e.campaign : " sequence " + e.sequence);
}

scheduler_actor spawn_scheduler(caf::actor_system& sys, domain_ptr dom, job_starter jobs) {
  return sys.spawn(scheduler, std::move(dom), std::move(jobs));
}

} // namespace parley::outbound
