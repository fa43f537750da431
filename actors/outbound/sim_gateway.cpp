// The simulated telephony gateway (gateway.hpp): one scheduled actor for every call, timers
// on the domain clock, outcomes from one seeded generator.
#include <random>
#include <unordered_map>

#include <caf/all.hpp>

#include "actors/outbound/gateway.hpp"
#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"

namespace parley::outbound {

const char* to_name(call_event e) {
  switch (e) {
    case call_event::ringing: return "ringing";
    case call_event::answered: return "answered";
    case call_event::busy: return "busy";
    case call_event::no_answer: return "no_answer";
    case call_event::machine: return "answering_machine";
    case call_event::fax: return "fax";
    case call_event::sit: return "sit";
    case call_event::dropped: return "dropped";
    case call_event::hangup: return "hangup";
    case call_event::failed: return "failed";
    case call_event::delivered: return "delivered";
    case call_event::undeliverable: return "undeliverable";
    case call_event::opted_out: return "opted_out";
  }
  return "unknown";
}

namespace {

struct call {
  call_party_actor session;
  call_event outcome;
  std::chrono::milliseconds talk{0};
};

struct gateway_state {
  gateway_config cfg;
  std::shared_ptr<const clock> clk;
  std::mt19937_64 rng;
  std::discrete_distribution<int> outcome;
  std::discrete_distribution<int> message_outcome;
  std::unordered_map<std::uint64_t, call> calls;
  static inline const char* name = "sim_gateway";

  std::chrono::milliseconds ring_time() {
    std::uniform_real_distribution<double> u{0.25, 1.75};
    return std::chrono::milliseconds{static_cast<std::int64_t>(u(rng) * double(cfg.ring_mean.count()))};
  }
};

/// The simulated gateway: the contract, and its own timers.
using sim_gateway_actor = gateway_actor::extend<
  // The call's outcome, then (answered calls) the customer's hangup. (call, event)
  caf::reacts_to<call_atom, std::uint64_t, std::uint8_t>>;

using gateway_self = sim_gateway_actor::stateful_pointer<gateway_state>;

constexpr call_event outcomes[] = {call_event::answered, call_event::busy, call_event::no_answer,
                                   call_event::machine,  call_event::fax,  call_event::sit,
                                   call_event::dropped};
constexpr call_event message_outcomes[] = {call_event::delivered, call_event::undeliverable,
                                           call_event::opted_out};

void later(gateway_self self, std::chrono::milliseconds d, std::uint64_t id, call_event e) {
  self->delayed_send(self, self->state.clk->real_delay(d), call_atom_v, id,
                     static_cast<std::uint8_t>(e));
}

sim_gateway_actor::behavior_type simulated_gateway(gateway_self self, gateway_config cfg,
                                                    std::shared_ptr<const clock> clk) {
  auto& st = self->state;
  st.rng.seed(cfg.seed);
  st.outcome = std::discrete_distribution<int>{cfg.answer, cfg.busy, cfg.no_answer, cfg.machine,
                                               cfg.fax, cfg.sit, cfg.dropped};
  st.message_outcome = std::discrete_distribution<int>{cfg.delivered, cfg.undeliverable, cfg.opted_out};
  st.cfg = std::move(cfg);
  st.clk = std::move(clk);
  harden(self);
  return {
    [=](dial_atom, const dial_request& req,
        const call_party_actor& session) -> caf::result<caf::ok_atom> {
      auto& st = self->state;
      auto id = req.call;
      if (st.calls.size() >= st.cfg.max_lines)
        return caf::make_error(wire::ErrorCode::limit_exceeded, "all gateway lines are busy");
      if (req.media == "sms" || req.media == "email") {
        // A message: one final event after a delay like a ring (no ringing before it).
        auto outcome = message_outcomes[st.message_outcome(st.rng)];
        st.calls.emplace(id, call{session, outcome, {}});
        later(self, st.ring_time(), id, outcome);
        return caf::ok_atom_v;
      }
      auto outcome = outcomes[st.outcome(st.rng)];
      call c{session, outcome, {}};
      auto ring = outcome == call_event::no_answer ? st.cfg.no_answer_after : st.ring_time();
      if (outcome == call_event::answered || outcome == call_event::machine) {
        // A person talks this long; a machine records a message at most this long.
        std::exponential_distribution<double> talk{1.0 / double(st.cfg.talk_mean.count())};
        c.talk = std::chrono::milliseconds{static_cast<std::int64_t>(talk(st.rng)) + 1};
      }
      st.calls.emplace(id, std::move(c));
      self->send(session, call_atom_v, id, static_cast<std::uint8_t>(call_event::ringing));
      later(self, ring, id, outcome);
      return caf::ok_atom_v;
    },
    [=](call_atom, std::uint64_t id, std::uint8_t ev) {
      // Own timers: the call's outcome, then (answered calls, machines) the far end's hangup.
      auto& st = self->state;
      auto it = st.calls.find(id);
      if (it == st.calls.end())
        return;  // ended by the dialer meanwhile
      auto e = static_cast<call_event>(ev);
      self->send(it->second.session, call_atom_v, id, ev);
      if (e == call_event::answered || e == call_event::machine)
        later(self, it->second.talk, id, call_event::hangup);
      else
        st.calls.erase(it);
    },
    [=](hangup_atom, std::uint64_t id) { self->state.calls.erase(id); },
  };
}

} // namespace

gateway_actor spawn_simulated_gateway(caf::actor_system& sys, gateway_config cfg,
                                      std::shared_ptr<const clock> clk) {
  return sys.spawn(simulated_gateway, std::move(cfg), std::move(clk));
}

} // namespace parley::outbound
