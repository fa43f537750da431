// A campaign sequence (sequence_actor.hpp).
#include "actors/outbound/sequence_actor.hpp"

#include <optional>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/cron.hpp"
#include "actors/outbound/record_fields.hpp"
#include "actors/runtime/domain.hpp"
#include "actors/runtime/harden.hpp"

namespace parley::outbound {

namespace {

using ms = std::chrono::milliseconds;

constexpr ms look_every{1000};  ///< domain time between two looks at the running step

enum class seq_state { idle, starting, running, finished, stopped, failed };

const char* to_name(seq_state s) {
  switch (s) {
    case seq_state::idle: return "idle";
    case seq_state::starting: return "starting";
    case seq_state::running: return "running";
    case seq_state::finished: return "finished";
    case seq_state::stopped: return "stopped";
    case seq_state::failed: return "failed";
  }
  return "?";
}

struct sequence_state {
  const sequence_config* cfg = nullptr;
  domain_ptr dom;
  std::vector<std::optional<cron_schedule>> until;  ///< per step: its until_time
  seq_state state = seq_state::idle;
  std::size_t step = 0;        ///< the step running, or last run
  std::int64_t since_ms = 0;   ///< it started
  std::int64_t until_ms = 0;   ///< its until_time fires (0: none)
  std::string note;
  bool looking = false;        ///< a progress question is out
  bool ticking = false;
  std::uint64_t run = 0;       ///< which start this is: answers for an older one are dropped
  static inline const char* name = "sequence";

