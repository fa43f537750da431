// live: the live-update endpoint's hub, GET /api/v1/live (Server-Sent Events; docs/web.md
// "Live updates").
//
// One hub actor per web server. It follows the reporting stream (the bus pushes it every
// event) and marks the views dirty; while anyone watches, it asks the actors that own the
// figures — each queue, its tenant's router and the stats hub (queue_live.hpp), the bus's
// agent table, every campaign (campaign_status.hpp, once a second) — at once for the first
// change after a quiet spell, else at the next 200 ms tick, and sends each
// watcher, filtered to their tenants, the values that changed: one SSE event per object,
// numbered (`id:`) in one sequence. A watcher gets a snapshot first; one that comes back
// with `Last-Event-ID` gets, when the hub still holds the events since (the last 1024), the
// newest value of each object that changed meanwhile, else a new snapshot. A heartbeat
// comment goes out every 15 s.
//
// A watcher is a live_sink: its HTTP session, which keeps, while a write is under way, only
// the newest text per object — a slow browser gets coalesced latest values, never an
// unbounded buffer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "engine/access.hpp"
#include "engine/console/console.hpp"
#include "engine/queue_live.hpp"

namespace parley::engine::web {

/// Where a watcher's events go (thread-safe; called from the hub's thread).
class live_sink {
public:
  virtual ~live_sink() = default;
  /// One event's text, ready to write; `key` names the object (a later text with the same
  /// key replaces this one while it waits).
  virtual void push(const std::string& key, std::string text) = 0;
};

struct live_watch {
  std::uint64_t id = 0;
  std::shared_ptr<live_sink> sink;
  principal who;
  std::uint64_t last_event_id = 0;  ///< 0: none (a snapshot)
  bool resume = false;
};

/// Spawns the hub on `env`'s domain.
caf::actor spawn_live_hub(std::shared_ptr<const console_env> env);

/// One gather of the queues' figures, with each queue's JSON (queue_json) written once for
/// every request that shares it.
struct queue_live_snapshot {
  queue_live_report report;
  std::vector<std::string> texts;  ///< parallel to report.queues
};
using queue_live_ptr = std::shared_ptr<const queue_live_snapshot>;

/// Spawns the queues' shared gatherer (GET /api/v1/queues...): asked `get_atom`, it answers
/// a queue_live_ptr from the next gather that starts after the ask — an answer never
/// predates its question. A gather starts 2 ms after the first ask that finds none under
/// way, and every ask waiting then shares it: under load, one gather (and one JSON
/// rendering) per window instead of one per request.
caf::actor spawn_queue_gatherer(std::shared_ptr<const console_env> env);

/// Starts and ends a watch (thread-safe).
void watch(const caf::actor& hub, live_watch w);
void unwatch(const caf::actor& hub, std::uint64_t id);

} // namespace parley::engine::web

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::engine::web::live_watch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(parley::engine::web::queue_live_ptr)
