// types: the engine's CAF type-ID block (atoms and message types) and its error category.
//
// Every translation unit that sends engine messages includes this header, so there is one
// list of atoms and types (see ../shared caf-0.17-cookbook §2.3). Errors are values: the
// wire protocol's ErrorCode is also the engine's internal error enum, registered with CAF
// under the category "parley", so an actor's error reaches the client without a
// translation table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

#include "actors/runtime/budget.hpp"
#include "protocol/wire.hpp"

namespace parley {
struct client_info;
struct property;
struct requester;
} // namespace parley

CAF_ERROR_CODE_ENUM(parley::wire::ErrorCode, "parley")

CAF_BEGIN_TYPE_ID_BLOCK(parley, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(parley, (parley::client_info))
  CAF_ADD_TYPE_ID(parley, (parley::property))
  CAF_ADD_TYPE_ID(parley, (parley::requester))
  CAF_ADD_ATOM(parley, parley, request_atom, "request")
  CAF_ADD_ATOM(parley, parley, closed_atom, "closed")
  CAF_ADD_ATOM(parley, parley, register_atom, "register")
  CAF_ADD_ATOM(parley, parley, unreg_atom, "unreg")
  CAF_ADD_ATOM(parley, parley, count_atom, "count")
  CAF_ADD_ATOM(parley, parley, init_atom, "init")
  CAF_ADD_ATOM(parley, parley, event_atom, "event")
  CAF_ADD_ATOM(parley, parley, submit_atom, "submit")
  CAF_ADD_ATOM(parley, parley, lookup_atom, "lookup")
  CAF_ADD_ATOM(parley, parley, forget_atom, "forget")
  CAF_ADD_ATOM(parley, parley, props_atom, "props")
  CAF_ADD_ATOM(parley, parley, place_atom, "place")
  CAF_ADD_ATOM(parley, parley, stop_atom, "stop")
  CAF_ADD_ATOM(parley, parley, accept_atom, "accept")
  CAF_ADD_ATOM(parley, parley, reject_atom, "reject")
  CAF_ADD_ATOM(parley, parley, transfer_atom, "transfer")
  CAF_ADD_ATOM(parley, parley, conf_atom, "conf")
  CAF_ADD_ATOM(parley, parley, leave_atom, "leave")
  CAF_ADD_ATOM(parley, parley, hold_atom, "hold")
  CAF_ADD_ATOM(parley, parley, resume_atom, "resume")
  CAF_ADD_ATOM(parley, parley, park_atom, "park")
  CAF_ADD_ATOM(parley, parley, pull_atom, "pull")
  CAF_ADD_ATOM(parley, parley, login_atom, "login")
  CAF_ADD_ATOM(parley, parley, logout_atom, "logout")
  CAF_ADD_ATOM(parley, parley, ready_atom, "ready")
  CAF_ADD_ATOM(parley, parley, notready_atom, "notready")
  CAF_ADD_ATOM(parley, parley, acw_atom, "acw")
  CAF_ADD_ATOM(parley, parley, offer_atom, "offer")
  CAF_ADD_ATOM(parley, parley, invite_atom, "invite")
  CAF_ADD_ATOM(parley, parley, revoke_atom, "revoke")
  CAF_ADD_ATOM(parley, parley, release_atom, "release")
  CAF_ADD_ATOM(parley, parley, assign_atom, "assign")
  CAF_ADD_ATOM(parley, parley, void_atom, "void")
  CAF_ADD_ATOM(parley, parley, head_atom, "head")
  CAF_ADD_ATOM(parley, parley, avail_atom, "avail")
  CAF_ADD_ATOM(parley, parley, enqueue_atom, "enqueue")
  CAF_ADD_ATOM(parley, parley, requeue_atom, "requeue")
  CAF_ADD_ATOM(parley, parley, remove_atom, "remove")
  CAF_ADD_ATOM(parley, parley, overflow_atom, "overflow")
  CAF_ADD_ATOM(parley, parley, snapshot_atom, "snapshot")
  CAF_ADD_ATOM(parley, parley, report_atom, "report")
  CAF_ADD_ATOM(parley, parley, vq_atom, "vq")
  CAF_ADD_ATOM(parley, parley, router_atom, "router")
  CAF_ADD_ATOM(parley, parley, route_atom, "route")
  CAF_ADD_ATOM(parley, parley, gone_atom, "gone")
  CAF_ADD_ATOM(parley, parley, accepted_atom, "accepted")
  CAF_ADD_ATOM(parley, parley, wrapup_atom, "wrapup")
  CAF_ADD_ATOM(parley, parley, state_atom, "state")
  CAF_ADD_ATOM(parley, parley, trace_atom, "trace")
  CAF_ADD_ATOM(parley, parley, persist_atom, "persist")
  CAF_ADD_ATOM(parley, parley, sync_atom, "sync")
  CAF_ADD_ATOM(parley, parley, retry_atom, "retry")
  CAF_ADD_ATOM(parley, parley, recover_atom, "recover")
  CAF_ADD_ATOM(parley, parley, stats_atom, "stats")
  CAF_ADD_ATOM(parley, parley, facts_atom, "facts")
  CAF_ADD_ATOM(parley, parley, peek_atom, "peek")
  CAF_ADD_ATOM(parley, parley, notify_atom, "notify")
  CAF_ADD_ATOM(parley, parley, period_atom, "period")
  CAF_ADD_ATOM(parley, parley, sreset_atom, "sreset")
  CAF_ADD_ATOM(parley, parley, nflush_atom, "nflush")
  CAF_ADD_ATOM(parley, parley, publish_atom, "publish")
  CAF_ADD_ATOM(parley, parley, import_atom, "import")
  CAF_ADD_ATOM(parley, parley, progress_atom, "progress")
  CAF_ADD_ATOM(parley, parley, check_atom, "check")
  CAF_ADD_ATOM(parley, parley, reserve_atom, "reserve")
  CAF_ADD_ATOM(parley, parley, unreserve_atom, "unreserve")
  CAF_ADD_ATOM(parley, parley, deliver_atom, "deliver")
  CAF_ADD_ATOM(parley, parley, unpin_atom, "unpin")
  CAF_ADD_ATOM(parley, parley, campaign_atom, "campaign")
  CAF_ADD_ATOM(parley, parley, dial_atom, "dial")
  CAF_ADD_ATOM(parley, parley, call_atom, "call")
  CAF_ADD_ATOM(parley, parley, hangup_atom, "hangup")
  CAF_ADD_ATOM(parley, parley, lease_atom, "lease")
  CAF_ADD_ATOM(parley, parley, outcome_atom, "outcome")
  CAF_ADD_ATOM(parley, parley, preview_atom, "preview")
  CAF_ADD_ATOM(parley, parley, tick_atom, "tick")
  CAF_ADD_ATOM(parley, parley, attempt_atom, "attempt")
  CAF_ADD_ATOM(parley, parley, denial_atom, "denial")
  CAF_ADD_ATOM(parley, parley, job_atom, "job")
  CAF_ADD_ATOM(parley, parley, chain_atom, "chain")
CAF_END_TYPE_ID_BLOCK(parley)

namespace parley {

/// A client as the directory knows it.
struct client_info {
  std::uint64_t session_id = 0;
  std::string name;
  wire::ClientType type = wire::ClientType::unknown;
  std::string peer;      ///< "address:port" of the remote end
  std::string listener;  ///< "interaction", "vq" or "stat"
  std::string credential;
  std::uint32_t protocol_version = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, client_info& x) {
  return f(caf::meta::type_name("client_info"), x.session_id, x.name, x.type, x.peer, x.listener,
           x.credential, x.protocol_version);
}

/// A verified request frame (length prefix included), as handed from a session to actors.
using request_frame = std::vector<std::uint8_t>;

/// An encoded frame for a client (length prefix included), usually an event (ref 0).
using frame = std::vector<std::uint8_t>;

/// One piece of user data on an interaction.
struct property {
  std::string key;
  std::string text;
  double number = 0;
  bool is_number = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, property& x) {
  return f(caf::meta::type_name("property"), x.key, x.text, x.number, x.is_number);
}

using property_list = std::vector<property>;

/// A client as domain actors see it: its connection actor (engine/connection_actor.hpp
/// implements more), which writes every event it gets to the client's socket.
using client_actor = caf::typed_actor<
  // An encoded event (ref 0) for the client.
  caf::reacts_to<event_atom, frame>>;

/// Who sent a request: its client type, its agent (agent desktops after login), its
/// connection actor and the time the request has left (budget.hpp).
struct requester {
  wire::ClientType type = wire::ClientType::unknown;
  std::string agent;
  client_actor client;
  budget time;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, requester& x) {
  return f(caf::meta::type_name("requester"), x.type, x.agent, x.client, x.time);
}

/// The CAF error category of wire::ErrorCode values.
inline constexpr caf::atom_value error_category = caf::atom("parley");

/// Renders a caf::error for clients and logs: "code: text".
std::string describe(const caf::error& err);

/// The wire code for any error: parley errors keep theirs, CAF timeouts become timeout,
/// anything else internal.
wire::ErrorCode wire_code(const caf::error& err);

/// The text carried by a parley error (empty when none).
std::string error_text(const caf::error& err);

} // namespace parley

