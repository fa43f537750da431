// reference: the yardsticks measured in the same run as a scenario — redis-benchmark PING
// against a throwaway redis-server for ping (XADD for export), wrk against nginx serving a static file for
// http (well-known event-loop servers doing the same work on the same machine).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/parley_bench/report.hpp"

namespace parley::bench {

/// A redis-server child on a free loopback port (no persistence, not daemonized), ended
/// with the object. port() is 0 when it did not start (why() says why).
class throwaway_redis {
public:
  throwaway_redis();
  ~throwaway_redis();
  throwaway_redis(const throwaway_redis&) = delete;
  throwaway_redis& operator=(const throwaway_redis&) = delete;
  std::uint16_t port() const noexcept { return port_; }
  const std::string& why() const noexcept { return why_; }

private:
  int pid_ = -1;
  std::uint16_t port_ = 0;
  std::string why_;
};

/// `redis-benchmark` sending `command` (its words; `*` is passed as is) `n` times over
/// `clients` connections `pipeline` deep to the server on `port`: its requests/s, or nullopt
/// with `why` set.
std::optional<reference> redis_command_reference(std::uint16_t port, const std::vector<std::string>& command,
                                                 unsigned clients, unsigned pipeline, std::uint64_t n,
                                                 std::string& why);

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
