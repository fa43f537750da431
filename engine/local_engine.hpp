// local_engine: the engine's actors without its I/O — the directory, the persistence
// writer and the domain on an actor system the caller owns, with clients attached
// in-process (local_session) instead of over TCP.
//
// Made for runs on virtual time: the scenario driver's virtual mode, and parley-bench
// simulate's (bench/parley_bench/simulate_virtual.cpp). The caller builds the actor system
// (prepare_actor_system() plus testing_config() for CAF's test coordinator) and a clock (a
// virtual_clock on the same system), then this;
// everything runs in the caller's thread whenever it runs the coordinator (virtual_time).
// Nothing here blocks on an actor, so it works on a threaded scheduler too.
//
// What it does not start, because it is the Asio side or runs detached (a real thread
// would race the test coordinator): listeners, sessions, the console, /metrics, [[schedule]]
// jobs (timed list imports), a do-not-call list in Redis, the statistics' Redis
// publication. A config that needs one of those is refused. The writer runs as an ordinary
// actor (actor_placement::scheduled): its store calls block the thread that runs it.
//
// Campaigns run when the engine has a store (storage_mode::store): their list store and
// compliance actor run scheduled too, each on a store connection of its own, with the
// do-not-call list in process (read from the store at start), and the simulated gateway
// dials on domain time. Lists, records and do-not-call entries are put into the store
// before the engine starts (there is no console to import them); nothing is recovered —
// no stale leases, no interrupted imports.
//
// Stopping: stop() closes every session and tells every long-lived actor to stop in
// engine::stop's order — campaigns, gateway and compliance first; then the domain; the
// writer and the list store last (once the others are down, so they commit what they
// were sent); then the caller runs the scheduler until no actor is left, before the actor
// system goes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/directory/directory_actor.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/clock.hpp"
#include "actors/runtime/domain.hpp"
#include "engine/config.hpp"
#include "engine/local_session.hpp"
#include "engine/session.hpp"

namespace parley::engine {

struct domain_storage;

class local_engine {
public:
  /// Where the engine's state goes.
  enum class storage_mode {
    /// The configured store (store_config(cfg): SQLite under data_dir unless [storage] says
    /// otherwise), through the real writer. It must hold no interactions: there is no
    /// recovery here.
    store,
    /// Nothing is stored (no writer); acknowledgements do not wait for a commit.
    none,
  };

  /// Spawns the directory, the writer, the outbound actors (campaigns configured) and the
  /// domain on `sys` with `clk` as domain time.
  /// Throws std::runtime_error naming what it cannot run (see above) or a store it cannot
  /// use. The actors start when the scheduler runs them.
  local_engine(caf::actor_system& sys, config cfg, std::shared_ptr<const clock> clk,
               storage_mode storage = storage_mode::store);
  ~local_engine();
  local_engine(const local_engine&) = delete;
  local_engine& operator=(const local_engine&) = delete;

  /// A new client on the port of `kind` (which families it may use, as over TCP). Its
  /// frames come back through `out`. Unusable after stop().
  std::shared_ptr<local_session> connect(listener_kind kind, local_session::sink out);

  /// Closes every session and stops every actor this engine spawned (see above).
  /// Idempotent; returns at once.
  void stop();

  /// The reporting bus's per-tenant conservation counts (what the console's `status`
  /// shows). `done` runs on the actor's thread when the bus answers, with nullopt when it
  /// cannot (stopped, or no answer within the request timeout).
  void conservation(std::function<void(std::optional<conservation_map>)> done);

  const config& cfg() const noexcept { return cfg_; }
  const domain_ptr& domain() const noexcept { return domain_; }
  directory_actor directory() const noexcept { return directory_; }

private:
  caf::actor_system& sys_;
  config cfg_;
  std::shared_ptr<const clock> clk_;
  /// Spawns the list store and compliance (scheduled) into `ds`; throws naming the cause.
  void start_outbound(domain_storage& ds);

  directory_actor directory_;
  writer_actor writer_;
  outbound::list_store_actor list_store_;
  domain_ptr domain_;
  std::uint64_t next_session_ = 1;
  std::vector<std::weak_ptr<local_session>> sessions_;
  bool stopped_ = false;
};

} // namespace parley::engine
