// compliance_actor: answers every pre-dial check with allow or deny-with-reason
// (compliance.hpp has the rules), owns the suppression (do-not-call) list, counts every
// decision by reason (domain_metrics) and stores every denial (through the list store).
//
// Detached: a Redis suppression list and the attempt history block (scheduled on the test
// coordinator, with the in-process list only: local_engine). Attempt caps need the
// dial times of a record and of its customer within the cap's period: read from storage
// the first time a record or customer is checked, then kept in memory and extended by the
// dials campaigns report, pruned past the longest period. With no caps configured no
// history is read at all. Campaigns check records when they lease them and dial them
// later, so a record allowed under a cap counts as an attempt from the check on (a hold):
// its dial replaces the hold, and a campaign that gives it back undialed drops it —
// otherwise two records of one customer checked before either is dialed would both pass.
// Spawned by the engine; stopped by it after the campaigns.
// Messages: compliance_actor below.
#pragma once

#include <memory>

#include <caf/fwd.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "actors/outbound/compliance.hpp"
#include "actors/outbound/list_store_actor.hpp"
#include "actors/outbound/outbound_types.hpp"
#include "actors/runtime/clock.hpp"
#include "actors/runtime/metrics.hpp"
#include "actors/runtime/placement.hpp"

// The compliance family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_compliance, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_compliance, parley, check_atom, "check")
CAF_END_TYPE_ID_BLOCK(parley_compliance)

namespace parley::storage {
class store;
}

namespace parley::outbound {

class suppression_list;

struct compliance_setup {
  std::unique_ptr<suppression_list> dnc;
  std::shared_ptr<storage::store> store;  ///< for attempt history (its own connection)
  list_store_actor list_store;            ///< denials go here
  std::shared_ptr<const clock> clk;
  std::shared_ptr<domain_metrics> metrics;
};

using compliance_actor = caf::typed_actor<
  // Check records before they are dialed: one verdict per record, in order.
  // (campaign, its rules, its abandon rate, records)
  caf::replies_to<check_atom, std::string, compliance_rules, abandon_stats,
                  std::vector<storage::record_row>>::with<std::vector<verdict>>,
  // A dial was placed. (record, customer, time_ms)
  caf::reacts_to<attempt_atom, std::uint64_t, std::string, std::int64_t>,
  // An allowed record went back to its list undialed: it holds no attempt. (record)
  caf::reacts_to<caf::delete_atom, std::uint64_t>,
  // The do-not-call list, for the console (kind "phone" or "customer"):
  // add values -> how many were new; remove one -> whether it was listed; check one;
  // import a file (kind, path, default country prefix) -> a summary.
  caf::replies_to<caf::add_atom, std::string, std::vector<std::string>>::with<std::uint64_t>,
  caf::replies_to<caf::delete_atom, std::string, std::string>::with<bool>,
  caf::replies_to<caf::get_atom, std::string, std::string>::with<bool>,
  caf::replies_to<import_atom, std::string, std::string, std::string>::with<std::string>,
  // A message's recipient opted out (kind "sms" or "email", value as stored): checks see it
  // at once, the list gets it with the next batch (every 100 ms: one transaction for many
  // opt-outs, not one per message). (kind, value)
  caf::reacts_to<caf::add_atom, std::string, std::string>,
  // Its own timer: the opt-outs waiting go on the list.
  caf::reacts_to<caf::flush_atom>>;

/// Detached unless `where` says scheduled (CAF's test coordinator: local_engine).
compliance_actor spawn_compliance(caf::actor_system& sys, std::shared_ptr<compliance_setup> setup,
                                  actor_placement where = actor_placement::detached);

} // namespace parley::outbound
