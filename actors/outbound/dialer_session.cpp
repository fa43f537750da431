// One call attempt (dialer_session.hpp).
#include "actors/outbound/dialer_session.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/interaction/interaction_registry.hpp"
#include "actors/outbound/gateway.hpp"
#include "actors/outbound/messages.hpp"
#include "actors/outbound/record_actions.hpp"
#include "actors/runtime/domain.hpp"
#include "actors/runtime/harden.hpp"
#include "actors/runtime/types.hpp"
#include "actors/runtime/metrics.hpp"
#include "protocol/codec.hpp"

namespace parley::outbound {

using storage::call_result;

std::uint8_t result_of(std::uint8_t event, bool abandoned) {
  if (abandoned)
    return static_cast<std::uint8_t>(call_result::dropped);  // dropped by the dialer
  switch (static_cast<call_event>(event)) {
    case call_event::answered:
    case call_event::hangup: return static_cast<std::uint8_t>(call_result::answer);
    case call_event::busy: return static_cast<std::uint8_t>(call_result::busy);
    case call_event::no_answer: return static_cast<std::uint8_t>(call_result::no_answer);
    case call_event::machine: return static_cast<std::uint8_t>(call_result::answering_machine);
    case call_event::fax: return static_cast<std::uint8_t>(call_result::fax);
    case call_event::sit: return static_cast<std::uint8_t>(call_result::sit);
    case call_event::delivered: return static_cast<std::uint8_t>(call_result::delivered);
    case call_event::undeliverable: return static_cast<std::uint8_t>(call_result::undeliverable);
    case call_event::opted_out: return static_cast<std::uint8_t>(call_result::opted_out);
    default: return static_cast<std::uint8_t>(call_result::error);
  }
}

treated apply_treatment(const campaign_config& c, storage::record_row r, std::uint8_t result,
                        bool abandoned, std::int64_t now_ms) {
  treated out;
  auto t = c.treatment_for(abandoned ? abandoned_result : result);
  r.call_result = result;
  r.call_time_ms = now_ms;
  ++r.attempts;
  r.record_status = static_cast<std::uint8_t>(storage::record_status::updated);
  if (t.action == treatment_action::retry && r.attempts < t.max_attempts) {
    r.record_status = static_cast<std::uint8_t>(storage::record_status::ready);
    r.dial_sched_ms = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(t.after).count();
  } else if (r.chain_id != 0) {
    // Retries used up count as "next": this number failed, the customer's others may not.
    out.chain = t.action == treatment_action::final ? chain_step::close : chain_step::next;
  }
  out.record = std::move(r);
  return out;
}

namespace {

struct session_state {
  dialer_setup s;
  std::uint64_t iid = 0;           ///< the interaction of an answered call
  interaction_actor interaction;
  bool answered = false, reached = false, abandoned = false, ended = false;
  bool machine = false;            ///< a machine answered and the campaign passed it to an agent
  bool placed = false;             ///< the gateway took the call: an attempt (history, counts)
  bool submitting = false;         ///< the answered call's interaction is being created
  std::int64_t dialed_ms = 0, answered_ms = 0, connected_ms = 0;  ///< answered_ms: picked up
  std::string connected_to;        ///< the agent the answered call was offered to (last)
  std::uint8_t final_event = 0;
  bool reservation_open = false;   ///< the reserved agent still waits for this call
  // -- the agent's side: its desktop's actions on the record ----------------------------
  record_edits edits;              ///< what the agent set, applied when it is written back
  std::uint8_t result = 0;         ///< the call's result (set when the call is over)
  bool processed = false;          ///< the agent said RecordProcessed
  bool written = false;            ///< the record went back to its list
  bool dnc_pending = false;        ///< a do-not-call entry is being added
  bool write_when_added = false;   ///< written back once it is
  static inline const char* name = "dialer_session";
};

using session_self = dialer_session_actor::stateful_pointer<session_state>;

/// The attempt's dial row (storage/outbound_rows.hpp: the result row adds to it).
storage::attempt_row attempt_row_of(const dialer_setup& s, std::int64_t dialed_ms) {
  auto& r = s.record;
  storage::attempt_row row{r.id, r.list_id, r.chain_id, r.customer_id, r.phone,
                           s.campaign->name, dialed_ms, 0};
  row.agent = s.agent;
  return row;
}

requester dialer_requester(session_self self) {
  return requester{wire::ClientType::media_gateway, {}, caf::actor_cast<client_actor>(self), {}};
}

void release_agent(session_self self) {
  auto& st = self->state;
  if (!st.reservation_open)
    return;
  st.reservation_open = false;
  auto* q = st.s.dom->cfg->find_queue(st.s.campaign->queue);
  self->send(st.s.dom->router(q ? q->tenant : "default"), unreserve_atom_v, st.s.agent,
             st.s.campaign->media);
}

/// Quits once the record is written back and no interaction is being created (one still
/// being created must be found and stopped first — submit's answer: otherwise it would wait
/// in its queue, or ring an agent, for a customer who is gone).
void maybe_quit(session_self self) {
  if (self->state.written && !self->state.submitting)
    self->quit();
}

/// The record goes back to its list: the call result's treatment with the agent's edits
/// on top, and what that means for the record's chain. The campaign stops routing the
/// agent's actions here.
void write_back(session_self self) {
  auto& st = self->state;
  if (st.written)
    return;
  if (st.dnc_pending) {  // the agent's do-not-call must be in it
    st.write_when_added = true;
    return;
  }
  st.written = true;
  auto now = st.s.dom->clk->now_ms();
  auto& r = st.s.record;
  auto t = apply_treatment(*st.s.campaign, r, st.result, st.abandoned, now);
  auto chain = t.chain;
  switch (apply(st.edits, t.record)) {
    case chain_effect::as_treated: break;
    case chain_effect::none: chain = chain_step::none; break;
    case chain_effect::next: chain = chain_step::next; break;
    case chain_effect::close: chain = chain_step::close; break;
  }
  self->send(st.s.list_store, outcome_atom_v, t.record);
  if (chain != chain_step::none)
    self->send(st.s.list_store, chain_atom_v, r.list_id, r.chain_id, r.chain_n, now,
               chain == chain_step::close);
  self->send(st.s.owner, record_atom_v, r.id);
  maybe_quit(self);
}

/// What the agent set is stored at once, the record still leased (`retrieved`): an engine
/// stopped or killed before the write-back loses none of it — recovery makes the record
/// ready as the agent left it (a callback due at its time, a do-not-call never dialed).
void store_edits(session_self self) {
  auto& st = self->state;
  auto r = st.s.record;
  apply(st.edits, r);
  r.record_status = static_cast<std::uint8_t>(storage::record_status::retrieved);
  self->send(st.s.list_store, outcome_atom_v, std::move(r));
}

/// One entry of the campaign's action log (and its count).
void log_action(session_self self, const std::string& agent, std::string action, std::string detail) {
  auto& st = self->state;
  for (std::size_t i = 0; i < action_names.size(); ++i)
    if (action == action_names[i])
      st.s.dom->metrics->record_actions[i].fetch_add(1, std::memory_order_relaxed);
  storage::record_action_row a{st.s.dom->clk->now_ms(), st.s.campaign->name, st.s.record.list_id,
                               st.s.record.id, agent, std::move(action), std::move(detail)};
  self->send(st.s.list_store, action_atom_v, std::move(a));
}

/// An agent's desktop acts on the record: only the agent the call was offered to, while the
/// call is up or the record waits for its RecordProcessed.
caf::result<caf::ok_atom> on_request(session_self self, record_request& q) {
  auto& st = self->state;
  if (st.written)
    return caf::make_error(wire::ErrorCode::unknown_id,
                           "record " + std::to_string(q.record) + " was written back already");
  if (st.connected_to.empty() || st.connected_to != q.agent)
    return caf::make_error(wire::ErrorCode::wrong_state,
                           "record " + std::to_string(q.record) + " is not of a call offered to "
                             + q.agent);
  auto now = st.s.dom->clk->now_ms();
  if (q.what() == record_op::processed) {
    log_action(self, q.agent, "processed", st.ended ? "" : "during the call");
    st.processed = true;
    if (st.ended)
      write_back(self);
    return caf::ok_atom_v;
  }
  // Checked on a copy: a refused request changes nothing.
  auto edits = st.edits;
  auto t = take(*st.s.campaign, st.s.record, q, now, edits);
  if (!t.error.empty())
    return caf::make_error(wire::ErrorCode::invalid_argument, t.error);
  if (q.what() != record_op::do_not_call) {
    st.edits = std::move(edits);
    store_edits(self);
    log_action(self, q.agent, to_name(q.what()), std::move(t.detail));
    return caf::ok_atom_v;
  }
  // Do-not-call: acknowledged once the suppression list has it (stored, or in Redis).
  if (st.dnc_pending)
    return caf::make_error(wire::ErrorCode::wrong_state, "a do-not-call request is under way");
  st.dnc_pending = true;
  auto rp = self->make_response_promise<caf::ok_atom>();
  auto agent = q.agent;
  auto added = [=](bool ok) {
    auto& st = self->state;
    st.dnc_pending = false;
    if (ok) {
      st.edits.do_not_call = edits.do_not_call;
      st.edits.rescheduled = false;
      store_edits(self);
    }
    if (st.write_when_added)
      write_back(self);
  };
  self->request(st.s.compliance, st.s.dom->cfg->storage_timeout, caf::add_atom_v, t.kind,
                std::vector<std::string>{t.value})
    .then(
      [=](std::uint64_t) mutable {
        auto& st = self->state;
        spdlog::info("campaign {}: agent {} put {} on the do-not-call list (record {})",
                     st.s.campaign->name, agent, t.detail, st.s.record.id);
        log_action(self, agent, "do_not_call", t.detail);
        added(true);
        rp.deliver(caf::ok_atom_v);
      },
      [=](caf::error& e) mutable {
        added(false);
        rp.deliver(std::move(e));
      });
  return rp;
}

/// The attempt is over: history, treatment, report, quit.
void finish(session_self self, std::uint8_t event) {
  auto& st = self->state;
  if (st.ended)
    return;
  st.ended = true;
  if (st.machine)  // whoever hung up, a machine answered it
    event = static_cast<std::uint8_t>(call_event::machine);
  st.final_event = event;
  release_agent(self);
  auto now = st.s.dom->clk->now_ms();
  auto result = result_of(event, st.abandoned);
  if (event == static_cast<std::uint8_t>(call_event::machine)
      && st.s.campaign->answering_machine == machine_policy::no_answer)
    result = static_cast<std::uint8_t>(call_result::no_answer);
  auto& r = st.s.record;
  auto row = attempt_row_of(st.s, st.dialed_ms);
  row.call_result = result;
  row.answered_ms = st.answered ? st.answered_ms : 0;
  row.connected_ms = st.connected_ms;
  row.ended_ms = now;
  row.abandoned = st.abandoned;
  if (!st.connected_to.empty())
    row.agent = st.connected_to;
  self->send(st.s.list_store, attempt_atom_v, std::move(row));
  st.result = result;
  auto& m = *st.s.dom->metrics;
  // An abandoned call counts once, as abandoned (dial_abandoned), not also as the event
  // it ended with: the results add up to the attempts.
  if (!st.abandoned)
    m.dial_results[std::min<std::size_t>(event, m.dial_results.size() - 1)].fetch_add(1, std::memory_order_relaxed);
  m.dials_in_flight.fetch_sub(1, std::memory_order_relaxed);
  attempt_report rep;
  rep.call = st.s.call;
  rep.record = r.id;
  rep.event = event;
  rep.answered = st.answered;
  rep.picked_up = st.answered || st.machine;
  rep.abandoned = st.abandoned;
  rep.reserved = !st.s.agent.empty();
  auto end_ring = rep.picked_up ? st.answered_ms : now;
  rep.ring_s = double(end_ring - st.dialed_ms) / 1000.0;
  rep.handle_s = rep.picked_up ? double(now - st.answered_ms) / 1000.0 : 0.0;
  self->send(st.s.owner, outcome_atom_v, rep);
  // The agent it was connected to may still be wrapping it up: with a
  // record_processed_timeout the record waits for its RecordProcessed.
  auto wait = st.s.campaign->record_processed_timeout;
  if (!st.processed && !st.connected_to.empty() && wait.count() > 0) {
    self->delayed_send(self, st.s.dom->clk->real_delay(wait), record_atom_v);
    return;
  }
  write_back(self);
}

void stop_interaction(session_self self, const std::string& reason) {
  auto& st = self->state;
  if (st.interaction)
    caf::anon_send(st.interaction, stop_atom_v, dialer_requester(self), reason);  // no answer wanted
}

/// A live answer — or a machine the campaign passes to an agent to leave a message: the call
/// becomes an interaction in the campaign's queue. Only a live answer must reach an agent
/// within abandon_after (a machine is never abandoned: the rules are about people).
void to_agent(session_self self, bool machine) {
  auto& st = self->state;
  st.answered = !machine;
  st.machine = machine;
  st.answered_ms = st.s.dom->clk->now_ms();
  self->send(st.s.owner, call_atom_v, st.s.call, double(st.answered_ms - st.dialed_ms) / 1000.0);
  auto& c = *st.s.campaign;
  auto& r = st.s.record;
  submit_request req;
  // Unique across engine runs (call numbers restart with the engine, and a call recovered
  // from the last run may still be waiting): the record and the instant it was dialed.
  req.external_id = "outbound:" + c.name + ":" + std::to_string(r.id) + ":"
                    + std::to_string(st.dialed_ms);
  req.tenant = c.tenant;
  req.media = c.media;
  req.queue = c.queue;
  req.priority = 1000;  // an answered customer on the line goes before anything waiting
  req.reserved_for = st.s.agent;
  req.properties = {{"campaign", c.name},           {"record_id", std::to_string(r.id)},
                    {"phone", r.phone},             {"customer_id", r.customer_id},
                    {"list_id", std::to_string(r.list_id)}, {"chain_id", std::to_string(r.chain_id)},
                    {"attempt", std::to_string(r.attempts + 1)}, {"tz", r.tz},
                    {"answered_by", machine ? "machine" : "person"}, {"custom", r.custom}};
  st.reservation_open = false;  // the reservation travels with the interaction now
  req.time = budget::within(st.s.dom->cfg->request_timeout);
  st.submitting = true;
  self->request(st.s.dom->interactions, st.s.dom->cfg->request_timeout, submit_atom_v,
                std::move(req), caf::actor_cast<client_actor>(self))
    .then(
      [=](std::uint64_t id, bool, wire::InteractionState) {
        auto& st = self->state;
        st.iid = id;
        self->request(st.s.dom->interactions, st.s.dom->cfg->request_timeout, lookup_atom_v, id)
          .then(
            [=](const interaction_actor& a) {
              auto& st = self->state;
              st.submitting = false;
              st.interaction = a;
              // Abandoned, or the customer hung up, while it was being created.
              if (st.abandoned || st.ended)
                stop_interaction(self, st.abandoned ? "abandoned" : "customer hung up");
              maybe_quit(self);
            },
            [=](caf::error&) {
              self->state.submitting = false;
              maybe_quit(self);
            });
      },
      [=](caf::error& e) {
        auto& st = self->state;
        st.submitting = false;
        if (st.ended) {  // over already (abandoned, hung up): nothing was created to stop
          maybe_quit(self);
          return;
        }
        // Nowhere to put the customer: the call is abandoned (a machine is just hung up).
        spdlog::warn("campaign {}: answered call {} could not be queued: {}", c.name,
                     st.s.call, describe(e));
        if (!st.s.agent.empty()) {  // the pinned delivery never happened
          st.reservation_open = true;
          release_agent(self);
        }
        if (!st.machine) {
          st.abandoned = true;
          st.s.dom->metrics->dial_abandoned.fetch_add(1, std::memory_order_relaxed);
        }
        self->send(st.s.gateway, hangup_atom_v, st.s.call);
        finish(self, static_cast<std::uint8_t>(call_event::answered));
      });
  if (!machine)
    self->delayed_send(self, st.s.dom->clk->real_delay(c.abandon_after), caf::timeout_atom_v);
}

/// A message's final event: the recipient who opted out goes on the media's do-not-call
/// list (kind sms or email), then the attempt ends like a call's.
void finish_message(session_self self, std::uint8_t ev) {
  auto& st = self->state;
  if (static_cast<call_event>(ev) == call_event::opted_out) {
    auto& media = st.s.campaign->media;
    std::string value = st.s.record.phone;
    if (media == "email")
      email_of(st.s.record, value);
    spdlog::debug("campaign {}: {} opted out of {}", st.s.campaign->name, value, media);
    self->send(st.s.compliance, caf::add_atom_v, media, std::move(value));
  }
  finish(self, ev);
}

/// The gateway took the call: it is an attempt from here on — its dial row, the compliance
/// attempt count, the dial metrics.
void placed(session_self self) {
  auto& st = self->state;
  if (st.placed)
    return;
  st.placed = true;
  auto& r = st.s.record;
  self->send(st.s.list_store, attempt_atom_v, attempt_row_of(st.s, st.dialed_ms));
  self->send(st.s.compliance, attempt_atom_v, r.id, r.customer_id, st.dialed_ms);
  st.s.dom->metrics->dials.fetch_add(1, std::memory_order_relaxed);
  st.s.dom->metrics->dials_in_flight.fetch_add(1, std::memory_order_relaxed);
}

/// No gateway had a free line: nothing was dialed. The record goes back to the campaign
/// (still allowed by compliance, dialed when a line frees up) and the agent held for it is
/// released; no history, no attempt.
void not_placed(session_self self, const caf::error& e) {
  auto& st = self->state;
  spdlog::debug("campaign {}: call {} not placed: {}", st.s.campaign->name, st.s.call, describe(e));
  st.s.dom->metrics->dials_not_placed.fetch_add(1, std::memory_order_relaxed);
  release_agent(self);
  st.ended = st.written = true;
  self->send(st.s.owner, dial_atom_v, st.s.call, st.s.record);
  self->quit();
}

dialer_session_actor::behavior_type dialer_session(session_self self, dialer_setup setup) {
  auto& st0 = self->state;
  st0.s = std::move(setup);
  st0.reservation_open = !st0.s.agent.empty();
  st0.dialed_ms = st0.s.dom->clk->now_ms();
  harden(self);
  self->set_exit_handler([=](caf::exit_msg& m) {
    // Its campaign stopped (the engine shuts down): a record waiting for its agent's
    // RecordProcessed goes back with what the agent set, if the list store still takes it
    // (else what store_edits wrote stands); a call still up is released as stale at the
    // next start.
    if (m.reason == caf::exit_reason::normal)  // CAF's default: a normal end is no reason
      return;
    auto& st = self->state;
    if (st.ended && !st.written) {
      st.dnc_pending = false;
      write_back(self);
    }
    self->quit(m.reason);
  });
  dial_request req;
  req.call = st0.s.call;
  req.phone = st0.s.record.phone;
  req.caller_id = st0.s.campaign->caller_id;
  req.media = st0.s.campaign->media;
  req.campaign = st0.s.campaign->name;
  req.timeout_ms = static_cast<std::uint32_t>(st0.s.dom->cfg->outbound.gateway.no_answer_after.count());
  if (is_message_media(req.media)) {
    req.text = fill_template(st0.s.campaign->message, st0.s.record);
    if (req.media == "email") {
      email_of(st0.s.record, req.email);  // compliance let it through: it has one
      req.subject = fill_template(st0.s.campaign->subject, st0.s.record);
    }
  }
  self->request(st0.s.gateway, st0.s.dom->cfg->request_timeout, dial_atom_v, std::move(req),
                caf::actor_cast<call_party_actor>(self))
    .then([=](caf::ok_atom) { placed(self); },
          [=](caf::error& e) {
            if (wire_code(e) == wire::ErrorCode::limit_exceeded && !self->state.placed) {
              not_placed(self, e);
              return;
            }
            spdlog::debug("dial {} failed: {}", self->state.s.call, describe(e));
            placed(self);
            finish(self, static_cast<std::uint8_t>(call_event::failed));
          });
  return {
    [=](call_atom, std::uint64_t, std::uint8_t ev) {
      auto& st = self->state;
      if (st.ended)
        return;
      placed(self);  // a gateway may report before its answer to the dial arrives
      if (is_message_media(st.s.campaign->media)) {
        // A message has no answer, only its final event.
        if (is_final(static_cast<call_event>(ev)))
          finish_message(self, ev);
        return;
      }
      switch (static_cast<call_event>(ev)) {
        case call_event::ringing:
          return;
        case call_event::answered:
          to_agent(self, false);
          return;
        case call_event::machine:
          if (st.s.campaign->answering_machine == machine_policy::agent) {
            to_agent(self, true);
            return;
          }
          self->send(st.s.gateway, hangup_atom_v, st.s.call);  // the machine's line is up
          finish(self, ev);
          return;
        case call_event::hangup:
        case call_event::failed:
          // The customer hung up, or the line is gone (its gateway went away): whoever has
          // the call is done with it.
          if (ev == static_cast<std::uint8_t>(call_event::failed))
            stop_interaction(self, "line lost");
          else
            stop_interaction(self, st.abandoned ? "abandoned" : "customer hung up");
          finish(self, ev);
          return;
        default:
          finish(self, ev);
      }
    },
    [=](caf::timeout_atom) {
      auto& st = self->state;
      if (st.reached || st.ended)
        return;
      st.abandoned = true;
      st.s.dom->metrics->dial_abandoned.fetch_add(1, std::memory_order_relaxed);
      stop_interaction(self, "abandoned");
      self->send(st.s.gateway, hangup_atom_v, st.s.call);
      finish(self, static_cast<std::uint8_t>(call_event::answered));
    },
    [=](event_atom, const frame& f) {
      auto& st = self->state;
      auto d = protocol::decode(f);
      if (!d)
        return;
      switch (d.envelope->message_type()) {
        case wire::Message::TakenFromQueue:
          // Offered to an agent: the customer is not left alone, and the campaign's pacer
          // counts an agent busy with it instead of a call waiting for one.
          if (!st.reached && !st.ended) {
            self->send(st.s.owner, call_atom_v, st.s.call);
            st.connected_ms = st.s.dom->clk->now_ms();
          }
          // The record belongs to the agent offered the call last: one who rejected or
          // missed the offer hands it (and its desktop actions) to the next.
          if (auto* t = d.envelope->message_as_TakenFromQueue(); t && t->agent() && !st.ended)
            st.connected_to = t->agent()->str();
          st.reached = true;
          return;
        case wire::Message::ProcessingStopped:
          if (!st.ended) {
            // The agent (or the console) ended it: hang up the line.
            self->send(st.s.gateway, hangup_atom_v, st.s.call);
            finish(self, static_cast<std::uint8_t>(call_event::hangup));
          }
          return;
        default:
          return;
      }
    },
    [=](record_atom, record_request& q) { return on_request(self, q); },
    [=](record_atom) {
      // The agent never said processed: written back with what it set.
      auto& st = self->state;
      if (st.written)
        return;
      log_action(self, "", "timeout", "no RecordProcessed from " + st.connected_to);
      write_back(self);
    },
  };
}

} // namespace

dialer_session_actor spawn_dialer_session(caf::actor_system& sys, dialer_setup setup) {
  return sys.spawn(dialer_session, std::move(setup));
}

} // namespace parley::outbound
