// gateway: the telephony gateway interface, as a message contract any gateway actor keeps,
// and its two implementations: the built-in simulated gateway that lets campaigns run
// without a switch (outbound.gateway.kind = "simulated", the default), and the pool of
// external dialing gateways — dial_gateway clients over 7120 (gateway_pool.hpp).
//
// A dialer session asks the gateway to place a call and gets its progress back; either side
// may end it. The dialer sessions do not know which implementation they talk to.
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
#include <caf/meta/type_name.hpp>
#include <caf/typed_actor.hpp>

#include "actors/outbound/campaign_config.hpp"
#include "actors/runtime/clock.hpp"
#include "actors/runtime/types.hpp"

// The gateway family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_gateway, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_gateway, parley, call_atom, "call")
  CAF_ADD_ATOM(parley_gateway, parley, hangup_atom, "hangup")
  CAF_ADD_ATOM(parley_gateway, parley, lines_atom, "lines")
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
  // -- messages (media sms, email): each ends with one of these (or failed) --
  delivered = 11,      ///< final
  undeliverable = 12,  ///< no such number or mailbox, bounced: final
  opted_out = 13,      ///< the recipient asked for no more (STOP, unsubscribe): final
};

const char* to_name(call_event e);

/// True for the events that end a call (all but ringing, answered and machine).
constexpr bool is_final(call_event e) {
  return e != call_event::ringing && e != call_event::answered && e != call_event::machine;
}

/// What a dialer session asks a gateway to place.
struct dial_request {
  std::uint64_t call = 0;        ///< unique in this engine run
  std::string phone;             ///< E.164
  std::string caller_id;         ///< the campaign's (E.164; "": the trunk's)
  std::string media;             ///< the campaign's media ("voice")
  std::string campaign;
  std::uint32_t timeout_ms = 0;  ///< no answer after this
  std::string email;             ///< media email: the recipient's address
  std::string subject;           ///< media email: the subject (template filled in)
  std::string text;              ///< media sms, email: the message (template filled in)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, dial_request& x) {
  return f(caf::meta::type_name("dial_request"), x.call, x.phone, x.caller_id, x.media,
           x.campaign, x.timeout_ms, x.email, x.subject, x.text);
}

/// Who placed a call, as the gateway sees it: the dialer session.
using call_party_actor = caf::typed_actor<
  // Progress of call `call`: a call_event. (call, event)
  caf::reacts_to<call_atom, std::uint64_t, std::uint8_t>>;

/// The contract of every telephony gateway.
using gateway_actor = caf::typed_actor<
  // Place a call; limit_exceeded when no line is free (the call was not placed: nothing
  // follows). Progress goes to the party. (request, party)
  caf::replies_to<dial_atom, dial_request, call_party_actor>::with<caf::ok_atom>,
  // Our side ends the call: no more events for it. (call)
  caf::reacts_to<hangup_atom, std::uint64_t>>;

gateway_actor spawn_simulated_gateway(caf::actor_system& sys, gateway_config cfg,
                                   std::shared_ptr<const clock> clk);

} // namespace parley::outbound
