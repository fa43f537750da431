// dispatch: which client may send which request where, and who handles it.
//
// One table (`routes`), deny by default: {message -> listener, client types, needs an
// agent, handler}. A message that is not in it is answered not_allowed, one served on
// another port wrong_port, one its client type may not send wrong_client_type. The checks
// are about the client, not the domain: states, ids and limits are decided by the actor
// that owns the object. Handlers: interaction_dispatch.cpp, stat_dispatch.cpp,
// outbound_dispatch.cpp.
#include "engine/connection_state.hpp"

#include <caf/all.hpp>

#include "engine/dispatch_handlers.hpp"

namespace parley::engine {

namespace {

using wire::ClientType;
using wire::Message;
using handler = void (*)(connection_self, const wire::Envelope&);

// -- the table -------------------------------------------------------------------------

/// Client types as a bit set.
using clients = std::uint8_t;

constexpr clients bit(ClientType t) {
  return static_cast<clients>(1u << static_cast<unsigned>(t));
}

constexpr clients gateway = bit(ClientType::media_gateway);
constexpr clients desktop = bit(ClientType::agent_desktop);
constexpr clients router = bit(ClientType::router);
constexpr clients reporting = bit(ClientType::reporting);
constexpr clients stat_client = bit(ClientType::stat_client);
constexpr clients admin = bit(ClientType::admin);
constexpr clients dialer = bit(ClientType::dial_gateway);
constexpr clients any = gateway | desktop | router | reporting | stat_client | admin | dialer;

struct route {
  Message message;
  listener_kind listener;
  clients allowed;
  bool needs_agent;  ///< from a desktop: only with its agent logged in (wrong_state otherwise)
  handler handle;
};

using enum listener_kind;

/// Every request a client may send; anything else is not_allowed. docs/protocol.md lists
/// the same (port, "sent by", "needs").
constexpr route routes[] = {
  // -- interaction family (7120) --
  {Message::Submit, interaction, gateway | admin, false, on_submit},
  {Message::GetInteraction, interaction, any, false, on_get},
  {Message::ChangeProperties, interaction, gateway | desktop | router | admin, false, on_change_properties},
  {Message::PlaceInQueue, interaction, gateway | router | admin, false, on_place},
  {Message::StopProcessing, interaction, gateway | desktop | router | admin, false, on_stop},
  {Message::AgentLogin, interaction, desktop, false, on_login},
  {Message::AgentLogout, interaction, desktop, false, on_logout},
  {Message::AgentReady, interaction, desktop, false, on_ready},
  {Message::AgentNotReady, interaction, desktop, false, on_not_ready},
  {Message::AgentAfterCallWork, interaction, desktop, false, on_after_call_work},
  {Message::Accept, interaction, desktop, true, on_accept},
  {Message::Reject, interaction, desktop, true, on_reject},
  {Message::Transfer, interaction, desktop, true, on_transfer},
  {Message::Conference, interaction, desktop, true, on_conference},
  {Message::LeaveConference, interaction, desktop, true, on_leave_conference},
  {Message::Hold, interaction, desktop, true, on_hold},
  {Message::Resume, interaction, desktop, true, on_resume},
  {Message::Park, interaction, desktop, true, on_park},
  {Message::Pull, interaction, desktop, true, on_pull},
  {Message::QueueSnapshot, interaction, any, false, on_snapshot},
  {Message::SubscribeReporting, interaction, reporting | admin, false, on_subscribe_reporting},
  {Message::UnsubscribeReporting, interaction, reporting | admin, false, on_unsubscribe},
  {Message::RegisterRouter, interaction, router, false, on_register_router},
  {Message::RouteTo, interaction, router, false, on_route_to},
  // -- outbound family (7120); CampaignControl's operations other than status: admin --
  {Message::CampaignControl, interaction, any, false, dispatch_outbound},
  {Message::GetCampaigns, interaction, any, false, dispatch_outbound},
  {Message::PreviewRequest, interaction, desktop, false, dispatch_outbound},
  {Message::PreviewDecision, interaction, desktop, false, dispatch_outbound},
  {Message::RecordUpdate, interaction, desktop, false, dispatch_outbound},
  {Message::RecordReschedule, interaction, desktop, false, dispatch_outbound},
  {Message::RecordDoNotCall, interaction, desktop, false, dispatch_outbound},
  {Message::RecordProcessed, interaction, desktop, false, dispatch_outbound},
  {Message::RegisterDialGateway, interaction, dialer, false, dispatch_outbound},
  {Message::CallProgress, interaction, dialer, false, dispatch_outbound},
  // -- virtual-queue family (7122) --
  {Message::VqSubscribe, vq, any, false, on_vq_subscribe},
  {Message::VqUnsubscribe, vq, any, false, on_unsubscribe},
  {Message::VqEvent, vq, router | admin, false, on_vq_event},
  // -- statistics family (2060) --
  {Message::OpenStat, stat, stat_client | router | admin, false, dispatch_stat},
  {Message::PeekStat, stat, stat_client | router | admin, false, dispatch_stat},
  {Message::CloseStat, stat, stat_client | router | admin, false, dispatch_stat},
  {Message::ResetStat, stat, stat_client | router | admin, false, dispatch_stat},
};

const route* find_route(Message m) {
  for (auto& r : routes)
    if (r.message == m)
      return &r;
  return nullptr;
}

const char* port_of(listener_kind k) {
  switch (k) {
    case interaction: return "interaction (7120)";
    case vq: return "virtual-queue (7122)";
    case stat: return "statistics (2060)";
  }
  return "?";
}

} // namespace

void dispatch(connection_self self, const wire::Envelope& env) {
  auto& st = self->state;
  auto ref = env.ref();
  auto type = env.message_type();
  auto* r = find_route(type);
  if (!r) {
    st.fail(ref, wire::ErrorCode::not_allowed,
            std::string{wire::EnumNameMessage(type)} + " is not a request a client may send");
    return;
  }
  if (r->listener != st.setup.listener) {
    st.fail(ref, wire::ErrorCode::wrong_port,
            std::string{wire::EnumNameMessage(type)} + " is served on the " + port_of(r->listener)
              + " port, not on the " + port_of(st.setup.listener) + " one");
    return;
  }
  if ((r->allowed & bit(st.setup.info.type)) == 0) {
    st.fail(ref, wire::ErrorCode::wrong_client_type,
            std::string{wire::EnumNameMessage(type)} + " is not for "
              + protocol::client_type_name(st.setup.info.type) + " clients");
    return;
  }
  if (r->needs_agent && !st.agent_handle) {
    st.fail(ref, wire::ErrorCode::wrong_state, "log an agent in first");
    return;
  }
  r->handle(self, env);
}

} // namespace parley::engine
