// One outbound campaign (campaign_actor.hpp): leases, compliance, pacing, dialer sessions.
#include "actors/outbound/campaign_actor.hpp"

#include <array>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/dialer_session.hpp"
#include "actors/outbound/record_fields.hpp"
#include "actors/runtime/domain.hpp"
#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"
#include "actors/runtime/metrics.hpp"

namespace parley::outbound {

namespace {

using storage::record_row;
using ms = std::chrono::milliseconds;

enum class run_state { loaded, running, paused, stopped };

const char* to_name(run_state s) {
  switch (s) {
    case run_state::loaded: return "loaded";
    case run_state::running: return "running";
    case run_state::paused: return "paused";
    case run_state::stopped: return "stopped";
  }
  return "unknown";
}

constexpr ms tick_every{100};
constexpr std::int64_t hour_ms = 3'600'000;

struct preview_hold {
  std::string agent;
  record_row record;
};

struct campaign_state {
  const campaign_config* cfg = nullptr;
  domain_ptr dom;
  campaign_handles h;
  router_actor router;
  run_state state = run_state::loaded;
  std::vector<std::uint64_t> lists;
  std::size_t list_cursor = 0;
  std::size_t empty_leases = 0;         ///< lists in a row that had nothing due
  std::int64_t next_lease_ms = 0;       ///< all lists were empty: not before this
  std::deque<record_row> dialable;      ///< leased and allowed, not dialed yet
  bool leasing = false;
  bool ticking = false;
  std::uint32_t reserving = 0;          ///< reservation requests out
  std::uint32_t ringing = 0;            ///< dialed, no outcome yet
  std::unordered_map<std::uint64_t, double> talking;  ///< answered call -> answered at (s)
  std::unordered_set<std::uint64_t> waiting;  ///< of those, not offered to an agent yet
  std::unordered_map<std::uint64_t, preview_hold> previews;  ///< by record id
  std::vector<caf::response_promise> preview_waiting;
  std::vector<std::string> preview_agents;
  std::unique_ptr<pacer> pace;
  abandon_window abandons;
  std::uint32_t ready_agents = 0, agents = 0;
  std::uint64_t next_call = 0;
  std::uint64_t dialed = 0, answered = 0, abandoned = 0, denied = 0;
  std::array<std::uint64_t, 16> results{};  ///< finished attempts by final call_event
  static inline const char* name = "campaign";

