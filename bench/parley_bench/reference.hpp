// reference: the yardsticks measured in the same run as a scenario — redis-benchmark PING
// against a throwaway redis-server for ping, wrk against nginx serving a static file for
// http (well-known event-loop servers doing the same work on the same machine).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "bench/parley_bench/report.hpp"

namespace parley::bench {

/// Starts `redis-server` on a free loopback port (no persistence, not daemonized, a child
/// of this process), runs `redis-benchmark -t ping -c clients -P pipeline` sized to last
/// about `duration_s`, kills the server. Returns the PING_MBULK rate, or nullopt with
/// `why` set (not installed, did not start, no output).
std::optional<reference> redis_ping_reference(unsigned clients, unsigned pipeline, double duration_s,
                                              std::string& why);

/// What one wrk run measured.
struct wrk_figures {
  double requests_per_s = 0;
  std::uint64_t requests = 0;
  std::uint64_t p50_us = 0, p90_us = 0, p99_us = 0;
  std::uint64_t failed = 0;  ///< socket errors and non-2xx/3xx answers
  std::string command;
};

/// Runs `wrk --latency -t threads -c connections -d duration_s` against `url` (a loopback
/// address), with `header` ("Name: value") when not empty. Nullopt with `why` when wrk is
/// missing or printed no rate.
std::optional<wrk_figures> run_wrk(const std::string& url, unsigned threads, unsigned connections,
                                   double duration_s, const std::string& header, std::string& why);

/// Starts nginx on a free loopback port serving `body` as a static file (its own prefix in a
/// temporary folder, `workers` worker processes, no access log), runs run_wrk against it
/// with the same load, and stops it.
std::optional<wrk_figures> nginx_static_reference(const std::string& body, unsigned workers, unsigned threads,
                                                  unsigned connections, double duration_s, std::string& why);

} // namespace parley::bench
