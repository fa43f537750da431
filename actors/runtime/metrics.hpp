// metrics: lock-free numbers that actors and sessions update from any thread and the
// /metrics endpoint reads (Envoy-style stats: relaxed atomics, no locks, no allocation).
// The engine owns one instance and shares it (shared_ptr) with the domain actors.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "actors/runtime/actor_family.hpp"

namespace parley {

/// A latency histogram with fixed buckets in seconds, for Prometheus.
class latency_histogram {
public:
  static constexpr std::array<double, 16> bounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                 0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                                 1,      2.5,     5,      10};

  void record(std::chrono::nanoseconds d) noexcept {
    auto s = std::chrono::duration<double>(d).count();
    std::size_t i = 0;
    while (i < bounds.size() && s > bounds[i])
      ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
  }

  /// Observations in bucket i (i == bounds.size(): above the last bound).
  std::uint64_t bucket(std::size_t i) const noexcept {
    return counts_[i].load(std::memory_order_relaxed);
  }
  double sum_seconds() const noexcept {
    return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  }

private:
  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

/// Rows per committed storage transaction, for Prometheus.
class size_histogram {
public:
  static constexpr std::array<double, 12> bounds{1,   5,    10,   25,   50,    100,
                                                 250, 500, 1000, 2500, 5000, 10000};

  void record(std::uint64_t n) noexcept {
    std::size_t i = 0;
    while (i < bounds.size() && static_cast<double>(n) > bounds[i])
      ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t bucket(std::size_t i) const noexcept {
    return counts_[i].load(std::memory_order_relaxed);
  }
  double sum() const noexcept { return static_cast<double>(sum_.load(std::memory_order_relaxed)); }

private:
  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> counts_{};
  std::atomic<std::uint64_t> sum_{0};
};

/// What the persistence writer tells everyone else: whether new work can be stored, and
/// its numbers for /metrics, /readyz and the console. Only the writer changes it.
struct storage_health {
  std::string backend;     ///< "sqlite /path" or "postgresql host=..." (set before start)
  std::atomic<bool> up{true};     ///< the last write or health check reached the database
  std::atomic<bool> full{false};  ///< pending rows reached storage.max_pending
  /// Set by the writer with up and full: not full, and up or acknowledging before commit
  /// (the writer knows its durability).
  std::atomic<bool> takes_work{true};
  std::atomic<std::uint64_t> pending{0};   ///< rows buffered, not yet committed
  std::atomic<std::uint64_t> batches{0};   ///< committed transactions
  std::atomic<std::uint64_t> rows{0};      ///< committed rows
  std::atomic<std::uint64_t> failures{0};  ///< failed write attempts (retried)
  std::atomic<std::uint64_t> shed{0};      ///< reporting events dropped (storage.shed_events)
  latency_histogram commit;                ///< one batch: begin -> committed
  size_histogram batch_rows;

  /// New work (submits, state changes) is refused while this is false.
  bool accepting() const noexcept { return takes_work.load(std::memory_order_relaxed); }
};

struct domain_metrics {
  latency_histogram submit_ack;  ///< Submit received -> Submitted sent
  latency_histogram routing;     ///< entered a queue -> the agent showed the invite
  storage_health storage;
  // -- statistics (2060) --
  std::atomic<std::int64_t> stats_open{0};             ///< open statistics now
  std::atomic<std::int64_t> stats_calculations{0};     ///< calculations behind them now
  std::atomic<std::uint64_t> stats_opened{0};          ///< opened since start
  std::atomic<std::uint64_t> stats_notifications{0};   ///< StatInfo events sent
  std::atomic<std::uint64_t> stats_coalesced{0};       ///< values superseded before sending
  std::atomic<std::uint64_t> stats_redis_writes{0};    ///< hash fields written to Redis
  std::atomic<std::uint64_t> stats_redis_errors{0};    ///< failed Redis connects or writes
  // -- outbound --
  std::array<std::atomic<std::uint64_t>, 9> compliance{};   ///< decisions by deny_reason (0: allowed)
  std::array<std::atomic<std::uint64_t>, 16> dial_results{}; ///< finished attempts by call_event
  std::atomic<std::uint64_t> dials{0};                       ///< attempts placed
  std::atomic<std::uint64_t> dial_abandoned{0};              ///< answers no agent took in time
  std::atomic<std::int64_t> dials_in_flight{0};              ///< dialer sessions alive
  std::atomic<std::uint64_t> dial_missed_personal{0};        ///< personal callbacks their agent missed
  std::atomic<std::uint64_t> dials_not_placed{0};            ///< dials no gateway had a line for
  // -- external dialing gateways (gateway_pool) --
  std::atomic<std::int64_t> dial_gateways{0};                ///< dial_gateway clients registered
  std::atomic<std::int64_t> dial_gateway_lines{0};           ///< lines they offer
  std::atomic<std::int64_t> dial_gateway_lines_busy{0};      ///< of which calls use
  std::atomic<std::uint64_t> dial_gateway_calls_lost{0};     ///< calls ended as failed: disconnect, no report
  /// Agents' actions on records by outbound::record_op (update, reschedule, do_not_call,
  /// processed), then [4]: records written back because RecordProcessed never came.
  std::array<std::atomic<std::uint64_t>, 5> record_actions{};
  // -- external routers (a router client on 7120, or routing over Redis Streams) --
  std::atomic<std::uint64_t> router_fallbacks{0};  ///< requests decided built-in: no answer in time, a failed post, a refused instruction
  std::atomic<std::uint64_t> stream_requests{0};   ///< routing requests posted to <prefix><tenant>:to-route
  std::atomic<std::uint64_t> stream_post_errors{0};  ///< requests Redis did not take
  /// Instructions read from <prefix><tenant>:instructions, by what became of them:
  /// [0..3] applied route, queue, wait, stop; [4] stale; [5] refused; [6] dead letters.
  std::array<std::atomic<std::uint64_t>, 7> stream_instructions{};
  std::atomic<std::uint64_t> stream_claimed{0};    ///< instructions claimed from another consumer
  std::atomic<std::uint64_t> stream_read_errors{0};  ///< failed reads or acknowledgements (retried)
  latency_histogram stream_round_trip;             ///< request made -> instruction applied
  // -- supervision --
  /// Unexpected deaths by actor_family: counted by the engine's supervisor (long-lived
  /// actors) and by the registries (interactions, agents); an orderly stop is not one.
  std::array<std::atomic<std::uint64_t>, actor_family_count> deaths{};

  void count_death(actor_family f) noexcept {
    deaths[static_cast<std::size_t>(f)].fetch_add(1, std::memory_order_relaxed);
  }
};

} // namespace parley
