// store: the storage interface, with two backends that pass one conformance suite
// (tests/storage/conformance_test.cpp): SQLite (the embedded default, WAL, one file under the
// data directory) and PostgreSQL (libpq). No CAF here: a store is used by one thread at a
// time — the persistence writer actor at run time, the engine at start-up for recovery.
//
// Error policy: every method throws storage_error on failure, with a message an operator can
// act on ("cannot open /var/lib/parley/parley.db: file is not a database"). `transient` says
// whether trying again may succeed (connection lost, server down, database busy); the writer
// retries those with backoff and keeps its buffer. Nothing here retries by itself except
// write(), which reconnects once to a PostgreSQL server that dropped the connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/outbound_store.hpp"
#include "storage/pulse_store.hpp"
#include "storage/reporting_store.hpp"
#include "storage/rows.hpp"
#include "storage/user_store.hpp"

namespace parley::storage {

class storage_error : public std::runtime_error {
public:
  storage_error(const std::string& what, bool transient)
    : std::runtime_error(what), transient_(transient) {}
  bool transient() const noexcept { return transient_; }

private:
  bool transient_;
};

/// Which database a store talks to (storage.backend).
enum class backend_kind { sqlite, postgresql };

/// SQLite's `PRAGMA synchronous` (storage.synchronous): full survives power loss, normal
/// a process crash only.
enum class sync_mode { full, normal };

/// "sqlite", "postgresql": the names the config and the migrations folders use.
const char* to_string(backend_kind b) noexcept;
/// "full", "normal".
const char* to_string(sync_mode m) noexcept;

struct config {
  backend_kind backend = backend_kind::sqlite;
  std::string path;                          ///< SQLite file
  sync_mode synchronous = sync_mode::full;   ///< SQLite only
  std::string dsn;                           ///< PostgreSQL connection string (libpq)
  std::uint32_t connect_timeout_s = 5;
  /// High availability (docs/ha.md), PostgreSQL only: this node's name (its connections'
  /// application_name is "parleyd/<node>") and, while it is the primary, its fencing term —
  /// every connection says it (SET parley.term) and refuses to start when the lease has
  /// moved on; every write statement fails with a non-transient storage_error after that.
  std::string ha_node;
  std::uint64_t ha_term = 0;
};

class store {
public:
  virtual ~store() = default;

  /// "sqlite /path/parley.db" or "postgresql host=... dbname=..." (never a password).
  virtual std::string describe() const = 0;

  /// The schema version the database is at (0: empty).
  virtual int schema_version() = 0;

  /// Applies the migrations this binary knows that the database lacks, each in its own
  /// transaction. Refuses a database whose version is newer than this binary knows.
  virtual void migrate() = 0;

  /// Writes one batch in one transaction: all of it or none of it.
  virtual void write(const batch& b) = 0;

  /// Reads what start-up needs and closes the agent sessions the last run left open
  /// (logout at `now_ms`, reason "engine restart"). `finished_limit` bounds `finished`.
  virtual recovered recover(std::size_t finished_limit, std::int64_t now_ms) = 0;

  /// A cheap round trip: is the database there?
  virtual bool ping() = 0;

  /// Makes this process the database's one engine (two engines on one database would
  /// hand out the same ids): waits up to `wait` for another one to let go (a killed one's
  /// lock goes with its process or connection), then throws storage_error naming the
  /// database. Held until the store is destroyed. SQLite: flock on "<file>.lock";
  /// PostgreSQL: a session advisory lock, taken again after a reconnect.
  virtual void claim(std::chrono::milliseconds wait) = 0;

  // -- reads for operators and tests ------------------------------------------------
  virtual std::optional<interaction_row> interaction(std::uint64_t id) = 0;
  /// Every row with this external id (more than one would be a duplicate: a bug).
  virtual std::vector<interaction_row> by_external_id(const std::string& tenant,
                                                      const std::string& external_id) = 0;
  virtual std::vector<event_row> events(std::uint64_t from_seq, std::size_t limit) = 0;
  /// The stored VQ events from `from_seq` on, in seq order, at most `limit`.
  virtual std::vector<vq_event_row> vq_events(std::uint64_t from_seq, std::size_t limit) = 0;
  virtual std::vector<agent_session_row> sessions(const std::string& agent) = 0;
  virtual std::uint64_t count_interactions() = 0;

  /// Lists, records, suppression, denials and attempts (outbound_store.hpp), on the same
  /// connection: same thread rule, same errors.
  virtual outbound_store& outbound() = 0;

  /// Users, API tokens and browser sessions (user_store.hpp), on the same connection.
  virtual user_store& users() = 0;

  /// Dashboards, widgets, templates, tabs and trend samples (pulse_store.hpp), on the same
  /// connection.
  virtual pulse_store& pulse() = 0;

  /// Historical reporting's facts, open state, dirty intervals and aggregates
  /// (reporting_store.hpp), on the same connection.
  virtual reporting_store& reporting() = 0;
};

/// Opens the configured backend and checks it can be used (connects, reads the schema
/// version). Throws storage_error with a clear message: a corrupt or read-only SQLite file,
/// a wrong password, an unreachable host.
std::unique_ptr<store> open_store(const config& cfg);

std::unique_ptr<store> open_sqlite(const config& cfg);
std::unique_ptr<store> open_postgresql(const config& cfg);

/// The migrations this binary carries, oldest first (storage/migrations/<backend>/*.sql;
/// the string overload takes the folder name).
const std::vector<std::string>& migrations(const std::string& backend);
const std::vector<std::string>& migrations(backend_kind backend);

} // namespace parley::storage
