// The API's live-update route: GET /api/v1/live, one Server-Sent Events stream per page
// (live.hpp has the hub that feeds it).
#include <atomic>

#include "engine/web/api.hpp"

namespace parley::engine::web {

namespace {

void live(call& c) {
  std::uint64_t last = 0;
  bool resume = false;
  if (!c.req.last_event_id.empty()) {
    try {
      std::size_t used = 0;
      last = std::stoull(c.req.last_event_id, &used);
      resume = used == c.req.last_event_id.size();
    } catch (const std::exception&) {
      resume = false;  // not one of ours: a snapshot
    }
  }
  web_response r{200, "", "text/event-stream", {}, {}};
  r.open = [hub = c.live, who = c.id.who, last, resume](std::shared_ptr<live_sink> sink) {
    static std::atomic<std::uint64_t> next{1};
    auto id = next++;
    watch(hub, {id, std::move(sink), who, last, resume});
    return std::function<void()>{[hub, id] { unwatch(hub, id); }};
  };
  c.respond(std::move(r));
}

} // namespace

void add_live_routes(std::vector<route>& r) {
  r.push_back({verb::get, "/api/v1/live", "status", live});
}

} // namespace parley::engine::web
