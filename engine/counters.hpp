// counters: engine-wide numbers that sessions and listeners update from any thread
// (relaxed atomics). Read by tests, the console and /metrics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "protocol/wire.hpp"

namespace parley::engine {

/// The event logs the stream export appends (engine/stream_export.hpp): the reporting
/// events and the virtual-queue events, each with its own sequence.
enum class export_log : std::uint8_t { events, vq };

/// "events", "vq": the streams' key suffix and the metrics' label.
constexpr const char* to_string(export_log log) noexcept {
  return log == export_log::events ? "events" : "vq";
}

/// One log's export: the last event appended (its seq), entries appended, appends Redis
/// already had (a retry after a lost reply), failed passes, and how long the streams have
/// been behind the log (ms; 0: caught up).
struct export_counters {
  std::atomic<std::uint64_t> watermark{0};
  std::atomic<std::uint64_t> appended{0};
  std::atomic<std::uint64_t> duplicates{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::int64_t> lag_ms{0};
};

struct counters {
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_refused{0};  ///< over max_connections
  std::atomic<std::uint64_t> registrations{0};
  /// TLS handshakes that failed or did not finish in time (a plain client on a TLS port).
  std::atomic<std::uint64_t> tls_handshake_failures{0};
  /// Config reloads (SIGHUP, console `reload`) applied, finding nothing changed, and
  /// refused as a whole (reload_outcome).
  std::atomic<std::uint64_t> reloads_applied{0};
  std::atomic<std::uint64_t> reloads_unchanged{0};
  std::atomic<std::uint64_t> reloads_refused{0};
  std::atomic<std::uint64_t> frames_in{0};
  std::atomic<std::uint64_t> frames_out{0};
  std::atomic<std::uint64_t> requests_in_flight{0};
  /// Requests received, by wire message type (pings included).
  std::array<std::atomic<std::uint64_t>, 256> requests{};
  /// Errors sent to clients, by wire error code.
  std::array<std::atomic<std::uint64_t>, 256> errors{};

  /// Historical reporting (engine/history.hpp): the last event in the facts, facts written,
  /// failed passes, and how long the aggregates have been behind (ms; 0: caught up).
  std::atomic<std::uint64_t> reporting_watermark{0};
  std::atomic<std::uint64_t> reporting_facts{0};
  std::atomic<std::uint64_t> reporting_errors{0};
  std::atomic<std::int64_t> reporting_lag_ms{0};
  /// The export to Redis Streams (engine/stream_export.hpp), per log (export_log).
  std::array<export_counters, 2> exports{};
  export_counters& exported(export_log log) { return exports[static_cast<std::size_t>(log)]; }
  const export_counters& exported(export_log log) const { return exports[static_cast<std::size_t>(log)]; }

  std::uint64_t errors_of(wire::ErrorCode c) const {
    return errors[static_cast<std::size_t>(c)].load(std::memory_order_relaxed);
  }
};

} // namespace parley::engine
