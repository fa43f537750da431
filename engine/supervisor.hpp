// supervisor: watches every long-lived actor of the engine and decides what a death means.
//
// The engine spawns it in start() right after the domain (spawn_domain), handing it the
// long-lived actors — directory, registries, reporting bus, writer, stats hub, routers,
// queues, campaigns, list store, compliance, gateway, scheduler — and stops it first in
// stop_actors(). It monitors them (it holds no handle, so it keeps none alive). A death
// outside an orderly stop is logged at error level with the actor's name and exit reason,
// counted (domain_metrics::deaths, parley_actor_deaths_total{actor}), turns /readyz to 503
// with the reason (supervision::not_ready), and ends in the per-family decision written in
// engine/README.md ("Supervision"): for every long-lived family it is "restart the
// process" — the engine is told (on_death), stops cleanly (the writer commits what it
// holds, listeners close) and parleyd exits with supervision_exit_code, which systemd's
// Restart=on-failure answers with a restart whose recovery rebuilds everything from
// storage and config. Interactions and agents are their registries' business.
//
// During an orderly stop (SIGTERM, the console's shutdown, a failed start) the engine sets
// supervision::stopping before it stops any actor: those deaths are expected, not counted.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/runtime/actor_family.hpp"
#include "actors/runtime/domain.hpp"
#include "actors/runtime/metrics.hpp"

namespace parley::engine {

/// What parleyd exits with after a supervised actor died (EX_SOFTWARE from sysexits.h):
/// not 0, so systemd's Restart=on-failure restarts it; not 1 or 2 (a start that failed, a
/// config error), so the journal tells the cases apart.
inline constexpr int supervision_exit_code = 70;

/// One long-lived actor to watch.
struct supervised {
  actor_family family;
  std::string name;  ///< the queue, tenant or campaign; "" for one-per-engine families
  /// Untyped on purpose: the supervisor only monitors and kills, whatever the interface
  /// (and CAF 0.17's send_exit to a strong_actor_ptr does not reach its target).
  caf::actor handle;
};

/// The supervisor's view of any actor handle, typed or not.
template <class Handle>
caf::actor any_actor(const Handle& h) {
  return caf::actor_cast<caf::actor>(h);
}

/// "queue sales", "reporting_bus".
std::string supervised_name(const supervised& s);

/// What the supervisor and the engine share (any thread).
class supervision {
public:
  /// Set before an orderly stop stops any actor: deaths from then on are expected.
  std::atomic<bool> stopping{false};

  /// The first death, as /readyz shows it ("" while none).
  std::string failure() const;
  /// Records a death; true for the first one.
  bool record(const std::string& what);

private:
  mutable std::mutex mx_;
  std::string failure_;
};

/// Every long-lived actor of a domain (the writer is `store`), plus the directory, the list
/// store and the [[schedule]] runner the engine holds itself; invalid handles (no
/// campaigns, no schedule) left out.
std::vector<supervised> long_lived_actors(const domain_handles& d,
                                          const caf::actor& directory,
                                          const caf::actor& list_store,
                                          const caf::actor& scheduler);

/// The inbound core of a domain, stopped together at shutdown before the writer: the
/// registries (which take their interactions and agents with them), the bus, the stats hub
/// (its statistics), the routers and the queues.
std::vector<caf::actor> core_actors(const domain_handles& d);

/// Why restarting the process is the safe answer to a death of `f` (for the log line).
const char* restart_reason(actor_family f) noexcept;

/// Spawns the supervisor watching `watched`. `on_death` runs on an actor thread once per
/// death outside an orderly stop, with the text /readyz shows, after the log line and the
/// count.
caf::actor spawn_supervisor(caf::actor_system& sys, std::shared_ptr<supervision> sup,
                            std::shared_ptr<domain_metrics> metrics,
                            std::vector<supervised> watched,
                            std::function<void(const std::string&)> on_death);

} // namespace parley::engine
