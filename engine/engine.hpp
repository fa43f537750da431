// engine: one Parley engine, the process runtime around the actors.
//
// parleyd creates exactly one; tests and parley-bench create them in-process. start()
// builds the actor system, spawns the long-lived actors, opens the listeners and starts
// the I/O threads; stop() runs the shutdown order written down in engine/README.md.
// Member order matters: the actor system is declared before the io_context, so pending
// Asio handlers (which hold actor handles) are destroyed while the system is alive.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/directory/directory_actor.hpp"
#include "actors/outbound/scheduler_actor.hpp"
#include "engine/history.hpp"
#include "engine/stream_export.hpp"
#include "actors/reporting/reporting_bus.hpp"
#include "actors/runtime/domain.hpp"
#include "actors/runtime/clock.hpp"
#include "storage/rows.hpp"
#include "engine/config.hpp"
#include "engine/console/console.hpp"
#include "engine/metrics/metrics_server.hpp"
#include "engine/web/web_server.hpp"
#include "engine/counters.hpp"
#include "engine/ha_status.hpp"
#include "engine/listener.hpp"
#include "engine/live_config.hpp"
#include "engine/reload_result.hpp"
#include "engine/session.hpp"
#include "engine/supervisor.hpp"

namespace parley {
struct writer_config;
}

namespace parley::engine {

class engine {
public:
  explicit engine(config cfg, std::shared_ptr<const clock> clk = nullptr);
  ~engine();

  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  /// Opens everything; throws std::runtime_error (e.g. a port in use) with nothing left open.
  void start();

  /// Graceful stop: stop accepting, drain sessions (bounded by timeouts.shutdown), stop the
  /// actors, stop the I/O threads. Idempotent and thread-safe; blocks until done.
  void stop();

  /// The bound port of a listener (useful with port 0).
  std::uint16_t port(listener_kind kind) const;
  std::uint16_t console_port() const;
  std::uint16_t metrics_port() const;
  /// The HTTP API and web UI (http.port).
  std::uint16_t http_port() const;

  /// Stop taking new work (console `drain`): listeners close, sessions refuse new requests
  /// and close once their in-flight requests are answered. Thread-safe, returns at once.
  void drain();
  /// Takes new work again after drain() (console `undrain`): the listeners reopen on the
  /// ports they had. "" or why not (not draining, stopping, a port taken meanwhile).
  std::string undrain();
  bool draining() const noexcept { return draining_; }

  /// What the console's `shutdown` does; parleyd sends itself SIGTERM. Set before start().
  void on_shutdown_request(std::function<void()> f) { shutdown_hook_ = std::move(f); }

  /// What to do when a supervised long-lived actor died (supervisor.hpp): parleyd stops
  /// the engine and exits with exit_code(). Called once, on an actor thread; it must not
  /// block (post the stop elsewhere). Without it the engine stays up, not ready. Set
  /// before start().
  void on_fatal_death(std::function<void()> f) { fatal_hook_ = std::move(f); }
  /// 0, or supervision_exit_code once a supervised actor died.
  int exit_code() const noexcept { return exit_code_.load(); }
  /// The death that made the engine not ready ("" while none): "queue sales died (...)".
  std::string failure() const { return supervision_->failure(); }

  /// Reads the config again for the console's `reload`, as SIGHUP does: parleyd re-reads
  /// its file with the same --set overrides. Throws config_error. Set before start().
  void on_reload_request(std::function<config()> f) { reload_source_ = std::move(f); }

  /// One node of an HA pair (docs/ha.md): the console and /metrics show its state, and
  /// /readyz says 503 once it is no longer the primary. Before start().
  void set_ha(std::shared_ptr<const ha_status> s) { ha_ = std::move(s); }

  /// Applies `next` if every key that differs from the running config is reloadable
  /// (the option table's `reloadable` column): all of it at once, or — when any other key
  /// changed — nothing. Logs one line per changed key (or one line naming the refused
  /// keys), each starting with `who` ("SIGHUP"), and returns the outcome with those lines.
  /// Thread-safe; never blocks on actors.
  reload_result reload(const config& next, const std::string& who);

  /// The same with the config from on_reload_request: a config error, or no source to
  /// read, is a refusal (logged; nothing applied).
  reload_result reload_from_source(const std::string& who);

  /// The settings in effect: the start-up config with the reloaded keys replaced.
  const live_config& live() const noexcept { return live_; }

