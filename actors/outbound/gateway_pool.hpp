// gateway_pool: the external dialing gateways, as one gateway_actor (gateway.hpp).
//
// With outbound.gateway.kind = "external" the engine's dialer sessions talk to this actor,
// and clients of type dial_gateway (a SIP trunk's adapter, an SMS provider's connector)
// place the calls: each registers the media it serves and its line count over 7120
// (RegisterDialGateway), gets DialRequest events and reports CallProgress; the engine ends
// calls with DialHangup (protocol/schema/outbound.fbs).
//
// - A dial goes to the registered gateway of the call's media with the most free lines
//   (ties: the one registered first); none with a free line: limit_exceeded, the call is
//   not placed (the dialer session gives its record back to the campaign).
// - Progress reaches the call's dialer session; a final event frees the line. Progress for
//   a call the gateway does not hold (ended by the engine meanwhile) is unknown_id.
// - A gateway that disconnects (the connection actor ends) has every call it held ended
//   as failed — counted in parley_dial_gateway_calls_lost_total; their records are
//   treated as the campaign's `error` treatment says (a retry by default).
// - A call neither answered nor ended `no_answer_after + report_grace` after its dial
//   (a gateway that forgot it) is ended as failed too, and hung up at the gateway.
// - A second RegisterDialGateway from the same connection replaces its media and lines
//   (lines 0: a drain — no new calls, the calls up go on).
//
// Spawned by the engine when campaigns are configured with an external gateway; stopped by
// the engine. Gauges: parley_dial_gateways, parley_dial_gateway_lines(_busy).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/outbound/gateway.hpp"
#include "actors/runtime/types.hpp"

namespace parley {
struct domain_metrics;
}

namespace parley::outbound {

/// One registered gateway as the console shows it.
struct dial_gateway_view {
  std::uint64_t session = 0;       ///< its connection's session id
  std::string name;                ///< its Register.client_name
  std::vector<std::string> media;
  std::uint32_t lines = 0;
  std::uint32_t busy = 0;          ///< lines with a call now
  std::uint64_t dials = 0;         ///< calls it was given since it registered
  std::uint64_t lost = 0;          ///< of those, ended as failed for want of a report
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dial_gateway_view& x) {
  return f(caf::meta::type_name("dial_gateway_view"), x.session, x.name, x.media, x.lines,
           x.busy, x.dials, x.lost);
}

/// Upper bound of a gateway's lines (RegisterDialGateway.lines).
constexpr std::uint32_t max_gateway_lines = 100'000;

using gateway_pool_actor = gateway_actor::extend<
  // A dial_gateway connection offers `lines` lines for `media`; replaces its last offer.
  // invalid_argument (no media, too many lines). (session, name, media, lines, client)
  caf::replies_to<lines_atom, std::uint64_t, std::string, std::vector<std::string>,
                  std::uint32_t, client_actor>::with<caf::ok_atom>,
  // A registered connection's progress on one of its calls: unknown_id when it holds no
  // such call. (call, call_event, client)
  caf::replies_to<call_atom, std::uint64_t, std::uint8_t, client_actor>::with<caf::ok_atom>,
  // The registered gateways, in registration order.
  caf::replies_to<caf::get_atom>::with<std::vector<dial_gateway_view>>,
  // Its own timer: calls a gateway never reported the end of.
  caf::reacts_to<caf::timeout_atom>>;

gateway_pool_actor spawn_gateway_pool(caf::actor_system& sys, gateway_config cfg,
                                      std::shared_ptr<const clock> clk,
                                      std::shared_ptr<domain_metrics> metrics);

} // namespace parley::outbound
