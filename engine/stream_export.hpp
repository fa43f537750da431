// stream_export: the export of the stored event logs to Redis Streams (docs/streams.md): the
// reporting events to <prefix><tenant>:events, the virtual-queue events to <prefix><tenant>:vq
// (export_log; each log has its own sequence). One detached actor per log, with its own store
// connection and its own Redis connection. Each pass reads the log after the export
// watermark and appends every event to its tenant's stream with the entry id <seq>-0 (so the
// streams are in the log's order and a retried append is refused by Redis as not newer:
// counted as a duplicate, after checking that the entry is there), then moves the watermark
// (<prefix>export:events, <prefix>export:vq, in
// Redis beside the streams: it survives this engine, and a Redis that lost its data starts
// again from the first stored event). Passes follow each other at once while events are
// left, else every streams.poll_ms. The export never holds anything up: the engine stores
// and acknowledges as always, and while Redis is down the exporter falls behind (lag,
// errors in /metrics) and catches up from the stored events; retention keeps the events it
// has not appended (engine/retention.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/runtime/clock.hpp"
#include "engine/counters.hpp"
#include "storage/store.hpp"

namespace parley::engine {

using exporter_actor = caf::typed_actor<
  // Its own timer: one pass.
  caf::reacts_to<caf::tick_atom>>;

struct export_setup {
  storage::config store;
  std::string redis_host;
  std::uint16_t redis_port = 6379;
  std::string prefix = "parley:";
  std::uint64_t max_len = 0;        ///< entries a stream keeps, about (0: no cap)
  std::int64_t max_age_ms = 0;      ///< entries whose event is older go (0: no cap)
  std::uint32_t batch_events = 1'000;
  std::chrono::milliseconds poll{100};
  std::shared_ptr<const clock> clk;
  counters* stats = nullptr;        ///< the engine's; outlives the actor
};

/// The stream of one tenant's events of `log` ("_" stands for no tenant):
/// <prefix><tenant>:events, <prefix><tenant>:vq.
std::string export_stream(const std::string& prefix, const std::string& tenant,
                          export_log log = export_log::events);
/// The key holding the seq of the last event of `log` appended.
std::string export_watermark_key(const std::string& prefix, export_log log = export_log::events);

exporter_actor spawn_exporter(caf::actor_system& sys, export_setup setup, export_log log = export_log::events);

} // namespace parley::engine
