// One outbound campaign (campaign_actor.hpp): its behaviour, control, and the abandon-rate
// window rebuilt from stored attempts before it first dials. Leases, pacing and dialing are
// in campaign_pace.cpp; previews and personal callbacks in campaign_agents.cpp.
#include "actors/outbound/campaign_actor.hpp"

#include <functional>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/outbound/campaign_state.hpp"
#include "actors/outbound/dialer_session.hpp"
#include "actors/outbound/record_fields.hpp"
#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"

namespace parley::outbound {

namespace campaign_detail {

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
  v.buffered = static_cast<std::uint32_t>(st.dialable.size() + st.previews.size()
                                          + st.personal.size());
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
  for (auto& p : st.personal)
    give_back_allowed(self, std::move(p.record), 0);
  st.personal.clear();
  refuse_previews(self, "campaign " + st.cfg->name + " is " + to_name(st.state));
}

namespace {

/// Rebuilds the abandon-rate window from the stored result rows, once: from then on the
/// campaign's own outcomes keep it (no dialer session exists before its first start, so
/// nothing is counted twice). `then` hears how it went (no error: it is loaded).
void load_window(self_ptr self, std::function<void(caf::error)> then) {
  auto& st = self->state;
  if (st.window_loaded) {
    then(caf::error{});
    return;
  }
  auto since = st.now_ms() - std::chrono::duration_cast<ms>(st.cfg->abandon_window).count();
  self->request(st.h.list_store, st.dom->cfg->storage_timeout, audit_atom_v, st.cfg->name, since)
    .then(
      [=](const std::vector<storage::answer_hour>& hours) {
        auto& st = self->state;
        if (!st.window_loaded) {
          st.abandons.load(hours);
          st.window_loaded = true;
          auto a = st.abandons.over(st.now_ms(), st.cfg->abandon_window);
          if (a.answered > 0)
            spdlog::info("campaign {}: abandon rate {:.2f} % ({} of {} answered calls in the "
                         "window), rebuilt from stored attempts",
                         st.cfg->name, a.rate() * 100, a.abandoned, a.answered);
        }
        then(caf::error{});
      },
      [=](caf::error& e) { then(std::move(e)); });
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
    // Never dial without knowing the abandon rate the last run left.
    load_window(self, [=](caf::error e) mutable {
      if (e) {
        rp.deliver(std::move(e));
        *step = nullptr;
        return;
      }
      (*step)(0);
    });
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

/// Anything leased, held or under way: a lease (or its compliance check) out, buffered,
/// previewed or personal records, agents being reserved, calls, records not written back
/// (an agent's wrap-up).
bool in_hand(const campaign_state& st) {
  return st.leasing || st.reserving > 0 || st.ringing > 0 || !st.talking.empty()
         || !st.dialable.empty() || !st.previews.empty() || !st.personal.empty()
         || !st.sessions.empty();
}

/// What is left to dial: what it holds, then what its lists have (asked of the list store,
/// which commits the records given back before it answers). A lease sent after this
/// question is answered after it, and is in hand by then: in_hand is looked at again.
caf::result<campaign_progress> progress(self_ptr self) {
  auto& st = self->state;
  campaign_progress p;
  p.state = to_name(st.state);
  p.in_hand = in_hand(st);
  if (p.in_hand || st.lists.empty())
    return p;
  auto rp = self->make_response_promise<campaign_progress>();
  auto got = std::make_shared<campaign_progress>(p);
  auto left = std::make_shared<std::size_t>(st.lists.size());
  auto failed = std::make_shared<bool>(false);
  for (auto list : st.lists)
    self->request(st.h.list_store, st.dom->cfg->storage_timeout, count_atom_v, list, st.now_ms())
      .then(
        [=](const storage::list_remaining& r) mutable {
          got->due_now |= r.due_now;
          got->later |= r.later;
          if (--*left == 0 && !*failed) {
            got->in_hand = in_hand(self->state);
            got->state = to_name(self->state.state);
            rp.deliver(*got);
          }
        },
        [=](caf::error& e) mutable {
          if (!*failed)
            rp.deliver(std::move(e));
          *failed = true;
        });
  return rp;
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
      // The status shows the stored abandon rate from the start (a failure here is retried
      // by the first start, which needs it).
      load_window(self, [=](caf::error e) {
        if (e)
          spdlog::warn("campaign {}: abandon rate not rebuilt yet: {}", self->state.cfg->name,
                       describe(e));
      });
    },
    [=](campaign_atom, caf::get_atom) { return control(self, control_op::status); },
    [=](campaign_atom, start_atom) { return control(self, control_op::start); },
    [=](campaign_atom, pause_atom) { return control(self, control_op::pause); },
    [=](campaign_atom, resume_atom) { return control(self, control_op::resume); },
    [=](campaign_atom, stop_atom) { return control(self, control_op::stop); },
    [=](campaign_atom, count_atom) { return progress(self); },
    [=](tick_atom) { tick(self); },
    [=](call_atom, std::uint64_t call, double ring_s) {
      // A live answer (or a machine passed to an agent: it needs one too): the pacer learns
      // it now, not when the call ends.
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
    [=](dial_atom, std::uint64_t, record_row& r) {
      // No gateway line for it: not an attempt. Its record waits where it was (a personal
      // callback for its agent, anything else at the front) and dialing pauses until a
      // call ends or a second passes.
      auto& st = self->state;
      if (auto it = st.sessions.find(r.id);
          it != st.sessions.end() && it->second.address() == self->current_sender())
        st.sessions.erase(it);
      --st.ringing;
      --st.dialed;
      st.no_line_until_ms = st.now_ms() + 1'000;
      if (st.now_ms() - st.no_line_logged_ms >= 60'000) {  // once a minute at most
        st.no_line_logged_ms = st.now_ms();
        spdlog::warn("campaign {}: no gateway has a free line for {} (show gateways); its "
                     "records wait", st.cfg->name, st.cfg->media);
      }
      if (st.state == run_state::stopped)
        give_back_allowed(self, std::move(r), 0);
      else if (storage::is_personal(r.record_type))
        st.personal.push_back({std::move(r), st.now_ms()});
      else
        st.dialable.push_front(std::move(r));
    },
    [=](outcome_atom, const attempt_report& r) {
      auto& st = self->state;
      auto now = st.now_s();
      st.no_line_until_ms = 0;  // a line is free again
      if (r.picked_up) {  // reported at the answer (call_atom): it was talking
        st.talking.erase(r.call);
        st.waiting.erase(r.call);
        if (r.answered) {  // a person: counts for the abandon rate (machines do not)
          ++st.answered;
          st.abandons.add(st.now_ms(), r.abandoned);
        }
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
    // -- preview (campaign_agents.cpp) ---------------------------------------------------
    [=](preview_atom, const std::string& agent) { return ask_preview(self, agent); },
    [=](preview_atom, const std::string& agent, std::uint64_t record, bool dial_it) {
      return decide_preview(self, agent, record, dial_it);
    },
    [=](preview_atom, std::uint64_t record) { preview_expired(self, record); },
    // -- the agent's side: the record of its call is with the call's dialer session ------
    [=](record_atom, record_request& q) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      auto it = st.sessions.find(q.record);
      if (it == st.sessions.end()) {
        auto why = st.previews.count(q.record)
                     ? "record " + std::to_string(q.record) + " is in preview: decide on it first"
                     : "campaign " + st.cfg->name + " holds no record " + std::to_string(q.record)
                         + " of a call (written back already, or never dialed)";
        return caf::make_error(wire::ErrorCode::unknown_id, std::move(why));
      }
      return self->delegate(it->second, record_atom_v, std::move(q));
    },
    [=](record_atom, std::uint64_t record) {
      // That session wrote its record back (a newer session of the same record, dialed
      // again since, stays).
      auto& st = self->state;
      if (auto it = st.sessions.find(record);
          it != st.sessions.end() && it->second.address() == self->current_sender())
        st.sessions.erase(it);
    },
  };
}

} // namespace

} // namespace campaign_detail

campaign_actor spawn_campaign(caf::actor_system& sys, const campaign_config* cfg) {
  return sys.spawn(campaign_detail::campaign, cfg);
}

} // namespace parley::outbound
