// types: the engine's CAF type-ID block (message types and the shared verbs) and its error
// category.
//
// Every translation unit that sends engine messages includes this header. The atoms here
// are the verbs several families share (init, count, state, lookup, stop, ...); each
// family's own atoms are in a block of their own in its header, next to its typed_actor
// interface, which says what each message carries and answers at that family (see ../shared
// caf-0.17-cookbook §2.3: an atom is its text, so each text is defined once). Errors are values: the
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
  CAF_ADD_ATOM(parley, parley, count_atom, "count")
  CAF_ADD_ATOM(parley, parley, init_atom, "init")
  CAF_ADD_ATOM(parley, parley, event_atom, "event")
  CAF_ADD_ATOM(parley, parley, submit_atom, "submit")
  CAF_ADD_ATOM(parley, parley, lookup_atom, "lookup")
  CAF_ADD_ATOM(parley, parley, stop_atom, "stop")
  CAF_ADD_ATOM(parley, parley, resume_atom, "resume")
  CAF_ADD_ATOM(parley, parley, snapshot_atom, "snapshot")
  CAF_ADD_ATOM(parley, parley, state_atom, "state")
  CAF_ADD_ATOM(parley, parley, sync_atom, "sync")
  CAF_ADD_ATOM(parley, parley, recover_atom, "recover")
  CAF_ADD_ATOM(parley, parley, import_atom, "import")
  CAF_ADD_ATOM(parley, parley, progress_atom, "progress")
  CAF_ADD_ATOM(parley, parley, dial_atom, "dial")
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
  caf::reacts_to<event_atom, frame>,
  // An event about an interaction the client is likely to act on next (an Invite), with
  // that interaction's address: the desktop's Accept goes straight to it instead of asking
  // the registry first. (event, interaction)
  caf::reacts_to<event_atom, frame, caf::actor_addr>>;

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

