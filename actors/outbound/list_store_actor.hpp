// list_store_actor: the campaigns' way to their contact lists in storage — leases of due
// records, and a group-committed stream of record updates, dial attempts and compliance
// denials. A detached actor (the database blocks; scheduled on the test coordinator) with a store connection of its own;
// spawned by the engine when campaigns are configured, stopped by it after the campaigns.
//
// Writes are buffered and committed together every `flush` or once `batch` rows wait; a
// failing database keeps them (retried with backoff, logged) — nothing acknowledged is
// dropped. Reads (leases, attempt history) commit what waits first, so they see it.
// Messages: list_store_actor below.
#pragma once

#include <chrono>
#include <memory>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/outbound/outbound_types.hpp"
#include "actors/runtime/types.hpp"
#include "storage/outbound_rows.hpp"
#include "actors/runtime/placement.hpp"

// The list store family's own atoms (the engine's shared verbs are in types.hpp).
CAF_BEGIN_TYPE_ID_BLOCK(parley_list_store, caf::id_block::parley::end)
  CAF_ADD_ATOM(parley_list_store, parley, lease_atom, "lease")
  CAF_ADD_ATOM(parley_list_store, parley, outcome_atom, "outcome")
  CAF_ADD_ATOM(parley_list_store, parley, attempt_atom, "attempt")
  CAF_ADD_ATOM(parley_list_store, parley, denial_atom, "denial")
  CAF_ADD_ATOM(parley_list_store, parley, chain_atom, "chain")
  CAF_ADD_ATOM(parley_list_store, parley, tick_atom, "tick")
  CAF_ADD_ATOM(parley_list_store, parley, audit_atom, "audit")
  CAF_ADD_ATOM(parley_list_store, parley, action_atom, "action")
CAF_END_TYPE_ID_BLOCK(parley_list_store)

namespace parley::storage {
class store;
}

namespace parley::outbound {

struct list_store_config {
  std::size_t batch = 2000;
  std::chrono::milliseconds flush{20};
};

using list_store_actor = caf::typed_actor<
  // The id of a contact list; unknown_id. (name)
  caf::replies_to<lookup_atom, std::string>::with<std::uint64_t>,
  // Lease up to n due records of a list. (list, n, now_ms, storage::lease_order)
  caf::replies_to<lease_atom, std::uint64_t, std::uint32_t, std::int64_t, std::uint8_t>::with<
    std::vector<storage::record_row>>,
  // A record written back (status, result, schedule); no answer.
  caf::reacts_to<outcome_atom, storage::record_row>,
  // One dial attempt's history row; no answer.
  caf::reacts_to<attempt_atom, storage::attempt_row>,
  // A compliance denial; no answer.
  caf::reacts_to<denial_atom, storage::denial_row>,
  // An agent's action on a record (the campaign's action log); no answer.
  caf::reacts_to<action_atom, storage::record_action_row>,
  // A campaign's newest actions, after committing what waits. (campaign, limit)
  caf::replies_to<action_atom, std::string, std::uint32_t>::with<
    std::vector<storage::record_action_row>>,
  // The next record of a chain is due (close: the chain's other ready records are
  // cancelled). (list, chain, chain_n, now_ms, close)
  caf::reacts_to<chain_atom, std::uint64_t, std::uint64_t, std::uint32_t, std::int64_t, bool>,
  // The dial times of a record and of its customer since `since_ms`.
  // (record, customer, since_ms) -> (record_times, customer_times)
  caf::replies_to<attempt_atom, std::uint64_t, std::string, std::int64_t>::with<
    std::vector<std::int64_t>, std::vector<std::int64_t>>,
  // A campaign's answered and abandoned calls per hour since `since_ms`, from the stored
  // result rows: its abandon-rate window, rebuilt when it first starts. (campaign, since_ms)
  caf::replies_to<audit_atom, std::string, std::int64_t>::with<std::vector<storage::answer_hour>>,
  // What a campaign's stored attempts that ended in [since_ms, until_ms) prove
  // (`campaign audit`). (campaign, since_ms, until_ms)
  caf::replies_to<audit_atom, std::string, std::int64_t, std::int64_t>::with<storage::attempt_audit>,
  // Whether a list has a record to dial now, or later — after committing what waits, so a
  // record given back a moment ago counts (a campaign sequence's step ending). (list, now_ms)
  caf::replies_to<count_atom, std::uint64_t, std::int64_t>::with<storage::list_remaining>,
  // Answered once everything sent before is committed.
  caf::replies_to<sync_atom>::with<caf::ok_atom>,
  // Its own timer: commit what waits.
  caf::reacts_to<tick_atom>>;

/// Detached unless `where` says scheduled (CAF's test coordinator: local_engine).
list_store_actor spawn_list_store(caf::actor_system& sys, std::shared_ptr<storage::store> store,
                                  list_store_config cfg = {},
                                  actor_placement where = actor_placement::detached);

} // namespace parley::outbound
