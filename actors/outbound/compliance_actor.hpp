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
// Messages (untyped):
//   (check_atom, std::string campaign, compliance_rules, abandon_stats,
//    std::vector<record_row>) -> std::vector<verdict>   one per record, in order
//   (attempt_atom, uint64 record, std::string customer, int64 time_ms)  a dial was placed
//   (delete_atom, uint64 record)   an allowed record went back to its list undialed
//   the do-not-call list, for the console (kind "phone" or "customer"):
//   (add_atom, std::string kind, std::vector<std::string> values) -> uint64 added
//   (delete_atom, std::string kind, std::string value) -> bool removed
//   (get_atom, std::string kind, std::string value) -> bool listed
//   (import_atom, std::string kind, std::string path, std::string default_prefix)
//       -> std::string summary
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/outbound/outbound_types.hpp"
#include "actors/runtime/placement.hpp"
#include "actors/runtime/domain.hpp"

namespace parley::storage {
class store;
}

namespace parley::outbound {

class suppression_list;

struct compliance_setup {
  std::unique_ptr<suppression_list> dnc;
  std::shared_ptr<storage::store> store;  ///< for attempt history (its own connection)
  caf::actor list_store;                  ///< denials go here
  std::shared_ptr<const clock> clk;
  std::shared_ptr<domain_metrics> metrics;
};

/// Detached unless `where` says scheduled (CAF's test coordinator: local_engine).
caf::actor spawn_compliance(caf::actor_system& sys, std::shared_ptr<compliance_setup> setup,
                            actor_placement where = actor_placement::detached);

} // namespace parley::outbound