  std::int64_t now_ms() const { return dom->clk->now_ms(); }
  double now_s() const { return double(now_ms()) / 1000.0; }
  /// Over the compliance cap, predictive dialing falls back to reserved (progressive) calls.
  bool fallback() {
    auto a = abandons.over(now_ms(), cfg->abandon_window);
    return a.answered >= 20 && a.rate() > cfg->rules.max_abandon_rate;
  }
  bool reserved_calls() {
    return cfg->mode != dial_mode::predictive || fallback();
  }
};

using self_ptr = campaign_actor::stateful_pointer<campaign_state>;

campaign_view view(self_ptr self) {
  auto& st = self->state;
  campaign_view v;
  v.name = st.cfg->name;
  v.mode = outbound::to_name(st.cfg->mode);
  v.state = to_name(st.state);
  v.queue = st.cfg->queue;
  v.lists = st.cfg->lists;
  v.ready_agents = st.ready_agents;
  v.agents = st.agents;
  v.in_flight = st.ringing + static_cast<std::uint32_t>(st.talking.size());
  v.buffered = static_cast<std::uint32_t>(st.dialable.size() + st.previews.size());
  v.dialed = st.dialed;
  v.answered = st.answered;
  v.abandoned = st.abandoned;
  v.denied = st.denied;
  v.results.assign(st.results.begin(), st.results.end());
  v.exhausted_lists = st.empty_leases;
  v.abandon_rate = st.abandons.over(st.now_ms(), st.cfg->abandon_window).rate();
  v.answer_rate = st.pace->answer_rate();
  return v;
}

/// A record goes back to its list (not dialed): ready again, when `due_ms` comes.
void give_back(self_ptr self, record_row r, std::int64_t due_ms,
               storage::record_status status = storage::record_status::ready) {
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

/// Answers every agent waiting for a preview record with `why` (wrong_state).
void refuse_previews(self_ptr self, const std::string& why) {
  auto& st = self->state;
  for (auto& rp : st.preview_waiting)
    rp.deliver(caf::make_error(wire::ErrorCode::wrong_state, why));
  st.preview_waiting.clear();
  st.preview_agents.clear();
}

void release_all(self_ptr self) {
  auto& st = self->state;
  auto now = st.now_ms();
  for (auto& r : st.dialable) {
    auto due = r.dial_sched_ms > now ? r.dial_sched_ms : 0;
    give_back_allowed(self, std::move(r), due);
  }
  st.dialable.clear();
  for (auto& [id, p] : st.previews)
    give_back_allowed(self, std::move(p.record), 0);
  st.previews.clear();
  refuse_previews(self, "campaign " + st.cfg->name + " is " + to_name(st.state));
}

void serve_previews(self_ptr self);

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
      case deny_reason::none: st.dialable.push_back(std::move(r)); continue;
      case deny_reason::outside_window: give_back(self, std::move(r), vs[i].retry_ms); break;
      case deny_reason::suppressed_phone:
      case deny_reason::suppressed_customer:
      case deny_reason::unknown_zone:
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
  self->link_to(spawn_dialer_session(self->system(), std::move(s)));
  ++st.ringing;
  ++st.dialed;
  st.pace->on_dial(st.now_s());
}

/// Dials one record with an agent reserved for it (progressive, fallback, preview).
void dial_reserved(self_ptr self, record_row r, const std::string& agent = {}) {
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

void pace(self_ptr self) {
  auto& st = self->state;
  if (st.state != run_state::running)
    return;
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
  self->request(st.router, st.dom->cfg->request_timeout, count_atom_v, st.cfg->queue, st.cfg->media)
    .then([=](std::uint32_t available, std::uint32_t eligible) {
      auto& st = self->state;
      st.ready_agents = available;
      st.agents = eligible;
      pace(self);
    });
  self->delayed_send(self, st.dom->clk->real_delay(tick_every), tick_atom_v);
}

void serve_previews(self_ptr self) {
  auto& st = self->state;
  while (!st.preview_waiting.empty() && !st.dialable.empty()) {
    auto r = std::move(st.dialable.front());
    st.dialable.pop_front();
    auto rp = st.preview_waiting.front();
    auto agent = st.preview_agents.front();
    st.preview_waiting.erase(st.preview_waiting.begin());
    st.preview_agents.erase(st.preview_agents.begin());
    preview_record p;
    p.campaign = st.cfg->name;
    p.record_id = r.id;
    p.phone = r.phone;
    p.customer_id = r.customer_id;
    p.fields = {{"tz", r.tz},
                {"attempts", std::to_string(r.attempts)},
                {"call_result", outbound::to_name(static_cast<storage::call_result>(r.call_result))},
                {"chain_id", std::to_string(r.chain_id)},
                {"custom", r.custom}};
    p.timeout_ms = static_cast<std::uint32_t>(st.cfg->preview_timeout.count());
    auto id = r.id;
    st.previews[id] = preview_hold{agent, std::move(r)};
    self->delayed_send(self, st.dom->clk->real_delay(st.cfg->preview_timeout), preview_atom_v, id);
    rp.deliver(std::move(p));
  }
  if (!st.preview_waiting.empty()) {
    lease(self);
    // Nothing to lease now (every list was empty a moment ago): agents hear so at once.
    if (!st.leasing)
      refuse_previews(self, "nothing is due in campaign " + st.cfg->name + " now");
  }
}

/// The control operations (campaign_actor's (campaign_atom, ...) messages).
enum class control_op { status, start, pause, resume, stop };

caf::result<campaign_view> control(self_ptr self, control_op op) {
  auto& st = self->state;
  auto bad = [&](const std::string& why) {
    return caf::make_error(wire::ErrorCode::wrong_state,
                           "campaign " + st.cfg->name + " is " + to_name(st.state) + ": " + why);
  };
  if (op == control_op::status)
    return view(self);
  if (op == control_op::start) {
    if (st.state == run_state::running || st.state == run_state::paused)
      return bad("start it after stop");
    // Resolve the lists first: a campaign with a missing list does not start.
    auto rp = self->make_response_promise<campaign_view>();
    auto ids = std::make_shared<std::vector<std::uint64_t>>();
    auto names = st.cfg->lists;
    auto step = std::make_shared<std::function<void(std::size_t)>>();
    *step = [=](std::size_t i) mutable {
      auto& st = self->state;
      if (i == names.size()) {
        st.lists = *ids;
        st.list_cursor = 0;
        st.empty_leases = 0;
        st.next_lease_ms = 0;
        st.state = run_state::running;
        spdlog::info("campaign {} started ({}, queue {})", st.cfg->name, outbound::to_name(st.cfg->mode),
                     st.cfg->queue);
        if (!st.ticking) {
          st.ticking = true;
          tick(self);
        }
        lease(self);
        rp.deliver(view(self));
        *step = nullptr;  // breaks the cycle through the captured step
        return;
      }
      self->request(st.h.list_store, st.dom->cfg->storage_timeout, lookup_atom_v, names[i])
        .then([=](std::uint64_t id) mutable {
                ids->push_back(id);
                (*step)(i + 1);
              },
              [=](caf::error& e) mutable {
                rp.deliver(e);
                *step = nullptr;
              });
    };
    (*step)(0);
    return rp;
  }
  if (op == control_op::pause) {
    if (st.state != run_state::running)
      return bad("only a running campaign pauses");
    st.state = run_state::paused;
    return view(self);
  }
  if (op == control_op::resume) {
    if (st.state != run_state::paused)
      return bad("only a paused campaign resumes");
    st.state = run_state::running;
    if (!st.ticking) {
      st.ticking = true;
      tick(self);
    }
    return view(self);
  }
  // stop
  if (st.state == run_state::stopped || st.state == run_state::loaded)
    return bad("it is not running");
  st.state = run_state::stopped;
  release_all(self);
  spdlog::info("campaign {} stopped; {} call(s) still finishing", st.cfg->name,
               st.ringing + st.talking.size());
  return view(self);
}

campaign_actor::behavior_type campaign(self_ptr self, const campaign_config* cfg) {
  auto& st0 = self->state;
  st0.cfg = cfg;
  pacing_params p;
  p.mode = cfg->mode;
  p.lines_per_agent = cfg->lines_per_agent;
  p.target_abandon = cfg->target_abandon;
  p.max_in_flight = cfg->max_in_flight;
  st0.pace = std::make_unique<pacer>(p);
  harden(self);
  self->set_exit_handler([=](caf::exit_msg& m) {
    // Dialer sessions are linked: their normal ends are no reason to stop.
    if (m.reason == caf::exit_reason::normal)
      return;
    release_all(self);
    self->quit(m.reason);
  });
  return {
    [=](init_atom, const domain_ptr& dom, const campaign_handles& h) {
      auto& st = self->state;
      st.dom = dom;
      st.h = h;
      auto* q = dom->cfg->find_queue(st.cfg->queue);
      st.router = dom->router(q ? q->tenant : st.cfg->tenant);
      // Call ids name calls at the gateway, which serves every campaign: each campaign
      // numbers its calls in a range of its own (its position in the config, top bits),
      // or two campaigns' calls would collide there and one of them would never end.
      auto& all = dom->cfg->outbound.campaigns;
      for (std::size_t i = 0; i < all.size(); ++i)
        if (all[i].name == st.cfg->name)
          st.next_call = static_cast<std::uint64_t>(i + 1) << 40;
    },
    [=](campaign_atom, caf::get_atom) { return control(self, control_op::status); },
    [=](campaign_atom, start_atom) { return control(self, control_op::start); },
    [=](campaign_atom, pause_atom) { return control(self, control_op::pause); },
    [=](campaign_atom, resume_atom) { return control(self, control_op::resume); },
    [=](campaign_atom, stop_atom) { return control(self, control_op::stop); },
    [=](tick_atom) { tick(self); },
    [=](call_atom, std::uint64_t call, double ring_s) {
      // A live answer: the pacer learns it now, not when the call ends.
      auto& st = self->state;
      --st.ringing;
      st.talking[call] = st.now_s();
      st.waiting.insert(call);
      st.pace->on_outcome(st.now_s(), true, ring_s);
    },
    [=](call_atom, std::uint64_t call) {
      // That answered call reached an agent.
      self->state.waiting.erase(call);
    },
    [=](outcome_atom, const attempt_report& r) {
      auto& st = self->state;
      auto now = st.now_s();
      if (r.answered) {
        st.talking.erase(r.call);
        st.waiting.erase(r.call);
        ++st.answered;
        st.abandons.add(st.now_ms(), r.abandoned);
        if (r.abandoned) {
          ++st.abandoned;
          st.pace->on_abandon(now);
        } else {
          st.pace->on_release(now, r.handle_s);
        }
      } else {
        --st.ringing;
        st.pace->on_outcome(now, false, r.ring_s);
      }
      if (!r.abandoned)
        ++st.results[std::min<std::size_t>(r.event, st.results.size() - 1)];
      if (st.dom->stats) {
        auto result = result_of(r.event, r.abandoned);
        self->send(st.dom->stats, dial_atom_v, st.cfg->tenant, st.cfg->name,
                   std::string{outbound::to_name(static_cast<storage::call_result>(result))}, st.now_ms());
      }
      pace(self);
    },
    // -- preview ---------------------------------------------------------------------------
    [=](preview_atom, const std::string& agent) -> caf::result<preview_record> {
      auto& st = self->state;
      if (st.cfg->mode != dial_mode::preview)
        return caf::make_error(wire::ErrorCode::wrong_state,
                               "campaign " + st.cfg->name + " is not a preview campaign");
      if (st.state != run_state::running)
        return caf::make_error(wire::ErrorCode::wrong_state,
                               "campaign " + st.cfg->name + " is " + to_name(st.state));
      for (auto& [id, p] : st.previews)
        if (p.agent == agent)
          return caf::make_error(wire::ErrorCode::wrong_state,
                                 agent + " holds record " + std::to_string(id) + " already");
      auto rp = self->make_response_promise<preview_record>();
      st.preview_waiting.push_back(rp);
      st.preview_agents.push_back(agent);
      serve_previews(self);
      return rp;
    },
    [=](preview_atom, const std::string& agent, std::uint64_t record,
        bool dial_it) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      auto it = st.previews.find(record);
      if (it == st.previews.end() || it->second.agent != agent)
        return caf::make_error(wire::ErrorCode::unknown_id,
                               "record " + std::to_string(record) + " is not previewed by " + agent);
      auto r = std::move(it->second.record);
      st.previews.erase(it);
      if (dial_it && !window_still_open(self, r))
        return caf::make_error(wire::ErrorCode::wrong_state,
                               "record " + std::to_string(record)
                                 + " is outside its calling window now; it goes back to its list");
      if (dial_it)
        dial_reserved(self, std::move(r), agent);
      else
        give_back_allowed(self, std::move(r), 0);
      return caf::ok_atom_v;
    },
    [=](preview_atom, std::uint64_t record) {
      // A previewed record nobody decided on in time goes back to its list.
      auto& st = self->state;
      auto it = st.previews.find(record);
      if (it == st.previews.end())
        return;
      spdlog::info("campaign {}: record {} previewed by {} timed out", st.cfg->name, record,
                   it->second.agent);
      give_back_allowed(self, std::move(it->second.record), 0);
      st.previews.erase(it);
    },
  };
}

} // namespace

campaign_actor spawn_campaign(caf::actor_system& sys, const campaign_config* cfg) {
  return sys.spawn(campaign, cfg);
}

} // namespace parley::outbound
