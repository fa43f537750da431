// ha_lease: the lease behind a warm-standby pair (docs/ha.md), PostgreSQL only.
//
// One row (table ha_lease, migration 0015) names the primary, its fencing term and where
// clients reach it, and expires ha.lease_ms after its last renewal by the database's clock.
// The primary also holds a session advisory lock on its lease connection: when its process
// dies the lock goes with the connection at once, so the backup need not wait for the
// lease to expire. A node takes the lease when the row is missing or expired, or when the
// holder's lock is gone; it then raises the term (every write statement of the old term
// fails from then on: the parley_fence trigger) and ends the old holder's connections
// (pg_terminate_backend on application_name "parleyd/<holder>"), so nothing the old primary
// started can commit after the new one has read the state. Every decision about the row is
// made under SELECT ... FOR UPDATE: two nodes started at once get one term each, in turn,
// and the second sees the first's live lease.
//
// Not thread-safe: one thread (the HA node's lease thread) uses one lease_keeper.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "storage/store.hpp"

namespace parley::storage {

/// Where clients reach a node (ha.advertise and the bound ports).
struct ha_endpoints {
  std::string host;
  std::uint16_t interaction = 0;
  std::uint16_t vq = 0;
  std::uint16_t stat = 0;
  std::uint16_t http = 0;
};

/// The lease row as stored.
struct ha_lease_row {
  std::uint64_t term = 0;
  std::string holder;
  ha_endpoints at;
  bool live = false;                ///< expires_at is in the database's future
  std::int64_t since_ms = 0;        ///< when this term began (Unix ms, the database's clock)
  std::string previous;             ///< the holder before it ("" for the first term)
};

class lease_keeper {
public:
  /// Connects as "parleyd/<node>" (storage_error when the database is unreachable).
  lease_keeper(const config& cfg, std::string node, std::chrono::milliseconds lease);
  ~lease_keeper();
  lease_keeper(const lease_keeper&) = delete;
  lease_keeper& operator=(const lease_keeper&) = delete;

  /// Migrates the database, one node at a time (the other waits for the first).
  void prepare(const config& cfg);

  /// The row (nullopt: no node was ever primary).
  std::optional<ha_lease_row> read();

  /// Takes the lease when it is free (missing, expired, or its holder's lock gone): returns
  /// the new term once the old holder's connections are gone, or 0 when another node holds
  /// a live lease. Throws storage_error when the database cannot be reached.
  std::uint64_t try_take(const ha_endpoints& at);

  /// Extends the lease of `term`: false when the row holds another term (taken over).
  bool renew(std::uint64_t term, const ha_endpoints& at);

  /// A clean stop: the lease expires now, so the backup takes over without waiting.
  void release(std::uint64_t term);

  /// Drops the connection (and the lock with it); the next call connects again.
  void disconnect();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace parley::storage
