// scenarios: the parley-bench scenarios. Each one builds the engine config it needs, drives
// the engine over loopback TCP through the harness's clients, and returns one result whose
// goal line says honestly how far it got. They run on the main thread and may throw
// std::runtime_error when they cannot run at all (the engine does not start, ...).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "bench/parley_bench/harness.hpp"
#include "bench/parley_bench/report.hpp"
#include "storage/store.hpp"

namespace parley::bench {

/// Closed loop: gateways submit (a window each), desks accept and stop; lifecycles/s.
result run_lifecycle(harness& h);
/// Open loop at --rate: intended send time -> Submitted, without coordinated omission.
result run_latency(harness& h);
/// Ping round trips over --clients connections, --pipeline each; redis-benchmark alongside.
result run_ping(harness& h);
/// --count agents logged in and ready, one desktop connection each.
result run_agents(harness& h);
/// --count interactions held in a queue without agents; memory per interaction.
result run_capacity(harness& h);

/// Rounds of load against a parleyd process, kill -9, restart, retry: acked vs found.
result run_crash(harness& h);
/// Two parleyd of an HA pair, kill -9 of the primary each round (docs/ha.md).
result run_failover(harness& h);

/// --count open interactions (queued, offered, handled, parked) in a parleyd, kill -9,
/// restart: time to listening, /readyz, the first routed interaction and all routable.
result run_recovery(harness& h);

/// Rows/s through the persistence writer vs a raw COPY (PostgreSQL) of the same rows.
result run_storage(harness& h);
/// --count statistics open over --boards wallboards; submits drive on-change notifications.
result run_stats(harness& h);
/// Poisson arrivals, exponential handle times, N agents on scaled time: measured service
/// level and speed of answer next to Erlang C.
result run_simulate(harness& h);

/// A predictive campaign on scaled time with the simulated gateway: abandon rate and agent
/// occupancy, measured by the desks and cross-checked against the campaign's counters.
result run_pacing(harness& h);
/// Dial attempts per second through lease, compliance, pacing, dialer sessions, gateway
/// and history; the storage alone doing the same writes as the reference.
result run_dial(harness& h);

/// The web API under wrk next to nginx serving a static file of the same size, and --count
/// live-update (SSE) clients: submit -> event latency.
result run_http(harness& h);
/// --count dashboards of --per statistics each on the live stream (Pulse's rated capacity:
/// 300,000 values at a 10 s refresh) while --rate interactions a second flow.
result run_dashboards(harness& h);

/// Historical reporting: --count facts aggregated from scratch next to a plain GROUP BY, a
/// month of one queue at 15 minutes read as a report, the fact writer's lag under load.
result run_history(harness& h);

/// The export to Redis Streams: --count stored events appended by the engine's exporter,
/// next to redis-benchmark XADD with the same pipeline.
result run_export(harness& h);

/// Routing over Redis Streams: open-loop submits at --rate to a queue a router in this
/// process routes through a throwaway redis-server, and to a built-in routed queue of the
/// same engine (the reference): Submit -> Invite, and the engine's route round trip.
result run_stream_route(harness& h);

/// The store a scenario fills itself: --backend postgresql at --dsn (an EMPTY database), or
/// SQLite (synchronous = normal) in a new directory /tmp/parley-bench-NAME-*, put in `dir`
/// for the scenario to remove.
storage::config scratch_store(const options& o, const std::string& name, std::string& dir);

/// `s` as a TOML basic string.
std::string toml_string(const std::string& s);

/// The [routing]/[[queues]]/[[agent_groups]] TOML the interaction scenarios run on.
/// `group` adds an agent group for "<prefix>*" with capacity 1 for the media.
std::string bench_toml(const options& o, std::uint64_t queue_size, bool group);

/// A media gateway's connection of the interaction scenarios.
struct gateway {
  std::shared_ptr<client::client> cl;
  std::atomic<int> in_flight{0};
  std::atomic<std::uint64_t> submitted{0};
};

/// `n` gateways (not started), started and registered, or an exception saying why not.
std::vector<std::unique_ptr<gateway>> connect_gateways(harness& h, unsigned n);
void start_all(harness& h, std::vector<std::unique_ptr<gateway>>& gws);

class desk_pool;
class histogram;
/// "p99 1.234 ms", for the progress line.
std::string p99_text(const histogram& h);
/// Desks for the interaction scenarios, all ready, or an exception saying why not.
void login_desks(harness& h, desk_pool& desks);

/// Fills what every scenario reports the same way: errors, rss, target.
void finish_result(harness& h, result& r);

} // namespace parley::bench
