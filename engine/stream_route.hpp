// stream_route: routing over Redis Streams (docs/streams.md) for queues configured with
// router = "stream". Two detached actors with a Redis connection each:
// - the poster (route_stream_actor, in the domain): the tenants' routers hand it their
//   requests; it appends each to <prefix><tenant>:to-route (the requests that arrived
//   together in one pipeline) and answers once Redis took it — an error makes the router
//   decide built-in at once;
// - the reader (linked to the poster): reads <prefix><tenant>:instructions in the consumer
//   group "parley" as streams.consumer, hands each instruction to its tenant's router,
//   acknowledges it once the router has applied or refused it, moves malformed ones to
//   <prefix><tenant>:instructions:dead, first takes back what this consumer left pending
//   (a previous run) and claims what another consumer left pending streams.claim_idle_ms.
// A request's `version` is "<run>.<request id>": <run> is random per engine start, so an
// instruction from before a restart is stale, never applied to a request of this run.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/routing/router_actor.hpp"

namespace parley::engine {

struct route_stream_setup {
  std::string redis_host;
  std::uint16_t redis_port = 6379;
  std::string prefix = "parley:";
  std::string consumer = "parleyd";
  std::string router_group = "routers";
  std::chrono::milliseconds claim_idle{5'000};
  std::uint64_t max_len = 100'000;   ///< of each to-route stream, about (0: no cap)
  std::vector<std::string> tenants;  ///< those with a stream-routed queue
};

/// The group the engine reads instructions in.
inline constexpr const char* instructions_group = "parley";

std::string to_route_stream(const std::string& prefix, const std::string& tenant);
std::string instructions_stream(const std::string& prefix, const std::string& tenant);
std::string dead_letter_stream(const std::string& prefix, const std::string& tenant);

/// Parses one instruction entry's fields (name, value, ...) of this run; "" or why it is
/// malformed. `stale` is set instead when its version belongs to another run.
std::string parse_instruction(const std::vector<std::string>& fields, std::uint64_t run,
                              route_instruction& out, bool& stale);

route_stream_actor spawn_route_stream(caf::actor_system& sys, route_stream_setup setup);

} // namespace parley::engine
