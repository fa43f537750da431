// outbound_dispatch: the outbound family on 7120 — campaign control and status for any
// client (changes for admin clients only), preview dialing and the record of the agent's
// call (update, reschedule, do-not-call, processed) for agent desktops, and the dialing
// gateways' registration and call progress (dial_gateway clients). Called by
// dispatch() once the port and the client type are checked; answers exactly once.
#include "engine/connection_state.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

#include <caf/all.hpp>

#include "actors/outbound/campaign_actor.hpp"
#include "actors/runtime/views.hpp"
#include "engine/campaign_status.hpp"

namespace parley::engine {

namespace {

using protocol::text_of;
using wire::Message;


flatbuffers::Offset<wire::CampaignStatus> build_campaign(flatbuffers::FlatBufferBuilder& fbb,
                                                        const domain_config& cfg,
                                                        const outbound::campaign_view& v) {
  std::vector<flatbuffers::Offset<flatbuffers::String>> lists, dispositions;
  for (auto& l : v.lists)
    lists.push_back(fbb.CreateString(l));
  std::uint32_t processed_ms = 0;
  if (auto* c = cfg.outbound.find(v.name)) {
    for (auto& d : c->dispositions)
      dispositions.push_back(fbb.CreateString(d));
    processed_ms = static_cast<std::uint32_t>(c->record_processed_timeout.count());
  }
  return wire::CreateCampaignStatusDirect(fbb, v.name.c_str(), v.mode.c_str(), v.state.c_str(),
                                          v.queue.c_str(), &lists, v.ready_agents, v.agents,
                                          v.in_flight, v.buffered, v.dialed, v.answered,
                                          v.abandoned, v.denied, v.abandon_rate, v.answer_rate,
                                          &dispositions, processed_ms);
}

void answer_campaign(connection_self self, std::uint64_t ref, const outbound::campaign_view& v) {
  auto& enc = self->state.enc;
  auto& fbb = enc.start();
  self->state.send(enc.finish(ref, build_campaign(fbb, *self->state.setup.domain->cfg, v)));
}

/// The campaign actor by name, or an unknown_id answer and an invalid handle.
outbound::campaign_actor campaign_or_fail(connection_self self, std::uint64_t ref, const std::string& name) {
  auto c = self->state.setup.domain->campaign(name);
  if (!c)
    self->state.fail(ref, wire::ErrorCode::unknown_id, "no campaign named " + name);
  return c;
}

void control(connection_self self, std::uint64_t ref, const wire::CampaignControl& m) {
  auto& st = self->state;
  auto op = m.op();
  if (op != wire::CampaignOp::status && st.setup.info.type != wire::ClientType::admin) {
    st.fail(ref, wire::ErrorCode::wrong_client_type,
            std::string{"CampaignControl "} + wire::EnumNameCampaignOp(op)
              + " is for admin clients (status is for any)");
    return;
  }
  auto c = campaign_or_fail(self, ref, text_of(m.campaign()));
  if (!c)
    return;
  // Starting reads the lists from storage: allow it the storage's time, not a request's.
  auto limit = std::max<caf::timespan>(st.setup.request_timeout,
                                       st.setup.domain->cfg->storage_timeout);
  auto known = outbound::with_campaign_op(wire::EnumNameCampaignOp(op), [&](auto atom) {
    self->request(c, limit, campaign_atom_v, atom)
      .then([=](const outbound::campaign_view& v) { answer_campaign(self, ref, v); },
            [=](caf::error& e) { self->state.fail(ref, e); });
  });
  if (!known)
    st.fail(ref, wire::ErrorCode::invalid_argument, "unknown campaign operation");
}

void all_campaigns(connection_self self, std::uint64_t ref) {
  auto& dom = *self->state.setup.domain;
  gather_campaigns(self, dom, self->state.setup.request_timeout, [=](campaign_answers got) {
    if (!got.errors.empty()) {
      self->state.fail(ref, got.errors.begin()->second);
      return;
    }
    auto& enc = self->state.enc;
    auto& fbb = enc.start();
    std::vector<flatbuffers::Offset<wire::CampaignStatus>> items;
    for (auto& [name, v] : got.views)  // by name
      items.push_back(build_campaign(fbb, *self->state.setup.domain->cfg, v));
    self->state.send(enc.finish(ref, wire::CreateCampaignsDirect(fbb, &items)));
  });
}

/// Preview and record requests need the agent logged in on this desktop and the campaign:
/// its actor, or an answer already sent and an invalid handle.
outbound::campaign_actor desktop_campaign(connection_self self, std::uint64_t ref, const flatbuffers::String* name) {
  if (!self->state.agent_handle) {
    self->state.fail(ref, wire::ErrorCode::wrong_state, "log an agent in first");
    return {};
  }
  return campaign_or_fail(self, ref, text_of(name));
}

void preview(connection_self self, std::uint64_t ref, const wire::PreviewRequest& m) {
  auto c = desktop_campaign(self, ref, m.campaign());
  if (!c)
    return;
  auto& st = self->state;
  self->request(c, st.setup.request_timeout, preview_atom_v, st.agent)
    .then(
      [=](const outbound::preview_record& p) {
        auto& enc = self->state.enc;
        auto& fbb = enc.start();
        property_list fields;
        for (auto& [k, v] : p.fields)
          fields.push_back(property{k, v, 0, false});
        auto props = build_properties(fbb, fields);
        auto camp = fbb.CreateString(p.campaign);
        auto phone = fbb.CreateString(p.phone);
        auto cust = fbb.CreateString(p.customer_id);
        self->state.send(enc.finish(ref, wire::CreatePreviewRecord(fbb, camp, p.record_id, phone,
                                                                   cust, props, p.timeout_ms)));
      },
      [=](caf::error& e) { self->state.fail(ref, e); });
}

void decide(connection_self self, std::uint64_t ref, const wire::PreviewDecision& m) {
  auto c = desktop_campaign(self, ref, m.campaign());
  if (!c)
    return;
  auto& st = self->state;
  self->request(c, st.setup.request_timeout, preview_atom_v, st.agent, m.record_id(), m.dial())
    .then([=](caf::ok_atom) { self->state.ack(ref); },
          [=](caf::error& e) { self->state.fail(ref, e); });
}

/// A property's value as a record's custom field holds it: text.
std::string field_text(const property& p) {
  if (!p.is_number)
    return p.text;
  if (std::abs(p.number) < 9e15 && p.number == std::floor(p.number))
    return std::to_string(static_cast<std::int64_t>(p.number));
  std::ostringstream out;
  out << std::setprecision(15) << p.number;
  return out.str();
}

/// RecordUpdate, RecordReschedule, RecordDoNotCall, RecordProcessed: the campaign passes
/// the request to the dialer session holding the record, which checks that it is this
/// agent's call.
void on_record(connection_self self, std::uint64_t ref, const flatbuffers::String* campaign,
               outbound::record_request q) {
  auto c = desktop_campaign(self, ref, campaign);
  if (!c)
    return;
  auto& st = self->state;
  q.agent = st.agent;
  self->request(c, st.setup.request_timeout, record_atom_v, std::move(q))
    .then([=](caf::ok_atom) { self->state.ack(ref); },
          [=](caf::error& e) { self->state.fail(ref, e); });
}

void record_update(connection_self self, std::uint64_t ref, const wire::RecordUpdate& m) {
  outbound::record_request q;
  q.op = static_cast<std::uint8_t>(outbound::record_op::update);
  q.record = m.record_id();
  q.disposition = text_of(m.disposition());
  for (auto& p : read_properties(m.fields()))
    q.fields.emplace_back(p.key, field_text(p));
  on_record(self, ref, m.campaign(), std::move(q));
}

void record_reschedule(connection_self self, std::uint64_t ref, const wire::RecordReschedule& m) {
  outbound::record_request q;
  q.op = static_cast<std::uint8_t>(outbound::record_op::reschedule);
  q.record = m.record_id();
  q.local_time = text_of(m.local_time());
  q.personal = m.personal();
  on_record(self, ref, m.campaign(), std::move(q));
}

void record_dnc(connection_self self, std::uint64_t ref, const wire::RecordDoNotCall& m) {
  outbound::record_request q;
  q.op = static_cast<std::uint8_t>(outbound::record_op::do_not_call);
  q.record = m.record_id();
  q.kind = text_of(m.kind());
  q.reason = text_of(m.reason());
  on_record(self, ref, m.campaign(), std::move(q));
}

void record_processed(connection_self self, std::uint64_t ref, const wire::RecordProcessed& m) {
  outbound::record_request q;
  q.op = static_cast<std::uint8_t>(outbound::record_op::processed);
  q.record = m.record_id();
  on_record(self, ref, m.campaign(), std::move(q));
}

} // namespace

// -- dialing gateways (dial_gateway clients) --------------------------------------------

/// The pool of external gateways, or a wrong_state answer and an invalid handle.
outbound::gateway_pool_actor pool_or_fail(connection_self self, std::uint64_t ref) {
  auto& dom = *self->state.setup.domain;
  if (!dom.gateway_pool)
    self->state.fail(ref, wire::ErrorCode::wrong_state,
                     dom.cfg->outbound.campaigns.empty()
                       ? "this engine has no campaigns: it places no calls"
                       : "this engine dials through its simulated gateway (outbound.gateway.kind "
                         "= \"simulated\")");
  return dom.gateway_pool;
}

void register_dial_gateway(connection_self self, std::uint64_t ref, const wire::RegisterDialGateway& m) {
  auto pool = pool_or_fail(self, ref);
  if (!pool)
    return;
  std::vector<std::string> media;
  if (m.media())
    for (auto* x : *m.media())
      media.push_back(x->str());
  auto& st = self->state;
  self->request(pool, st.setup.request_timeout, lines_atom_v, st.setup.info.session_id,
                st.setup.info.name, std::move(media), m.lines(), caf::actor_cast<client_actor>(self))
    .then([=](caf::ok_atom) { self->state.ack(ref); },
          [=](caf::error& e) { self->state.fail(ref, e); });
}

void call_progress(connection_self self, std::uint64_t ref, const wire::CallProgress& m) {
  auto pool = pool_or_fail(self, ref);
  if (!pool)
    return;
  self->request(pool, self->state.setup.request_timeout, call_atom_v, m.call_id(),
                static_cast<std::uint8_t>(m.event()), caf::actor_cast<client_actor>(self))
    .then([=](caf::ok_atom) { self->state.ack(ref); },
          [=](caf::error& e) { self->state.fail(ref, e); });
}

void dispatch_outbound(connection_self self, const wire::Envelope& env) {
  auto ref = env.ref();
  switch (env.message_type()) {
    case Message::CampaignControl: return control(self, ref, *env.message_as_CampaignControl());
    case Message::GetCampaigns: return all_campaigns(self, ref);
    case Message::PreviewRequest: return preview(self, ref, *env.message_as_PreviewRequest());
    case Message::PreviewDecision: return decide(self, ref, *env.message_as_PreviewDecision());
    case Message::RecordUpdate: return record_update(self, ref, *env.message_as_RecordUpdate());
    case Message::RecordReschedule:
      return record_reschedule(self, ref, *env.message_as_RecordReschedule());
    case Message::RecordDoNotCall: return record_dnc(self, ref, *env.message_as_RecordDoNotCall());
    case Message::RecordProcessed:
      return record_processed(self, ref, *env.message_as_RecordProcessed());
    case Message::RegisterDialGateway:
      return register_dial_gateway(self, ref, *env.message_as_RegisterDialGateway());
    case Message::CallProgress: return call_progress(self, ref, *env.message_as_CallProgress());
    default:
      self->state.fail(ref, wire::ErrorCode::unknown_message, "not an outbound request");
  }
}

} // namespace parley::engine
