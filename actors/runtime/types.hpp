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

#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <caf/error.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>

#include "protocol/wire.hpp"

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

/// A verified request frame frame (no length prefix), as handed from a session to actors.
using request_frame = std::vector<std::uint8_t>;

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

CAF_ERROR_CODE_ENUM(parley::wire::ErrorCode, "parley")

CAF_BEGIN_TYPE_ID_BLOCK(parley, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(parley, (parley::client_info))
  CAF_ADD_ATOM(parley, parley, request_atom, "request")
  CAF_ADD_ATOM(parley, parley, closed_atom, "closed")
  CAF_ADD_ATOM(parley, parley, register_atom, "register")
  CAF_ADD_ATOM(parley, parley, unreg_atom, "unreg")
  CAF_ADD_ATOM(parley, parley, count_atom, "count")
CAF_END_TYPE_ID_BLOCK(parley)
