// list_store_actor: the campaigns' way to their contact lists in storage — leases of due
// records, and a group-committed stream of record updates, dial attempts and compliance
// denials. A detached actor (the database blocks; scheduled on the test coordinator) with a store connection of its own;
// spawned by the engine when campaigns are configured, stopped by it after the campaigns.
//
// Writes are buffered and committed together every `flush` or once `batch` rows wait; a
// failing database keeps them (retried with backoff, logged) — nothing acknowledged is
// dropped. Reads (leases, attempt history) commit what waits first, so they see it.
// Messages (untyped):
//   (lookup_atom, std::string list) -> uint64 list id | unknown_id
//   (lease_atom, uint64 list, uint32 n, int64 now_ms, uint8 lease_order) -> std::vector<record_row>
//   (outcome_atom, record_row)       a record written back (status, result, schedule)
//   (attempt_atom, attempt_row)      one dial attempt's history row
//   (denial_atom, denial_row)        a compliance denial
//   (chain_atom, uint64 list, uint64 chain, uint32 chain_n, int64 now_ms, bool close)
//       next in chain due (close: the chain's other ready records cancelled)
//   (attempt_atom, uint64 record, std::string customer, int64 since_ms)
//       -> (std::vector<int64> record_times, std::vector<int64> customer_times)
//   (sync_atom) -> ok                everything sent before is committed
#pragma once

#include <chrono>
#include <memory>

#include <caf/fwd.hpp>

#include "actors/outbound/outbound_types.hpp"
#include "actors/runtime/placement.hpp"

namespace parley::storage {
class store;
}

namespace parley::outbound {

struct list_store_config {
  std::size_t batch = 2000;
  std::chrono::milliseconds flush{20};
};

/// Detached unless `where` says scheduled (CAF's test coordinator: local_engine).
caf::actor spawn_list_store(caf::actor_system& sys, std::shared_ptr<storage::store> store,
                            list_store_config cfg = {},
                            actor_placement where = actor_placement::detached);

} // namespace parley::outbound