  std::int64_t now_ms() const { return dom->clk->now_ms(); }
  const sequence_step& current() const { return cfg->steps[step]; }
  campaign_actor campaign() const { return dom->campaign(current().campaign); }
};

using sequence_self = sequence_actor::stateful_pointer<sequence_state>;

sequence_view view(sequence_self self) {
  auto& st = self->state;
  sequence_view v;
  v.name = st.cfg->name;
  v.state = to_name(st.state);
  v.steps = static_cast<std::uint32_t>(st.cfg->steps.size());
  if (st.state != seq_state::idle) {
    v.step = static_cast<std::uint32_t>(st.step + 1);
    v.campaign = st.current().campaign;
    v.until = to_string(st.current().until);
    v.since_ms = st.since_ms;
    v.until_ms = st.until_ms;
  }
  v.note = st.note;
  return v;
}

void arm(sequence_self self) {
  auto& st = self->state;
  if (st.ticking)
    return;
  st.ticking = true;
  self->delayed_send(self, st.dom->clk->real_delay(look_every), tick_atom_v);
}

/// Starts step `i`'s campaign; `done` hears the outcome (an error: the sequence failed).
/// A campaign that runs already (started by hand) is taken as the step's.
void start_step(sequence_self self, std::size_t i, std::function<void(caf::error)> done) {
  auto& st = self->state;
  st.step = i;
  st.state = seq_state::starting;
  st.since_ms = st.now_ms();
  st.until_ms = st.until[i] ? st.until[i]->next_after(st.since_ms) : 0;
  auto run = ++st.run;
  auto name = st.current().campaign;
  auto c = st.campaign();
  auto timeout = st.dom->cfg->storage_timeout * 2;  // a start reads its lists and window
  auto begun = [=](const std::string& how) {
    auto& st = self->state;
    if (st.run != run) {  // stopped while its campaign was starting: stop that too
      self->request(c, timeout, campaign_atom_v, stop_atom_v).then([](const campaign_view&) {},
                                                                  [](caf::error&) {});
      done(caf::make_error(wire::ErrorCode::wrong_state, "stopped while it was starting"));
      return;
    }
    st.state = seq_state::running;
    spdlog::info("sequence {}: step {} of {}: campaign {} {}", st.cfg->name, i + 1,
                 st.cfg->steps.size(), name, how);
    arm(self);
    done(caf::error{});
  };
  auto failed = [=](const std::string& why) {
    auto& st = self->state;
    if (st.run != run) {
      done(caf::make_error(wire::ErrorCode::wrong_state, "stopped while it was starting"));
      return;
    }
    st.state = seq_state::failed;
    st.note = "step " + std::to_string(i + 1) + " (campaign " + name + ") did not start: " + why;
    spdlog::warn("sequence {}: {}", st.cfg->name, st.note);
    done(caf::make_error(wire::ErrorCode::wrong_state, "sequence " + st.cfg->name + ": " + st.note));
  };
  self->request(c, timeout, campaign_atom_v, start_atom_v)
    .then([=](const campaign_view&) { begun("started"); },
          [=](caf::error& e) {
            // Running or paused already (the operator started it): the step goes on with it.
            self->request(c, timeout, campaign_atom_v, caf::get_atom_v)
              .then(
                [=](const campaign_view& v) {
                  if (v.state == "running" || v.state == "paused")
                    begun("was " + v.state + " already");
                  else
                    failed(describe(e));
                },
                [=](caf::error&) { failed(describe(e)); });
          });
}

/// The running step is over (`why`): its campaign stops, the next step starts (or the
/// sequence is finished).
void hand_over(sequence_self self, const std::string& why) {
  auto& st = self->state;
  auto i = st.step;
  auto name = st.current().campaign;
  st.note = "step " + std::to_string(i + 1) + " (campaign " + name + ") ended: " + why + " at "
            + utc_time(st.now_ms());
  spdlog::info("sequence {}: {}", st.cfg->name, st.note);
  // Calls under way finish; undialed records go back to their lists.
  self->request(st.campaign(), st.dom->cfg->storage_timeout, campaign_atom_v, stop_atom_v)
    .then([](const campaign_view&) {},
          [=](caf::error& e) {
            spdlog::warn("sequence {}: stopping campaign {}: {}", self->state.cfg->name, name,
                         describe(e));
          });
  if (i + 1 == st.cfg->steps.size()) {
    st.state = seq_state::finished;
    ++st.run;
    return;
  }
  start_step(self, i + 1, [](caf::error) {});
}

/// Every second of domain time while running: has the step's until come?
void look(sequence_self self) {
  auto& st = self->state;
  if (st.state != seq_state::running || st.looking)
    return;
  if (st.until_ms != 0 && st.now_ms() >= st.until_ms)
    return hand_over(self, "its until_time " + st.current().until_time + " (" + st.cfg->zone + ")");
  // Asked whatever the step's until: a campaign stopped by hand stops the sequence.
  st.looking = true;
  auto run = st.run;
  self->request(st.campaign(), st.dom->cfg->storage_timeout, campaign_atom_v, count_atom_v)
    .then(
      [=](const campaign_progress& p) {
        auto& st = self->state;
        st.looking = false;
        if (st.run != run || st.state != seq_state::running)
          return;
        if (p.state == "stopped" || p.state == "loaded") {
          st.state = seq_state::stopped;
          ++st.run;
          st.note = "campaign " + st.current().campaign + " of step " + std::to_string(st.step + 1)
                    + " was stopped outside the sequence";
          spdlog::warn("sequence {}: {}; the sequence stops", st.cfg->name, st.note);
          return;
        }
        if (p.state != "running")
          return;  // paused: the operator holds it
        if (st.current().until == step_until::exhausted && p.exhausted())
          hand_over(self, "nothing left to dial");
        else if (st.current().until == step_until::idle && p.idle())
          hand_over(self, "nothing due now");
      },
      [=](caf::error& e) {
        self->state.looking = false;
        spdlog::warn("sequence {}: campaign {}: {}", self->state.cfg->name,
                     self->state.current().campaign, describe(e));
      });
}

caf::error refuse(sequence_self self, const std::string& why) {
  auto& st = self->state;
  return caf::make_error(wire::ErrorCode::wrong_state,
                         "sequence " + st.cfg->name + " is " + to_name(st.state) + ": " + why);
}

sequence_actor::behavior_type sequence(sequence_self self, const sequence_config* cfg) {
  auto& st0 = self->state;
  st0.cfg = cfg;
  for (auto& s : cfg->steps)
    if (s.until_time.empty())
      st0.until.emplace_back();
    else  // validated by the config reader
      st0.until.push_back(cron_schedule::parse(s.until_time, cfg->zone));
  harden(self);
  return {
    [=](init_atom, const domain_ptr& dom) { self->state.dom = dom; },
    [=](sequence_atom, caf::get_atom) { return view(self); },
    [=](sequence_atom, start_atom, std::uint32_t step) -> caf::result<sequence_view> {
      auto& st = self->state;
      if (st.state == seq_state::running || st.state == seq_state::starting)
        return refuse(self, "stop it first");
      if (step >= st.cfg->steps.size())
        return caf::make_error(wire::ErrorCode::invalid_argument,
                               "sequence " + st.cfg->name + " has " + std::to_string(st.cfg->steps.size())
                                 + " step(s)");
      st.note.clear();
      auto rp = self->make_response_promise<sequence_view>();
      start_step(self, step, [=](caf::error e) mutable {
        if (e)
          rp.deliver(std::move(e));
        else
          rp.deliver(view(self));
      });
      return rp;
    },
    [=](sequence_atom, stop_atom) -> caf::result<sequence_view> {
      auto& st = self->state;
      if (st.state != seq_state::running && st.state != seq_state::starting)
        return refuse(self, "it is not running");
      st.state = seq_state::stopped;
      ++st.run;
      st.note = "stopped at step " + std::to_string(st.step + 1) + " at " + utc_time(st.now_ms());
      auto name = st.current().campaign;
      self->request(st.campaign(), st.dom->cfg->storage_timeout, campaign_atom_v, stop_atom_v)
        .then([](const campaign_view&) {},
              [=](caf::error& e) {
                spdlog::info("sequence {}: stopping campaign {}: {}", self->state.cfg->name, name,
                             describe(e));
              });
      spdlog::info("sequence {}: {}", st.cfg->name, st.note);
      return view(self);
    },
    [=](tick_atom) {
      auto& st = self->state;
      st.ticking = false;
      if (st.state != seq_state::running && st.state != seq_state::starting)
        return;
      look(self);
      arm(self);
    },
  };
}

} // namespace

sequence_actor spawn_sequence(caf::actor_system& sys, const sequence_config* cfg) {
  return sys.spawn(sequence, cfg);
}

} // namespace parley::outbound
