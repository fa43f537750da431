// The API's live-update route: GET /api/v1/live, one Server-Sent Events stream per page
// (live.hpp has the hub that feeds it), with the statistics ?stats= names (live_stats.hpp).
#include <atomic>

#include <caf/all.hpp>

#include "engine/web/api.hpp"
#include "engine/web/live_stats.hpp"

namespace parley::engine::web {

namespace {

/// Statistics one stream may name: what fits in a request line under the 32 KiB
/// header limit (more: more streams; a Pulse dashboard resolves its own on the server).
constexpr std::size_t max_stats_per_stream = 100;

} // namespace

std::string object_tenant(const call& c, wire::StatObjectType type, const std::string& id) {
  auto& cfg = *c.env->domain->cfg;
  switch (type) {
    case wire::StatObjectType::queue: return c.queue_tenant(id);
    case wire::StatObjectType::campaign: return c.campaign_tenant(id);
    case wire::StatObjectType::tenant: return id;
    case wire::StatObjectType::agent_group:
      for (auto& g : cfg.groups)
        if (g.name == id)
          return g.tenant;
      return "";
    case wire::StatObjectType::agent: {
      auto* g = cfg.group_of(id);
      return g ? g->tenant : "";
    }
  }
  return "";
}

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
  if (auto it = c.req.query.find("dashboard"); it != c.req.query.end()) {
    auto id = c.number("dashboard", 0, 1, INT64_MAX);
    if (id)
      open_dashboard_stream(c, *id);
    return;
  }
  std::vector<live_stat> wanted;
  if (auto it = c.req.query.find("stats"); it != c.req.query.end()) {
    if (auto why = parse_live_stats(it->second, max_stats_per_stream, wanted); !why.empty())
      return c.fail(400, wire::ErrorCode::invalid_argument, why);
    for (std::size_t i = 0; i < wanted.size(); ++i)
      if (auto& s = wanted[i].spec; !c.id.who.sees(object_tenant(c, s.object_type, s.object_id)))
        return c.fail(404, wire::ErrorCode::unknown_id,
                      "stats[" + std::to_string(i) + "]: no " + wire::EnumNameStatObjectType(s.object_type) + " named "
                        + s.object_id + " among your tenants'");
  }
  web_response r{200, "", "text/event-stream", {}, {}};
  r.open = [hub = c.live, who = c.id.who, last, resume, stats = c.env->domain->stats, sys = &c.env->system,
            wanted](std::shared_ptr<live_sink> sink) {
    // A stream of statistics carries those alone (a dashboard needs no queue events, and
    // thousands of wallboards should not each get every queue's changes).
    if (!wanted.empty()) {
      auto stat_watch = spawn_stat_watch(*sys, stats, wanted, std::move(sink), hub);
      return std::function<void()>{[stat_watch] { caf::anon_send_exit(stat_watch, caf::exit_reason::user_shutdown); }};
    }
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
