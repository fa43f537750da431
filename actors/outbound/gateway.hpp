// gateway: the telephony gateway interface, as a message contract any gateway actor keeps,
// and the built-in simulated gateway that lets campaigns run without a switch.
//
// A dialer session asks the gateway to place a call and gets its progress back; either side
// may end it. A real gateway (a SIP user agent, later) is another actor with the same
// contract (gateway_actor below) — the dialer sessions do not change.
//
// The simulated gateway draws each call's outcome (configured probabilities), ring time
// (uniform 0.25..1.75 x ring_mean; no answer after no_answer_after) and, when answered, a
// talk time (exponential, mean talk_mean) after which the customer hangs up — all from one
// seeded generator, on the domain clock (so scaled time speeds it up). Spawned by the engine
// when campaigns are configured; stopped by the engine.
#pragma once

#include <cstdint>
#include <string>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/outbound/campaign_config.hpp"
#include "actors/runtime/clock.hpp"
#include "actors/runtime/types.hpp"

// The gateway family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_gateway, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_gateway, parley, call_atom, "call")
  CAF_ADD_ATOM(parley_gateway, parley, hangup_atom, "hangup")
CAF_END_TYPE_ID_BLOCK(parley_gateway)

namespace parley::outbound {

/// Call progress a gateway reports. Every call ends with exactly one of the final events.
enum class call_event : std::uint8_t {
  ringing = 1,
  answered = 2,      ///< a live person: the call stays up until hangup
  busy = 3,          ///< final
  no_answer = 4,     ///< final
  machine = 5,       ///< answering machine detected: up until hangup (the campaign's policy)
  fax = 6,           ///< final
  sit = 7,           ///< special information tone (number not in service): final
  dropped = 8,       ///< the network dropped it before an answer: final
  hangup = 9,        ///< the customer (or machine) hung up an answered call: final
  failed = 10,       ///< the gateway could not place it: final
};

const char* to_name(call_event e);

/// Who placed a call, as the gateway sees it: the dialer session.
using call_party_actor = caf::typed_actor<
  // Progress of call `call`: a call_event. (call, event)
  caf::reacts_to<call_atom, std::uint64_t, std::uint8_t>>;

/// The contract of every telephony gateway.
using gateway_actor = caf::typed_actor<
  // Place a call; limit_exceeded when no line is free. Progress goes to the party.
  // (call, phone, party)
  caf::replies_to<dial_atom, std::uint64_t, std::string, call_party_actor>::with<caf::ok_atom>,
  // Our side ends the call: no more events for it. (call)
  caf::reacts_to<hangup_atom, std::uint64_t>>;

gateway_actor spawn_simulated_gateway(caf::actor_system& sys, gateway_config cfg,
                                   std::shared_ptr<const clock> clk);

} // namespace parley::outbound
