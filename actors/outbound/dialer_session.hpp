// dialer_session: one actor per call attempt, from dial to the record's treatment.
//
// Spawned by its campaign with a record that compliance allowed (and, in preview and
// progressive mode, an agent the router reserved for it). It writes the attempt's first
// history row once the telephony gateway took the dial (a gateway without a free line gives
// the record back to the campaign: not an attempt); then follows the call's progress:
//   - no live answer (busy, no answer, fax, SIT, dropped, failed): releases the
//     reservation, writes the result row, applies the campaign's treatment, reports, quits;
//   - an answering machine: as the campaign's `answering_machine` policy says — hung up
//     (result answering_machine, or no_answer), or passed to an agent like an answer but
//     without the abandon timer (a machine is not a person left waiting);
//   - a live answer: submits an interaction of the campaign's media into its queue with the
//     record's fields as properties (pinned to the reserved agent, if any). It must reach an
//     agent (be offered to one) within the campaign's abandon_after (2 s by default), else
//     the call is abandoned: the interaction is stopped, the line hung up, it is counted;
//   - a reached call lives until the agent stops the interaction (the line is hung up) or
//     the customer hangs up (the interaction is stopped).
// Messages: dialer_session_actor below; what it tells its campaign: campaign_feedback_actor.
#pragma once

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/outbound/campaign_config.hpp"
#include "actors/outbound/compliance_actor.hpp"
#include "actors/outbound/gateway.hpp"
#include "actors/outbound/list_store_actor.hpp"
#include "actors/outbound/outbound_types.hpp"
#include "actors/runtime/domain_fwd.hpp"

// The dialer session family's own atoms.
CAF_BEGIN_TYPE_ID_BLOCK(parley_dialer, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_dialer, parley, record_atom, "record")
CAF_END_TYPE_ID_BLOCK(parley_dialer)

namespace parley::outbound {

/// What a finished attempt tells its campaign (and the pacer).
struct attempt_report {
  std::uint64_t call = 0;
  std::uint64_t record = 0;
  std::uint8_t event = 0;      ///< the final call_event
  bool answered = false;       ///< a live person answered
  bool picked_up = false;      ///< answered, or a machine passed to an agent: it was reported
  bool abandoned = false;      ///< answered, no agent in time
  bool reserved = false;       ///< an agent was held for it
  double ring_s = 0;           ///< dial -> answer or final event
  double handle_s = 0;         ///< pick-up -> end (connected calls)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, attempt_report& x) {
  return f(caf::meta::type_name("attempt_report"), x.call, x.record, x.event, x.answered,
           x.picked_up, x.abandoned, x.reserved, x.ring_s, x.handle_s);
}

/// A campaign as its dialer sessions see it (campaign_actor.hpp implements more).
using campaign_feedback_actor = caf::typed_actor<
  // A call was answered (by a person, or by a machine passed to an agent) after ringing
  // `ring_s` seconds. (call, ring_s)
  caf::reacts_to<call_atom, std::uint64_t, double>,
  // The answered call was offered to an agent. (call)
  caf::reacts_to<call_atom, std::uint64_t>,
  // Once, when the call is over: how the attempt went.
  caf::reacts_to<outcome_atom, attempt_report>,
  // Instead, when the gateway had no free line: the call was not placed (no attempt, no
  // history), here is its record back; its agent reservation is released. (call, record)
  caf::reacts_to<dial_atom, std::uint64_t, storage::record_row>,
  // The session is done with its record: written back (after the agent processed it, with a
  // record_processed_timeout). (record)
  caf::reacts_to<record_atom, std::uint64_t>>;

/// One call attempt: the gateway's call party, and the owner of the interaction an
/// answered call becomes.
using dialer_session_actor = call_party_actor::extend<
  // The interaction's events (TakenFromQueue: an agent has it; ProcessingStopped).
  caf::reacts_to<event_atom, frame>,
  // Its own abandon timer: no agent within the campaign's abandon_after.
  caf::reacts_to<caf::timeout_atom>,
  // The agent the call was offered to acts on its record (its campaign passes it on).
  caf::replies_to<record_atom, record_request>::with<caf::ok_atom>,
  // Its own timer: the agent did not say processed within record_processed_timeout.
  caf::reacts_to<record_atom>>;

struct dialer_setup {
  std::uint64_t call = 0;
  const campaign_config* campaign = nullptr;  ///< lives in the shared domain config
  storage::record_row record;
  std::string agent;        ///< reserved for this call ("" in predictive mode)
  campaign_feedback_actor owner;  ///< the campaign
  gateway_actor gateway;
  list_store_actor list_store;
  compliance_actor compliance;
  domain_ptr dom;
};

dialer_session_actor spawn_dialer_session(caf::actor_system& sys, dialer_setup setup);

/// What a result does to the rest of a record's chain (records sharing its chain id).
enum class chain_step : std::uint8_t {
  none,   ///< not chained, or the record is retried
  next,   ///< "next", or retries exhausted: the next number of the chain is due now
  close,  ///< "final": the customer is done — the chain's other numbers are cancelled
};

/// The record after a call result, with the campaign's treatment applied: retry later
/// (ready, scheduled), final (updated) — and what happens to the rest of its chain.
struct treated {
  storage::record_row record;
  chain_step chain = chain_step::none;
};
treated apply_treatment(const campaign_config& c, storage::record_row r, std::uint8_t result,
                        bool abandoned, std::int64_t now_ms);

/// The storage call_result of a final call event.
std::uint8_t result_of(std::uint8_t event, bool abandoned);

} // namespace parley::outbound
