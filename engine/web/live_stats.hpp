// live_stats: statistics on the live-update stream — GET /api/v1/live?stats=[...] (docs/web.md
// "Statistics on the live stream"), what a Pulse widget is made of (docs/pulse.md).
//
// A stream that names statistics gets a watcher actor of its own, which opens each of them
// on the stats hub exactly as a 2060 connection's OpenStat does (the same stat_spec, the
// same hub, so identical statistics share one calculation with every 2060 client and every
// other browser), and turns what the calculations send — StatOpened, StatInfo,
// StatInvalid, StatValid, StatError — into `stat` events on the stream, keyed by the
// statistic's `key`: a slow browser gets the latest value per statistic (the sink
// coalesces by key). Such a stream carries its statistics alone, with a heartbeat every
// 15 s — not the live hub's queue and campaign events. The stream's end stops the watcher;
// the stats hub then closes its statistics (it monitors its clients).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <nlohmann/json.hpp>

#include "actors/stats/stats_hub.hpp"
#include "engine/web/live.hpp"

namespace parley::engine::web {

/// One statistic a stream asks for: its key in the stream and what OpenStat would carry.
struct live_stat {
  std::string key;
  stats::stat_spec spec;
};

/// Reads ?stats= — a JSON array of objects {key?, type, id, metric, interval?, window_s?,
/// range_from_s?, range_to_s?, filter?, notify?, threshold?, period_ms?} with OpenStat's
/// names and meanings — into `out`; "" or why not. At most `max` statistics. Names only:
/// the hub checks the rest (a window for sliding, a T for service_level...) when it opens
/// each one, and an error comes back as that statistic's event.
std::string parse_live_stats(const std::string& text, std::size_t max, std::vector<live_stat>& out);

/// One of them (`index` is its key when it has none); "" or why not.
std::string parse_live_stat(const nlohmann::json& j, std::size_t index, live_stat& out);

/// Spawns the watcher of `wanted` on `hub`, writing to `sink`; send it exit to end it. It
/// ends by itself when `owner` does (the live-update hub, which api::stop ends: a stream
/// left open must not keep the engine from stopping).
caf::actor spawn_stat_watch(caf::actor_system& sys, stats::stats_hub_actor hub, std::vector<live_stat> wanted,
                            std::shared_ptr<live_sink> sink, const caf::actor& owner);

} // namespace parley::engine::web