  const config& cfg() const noexcept { return cfg_; }
  const counters& stats() const noexcept { return counters_; }
  const clock& clk() const noexcept { return *clock_; }
  caf::actor_system& system() noexcept { return *system_; }
  directory_actor directory() const noexcept { return directory_; }
  const domain_ptr& domain() const noexcept { return domain_; }
  /// Per-tenant interaction counts from the reporting bus (blocking; tests and console).
  conservation_map conservation();
  std::size_t open_sessions() const { return sessions_.size(); }
  /// Live actors (CAF registry), for leak checks and the console.
  std::size_t running_actors() const;

private:
  /// Stops every long-lived actor and waits until no actor runs.
  void stop_actors();

  config cfg_;
  live_config live_;
  std::mutex reload_mx_;
  std::function<config()> reload_source_;
  std::shared_ptr<const ha_status> ha_;
  std::unique_ptr<boost::asio::ssl::context> tls_;  ///< tls.enabled: shared by every TLS session
  std::shared_ptr<const clock> clock_;
  counters counters_;
  session_registry sessions_;
  std::atomic<std::uint64_t> next_session_id_{0};
  std::unique_ptr<caf::actor_system_config> caf_cfg_;
  std::unique_ptr<caf::actor_system> system_;
  /// Puts the stored live interactions back (`read_ms`: how long reading them took, logged).
  void recover(storage::recovered& rec, std::chrono::milliseconds read_ms);
  /// Outbound: recovers stale leases, opens the list store and compliance (own store
  /// connections; the do-not-call list in Redis or in process). Returns compliance.
  outbound::compliance_actor start_outbound(storage::store& main,
                                            std::shared_ptr<domain_metrics> metrics);
  /// The [[schedule]] runner, once the domain exists (invalid: nothing scheduled).
  outbound::scheduler_actor start_schedule();

  directory_actor directory_;
  writer_actor writer_;  ///< persistence: stopped after every domain actor
  outbound::list_store_actor list_store_;  ///< outbound lists: stopped after the campaigns
  history_actor history_;  ///< historical reporting's writer (invalid: reporting.enabled = false)
  /// The export to Redis Streams, one per log (export_log; invalid: streams.export = false).
  std::array<exporter_actor, 2> exporters_;
  outbound::scheduler_actor scheduler_;  ///< runs [[schedule]] (invalid: nothing scheduled)
  std::shared_ptr<supervision> supervision_ = std::make_shared<supervision>();
  caf::actor supervisor_;  ///< watches the long-lived actors; stopped first
  std::function<void()> fatal_hook_;
  std::atomic<int> exit_code_{0};
  /// A supervised actor died (from the supervisor): exit code, then the fatal hook.
  void fatal_death(const std::string& what);
  domain_ptr domain_;
  std::unique_ptr<session_env> env_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
  std::vector<std::unique_ptr<listener>> listeners_;
  std::unique_ptr<console_server> console_;
  std::unique_ptr<metrics_server> metrics_;
  std::unique_ptr<web::web_server> web_;
  std::function<void()> shutdown_hook_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopping_{false};
  std::chrono::steady_clock::time_point started_at_;
  std::vector<std::thread> io_threads_;
  std::mutex stop_mx_;
  bool started_ = false;
  bool stopped_ = false;
};

/// What the domain gets from storage: the writer its actors persist through, the metrics it
/// shares with that writer, and the last stored reporting sequence number.
struct domain_storage {
  writer_actor writer;
  std::shared_ptr<domain_metrics> metrics;
  std::uint64_t last_seq = 0;
  std::uint64_t last_vq_seq = 0;
  outbound::list_store_actor list_store;  ///< campaigns' leases and history (invalid: no outbound)
  outbound::compliance_actor compliance;
};

/// Spawns the long-lived domain actors of a config and introduces them to each other.
/// Without a writer nothing is stored (benchmarks of the actors alone).
domain_ptr spawn_domain(caf::actor_system& sys, const config& cfg, std::shared_ptr<const clock> clk,
                        domain_storage storage = {});

/// CAF scheduler threads for a config: actor_threads, or the cores left after I/O.
std::size_t actor_thread_count(const config& cfg);

/// What every engine's actor system needs: the scheduler threads for `cfg`, Parley's message
/// types and the wire error category. engine::start uses it, and so does whoever builds the
/// actor system of a local_engine (local_engine.hpp). Returns `c`.
caf::actor_system_config& prepare_actor_system(caf::actor_system_config& c, const config& cfg);

/// The persistence writer's settings from [storage]; session ids continue after
/// `next_session_id - 1` (the last one recovery found).
writer_config writer_settings(const config& c, std::uint64_t next_session_id);

} // namespace parley::engine
