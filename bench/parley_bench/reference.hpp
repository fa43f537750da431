// reference: redis-benchmark PING against a throwaway redis-server, the yardstick for the
// ping scenario (a well-known event-loop server doing the same round trip on the same
// machine, measured in the same run).
#pragma once

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

} // namespace parley::bench
