// A campaign's leases, compliance verdicts, pacing and dialing (campaign_state.hpp).
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/campaign_state.hpp"
#include "actors/outbound/dialer_session.hpp"
#include "actors/runtime/metrics.hpp"
#include "actors/runtime/types.hpp"

namespace parley::outbound::campaign_detail {

/// A record goes back to its list (not dialed): ready again, when `due_ms` comes.
void give_back(self_ptr self, record_row r, std::int64_t due_ms, storage::record_status status) {
  r.record_status = static_cast<std::uint8_t>(status);
  r.dial_sched_ms = due_ms;
  self->send(self->state.h.list_store, outcome_atom_v, std::move(r));
}

/// A record compliance allowed goes back undialed: compliance stops counting it as an
/// attempt (compliance_actor.hpp, holds).
void give_back_allowed(self_ptr self, record_row r, std::int64_t due_ms) {
  self->send(self->state.h.compliance, caf::delete_atom_v, r.id);
  give_back(self, std::move(r), due_ms);
}

/// Records wait in the buffer after compliance allowed them: the calling window may have
/// closed since. False (and the record back to its list, due when the window opens) then.
bool window_still_open(self_ptr self, record_row& r) {
  auto& st = self->state;
  auto d = check_window(r, st.cfg->rules.window, st.now_ms());
  if (d.allowed())
    return true;
  give_back_allowed(self, std::move(r), d.retry_ms);
  return false;
}

namespace {

/// Compliance said what it says about freshly leased records: keep the allowed ones.
void sort_verdicts(self_ptr self, std::vector<record_row>& rows, std::vector<verdict>& vs) {
  auto& st = self->state;
  auto now = st.now_ms();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto& r = rows[i];
    auto reason = static_cast<deny_reason>(i < vs.size() ? vs[i].reason : 0);
    if (st.state == run_state::stopped) {
      give_back_allowed(self, std::move(r), 0);
      continue;
    }
    switch (reason) {
      case deny_reason::none:
        if (storage::is_personal(r.record_type) && !st.messages())
          st.personal.push_back({std::move(r), now});
        else
          st.dialable.push_back(std::move(r));
        continue;
      case deny_reason::outside_window: give_back(self, std::move(r), vs[i].retry_ms); break;
      case deny_reason::suppressed_phone:
      case deny_reason::suppressed_customer:
      case deny_reason::unknown_zone:
      case deny_reason::no_address:
        give_back(self, r, r.dial_sched_ms, storage::record_status::cancelled);
        break;
      case deny_reason::record_attempts:
      case deny_reason::customer_attempts: give_back(self, std::move(r), now + hour_ms); break;
      case deny_reason::abandon_rate: give_back(self, std::move(r), now + 60'000); break;
    }
    ++st.denied;
  }
  serve_previews(self);
}

} // namespace

/// Leases the next chunk from the lists in turn and has compliance check it.
void lease(self_ptr self) {
  auto& st = self->state;
  if (st.leasing || st.lists.empty() || st.now_ms() < st.next_lease_ms)
    return;
  st.leasing = true;
  auto list = st.lists[st.list_cursor++ % st.lists.size()];
  self->request(st.h.list_store, st.dom->cfg->storage_timeout, lease_atom_v, list, st.cfg->lease_chunk,
                st.now_ms(), static_cast<std::uint8_t>(st.cfg->order))
    .then(
      [=](std::vector<record_row>& rows) {
        auto& st = self->state;
        if (rows.empty()) {
          st.leasing = false;
          // Nothing due in any list: look again in a few seconds (domain time).
          if (++st.empty_leases >= st.lists.size())
            st.next_lease_ms = st.now_ms() + 5'000;
          serve_previews(self);
          return;
        }
        st.empty_leases = 0;
        auto abandon = st.reserved_calls() ? abandon_stats{}
                                           : st.abandons.over(st.now_ms(), st.cfg->abandon_window);
        auto shared = std::make_shared<std::vector<record_row>>(std::move(rows));
        self->request(st.h.compliance, st.dom->cfg->storage_timeout, check_atom_v, st.cfg->name,
                      st.cfg->rules, abandon, *shared)
          .then(
            [=](std::vector<verdict>& vs) {
              self->state.leasing = false;
              sort_verdicts(self, *shared, vs);
            },
            [=](caf::error& e) {
              // No verdict, no dial: the records go back, leasing pauses a little.
              auto& st = self->state;
              st.leasing = false;
              st.next_lease_ms = st.now_ms() + 2'000;
              spdlog::warn("campaign {}: compliance check failed: {}", st.cfg->name, describe(e));
              for (auto& r : *shared) {
                auto due = r.dial_sched_ms;
                give_back(self, std::move(r), due);
              }
            });
      },
      [=](caf::error& e) {
        auto& st = self->state;
        st.leasing = false;
        st.next_lease_ms = st.now_ms() + 2'000;
        spdlog::warn("campaign {}: lease failed: {}", st.cfg->name, describe(e));
      });
}

void dial(self_ptr self, record_row r, std::string agent) {
  auto& st = self->state;
  dialer_setup s;
  s.call = ++st.next_call;
  s.campaign = st.cfg;
  s.record = std::move(r);
  s.agent = std::move(agent);
  s.owner = caf::actor_cast<campaign_feedback_actor>(self);
  s.gateway = st.h.gateway;
  s.list_store = st.h.list_store;
  s.compliance = st.h.compliance;
  s.dom = st.dom;
  // Linked: a campaign stopped at shutdown takes its calls with it (their records are
  // released as stale at the next start).
  auto id = s.record.id;
  auto session = spawn_dialer_session(self->system(), std::move(s));
  self->link_to(session);
  st.sessions[id] = session;
  ++st.ringing;
  ++st.dialed;
  st.pace->on_dial(st.now_s());
}

/// Dials one record with an agent reserved for it (progressive, fallback, preview).
void dial_reserved(self_ptr self, record_row r, const std::string& agent) {
  auto& st = self->state;
  ++st.reserving;
  auto shared = std::make_shared<record_row>(std::move(r));
  auto on_agent = [=](const std::string& a) {
    --self->state.reserving;
    if (self->state.state == run_state::stopped) {
      self->send(self->state.router, unreserve_atom_v, a, self->state.cfg->media);
      give_back_allowed(self, std::move(*shared), 0);
      return;
    }
    dial(self, std::move(*shared), a);
  };
  auto on_none = [=](caf::error&) {
    // Nobody free after all: the record waits at the front for the next agent.
    --self->state.reserving;
    self->state.dialable.push_front(std::move(*shared));
  };
  if (agent.empty())
    self->request(st.router, st.dom->cfg->request_timeout, reserve_atom_v, st.cfg->queue,
                  st.cfg->media)
      .then(on_agent, on_none);
  else
    self->request(st.router, st.dom->cfg->request_timeout, reserve_atom_v, st.cfg->queue,
                  st.cfg->media, agent)
      .then(on_agent, [=](caf::error& e) {
        --self->state.reserving;
        spdlog::info("campaign {}: previewed record {} not dialed: {}", self->state.cfg->name,
                     shared->id, describe(e));
        give_back_allowed(self, std::move(*shared), 0);
      });
}

/// An sms or email campaign: as many messages as its rate allows since the last time, under
/// max_in_flight; no agents. The credit holds 50 ms worth at most (one at least): sends
/// follow the outcomes (each one paces) instead of leaving in bursts of a tick's worth,
/// which flooded the engine with sessions at once (a third of the throughput at 10,000/s).
void pace_messages(self_ptr self) {
  auto& st = self->state;
  auto now = st.now_s();
  auto rate = st.cfg->messages_per_second;
  if (st.credit_at_s >= 0)
    st.credit = std::min(std::max(1.0, rate * 0.05), st.credit + (now - st.credit_at_s) * rate);
  st.credit_at_s = now;
  auto n = static_cast<std::uint32_t>(st.credit);
  if (st.cfg->max_in_flight)
    n = st.ringing >= st.cfg->max_in_flight ? 0 : std::min(n, st.cfg->max_in_flight - st.ringing);
  while (n > 0 && !st.dialable.empty()) {
    auto r = std::move(st.dialable.front());
    st.dialable.pop_front();
    if (st.cfg->media == "sms" && !window_still_open(self, r))  // calling hours bind texts
      continue;
    --n;
    st.credit -= 1;
    dial(self, std::move(r), {});
  }
  if (st.dialable.size() < st.cfg->lease_chunk / 2 + n)
    lease(self);
}

void pace(self_ptr self) {
  auto& st = self->state;
  if (st.state != run_state::running || st.now_ms() < st.no_line_until_ms)
    return;
  if (st.messages()) {
    pace_messages(self);
    return;
  }
  serve_personal(self);
  std::uint32_t n = 0;
  if (st.agents == 0) {
    n = 0;  // nobody logged in: nothing is dialed, at once
  } else if (st.cfg->mode == dial_mode::preview) {
    n = 0;
  } else if (st.reserved_calls()) {
    n = st.ready_agents > st.reserving ? st.ready_agents - st.reserving : 0;
  } else {
    pacing_input in;
    in.ready_agents = st.ready_agents;
    // An answered call waiting for an agent is demand, not a busy agent (pacing.hpp).
    in.busy_agents = static_cast<std::uint32_t>(st.talking.size() - st.waiting.size());
    in.waiting = static_cast<std::uint32_t>(st.waiting.size());
    in.in_flight = st.ringing;
    in.now_s = st.now_s();
    for (auto& [call, at] : st.talking)
      if (!st.waiting.count(call))
        in.busy_elapsed_s.push_back(in.now_s - at);
    n = st.pace->dial_now(in);
  }
  if (st.cfg->max_in_flight) {
    auto busy = st.ringing + st.reserving;
    n = busy >= st.cfg->max_in_flight ? 0 : std::min(n, st.cfg->max_in_flight - busy);
  }
  bool reserved = st.reserved_calls();
  while (n > 0 && !st.dialable.empty()) {
    auto r = std::move(st.dialable.front());
    st.dialable.pop_front();
    if (!window_still_open(self, r))
      continue;
    --n;
    if (reserved)
      dial_reserved(self, std::move(r));
    else
      dial(self, std::move(r), {});
  }
  // Keep a chunk ahead of what the pace asks for.
  if (st.dialable.size() < st.cfg->lease_chunk / 2 + n)
    lease(self);
}

void tick(self_ptr self) {
  auto& st = self->state;
  if (st.state != run_state::running) {
    st.ticking = false;
    return;
  }
  if (st.messages()) {  // no agents to count
    pace(self);
    self->delayed_send(self, st.dom->clk->real_delay(tick_every), tick_atom_v);
    return;
  }
  self->request(st.router, st.dom->cfg->request_timeout, count_atom_v, st.cfg->queue, st.cfg->media)
    .then([=](std::uint32_t available, std::uint32_t eligible) {
      auto& st = self->state;
      st.ready_agents = available;
      st.agents = eligible;
      pace(self);
    });
  self->delayed_send(self, st.dom->clk->real_delay(tick_every), tick_atom_v);
}

} // namespace parley::outbound::campaign_detail
