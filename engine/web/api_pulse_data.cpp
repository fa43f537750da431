// The API's Pulse data (docs/pulse.md): a dashboard's live stream (GET /api/v1/live?dashboard=ID,
// its widgets' statistics resolved here on the server), a trend widget's history, each
// user's tabs, and the parts every Pulse route shares (the sampler, the history store).
#include <caf/all.hpp>

#include "actors/runtime/clock.hpp"
#include "actors/runtime/domain.hpp"
#include "engine/config.hpp"
#include "engine/web/api.hpp"
#include "engine/web/api_pulse.hpp"
#include "engine/web/live_stats.hpp"
#include "engine/web/pulse.hpp"
#include "engine/web/pulse_history.hpp"

namespace parley::engine::web {

namespace {

using namespace pulse_api;

/// At most this many dashboards in one user's tabs, points in one series of a history.
constexpr std::size_t max_tabs = 50;
constexpr std::size_t max_points = 20'000;

// -- history and tabs -----------------------------------------------------------------

/// GET /api/v1/dashboards/{id}/history?widget=WID[&from=MS&to=MS]: a trend widget's samples,
/// one series per object × statistic keyed as on the live stream, [t_ms, value] pairs on
/// domain time; by default the retention up to now.
void history(call& c) {
  auto id = id_param(c, "id");
  if (!id)
    return;
  auto& pulse_cfg = c.env->cfg.pulse;
  auto now = c.env->domain->clk->now_ms();
  auto wid = c.number("widget", 0, 1, INT64_MAX);
  auto to = wid ? c.number("to", now, 0, INT64_MAX) : std::nullopt;
  auto from = to ? c.number("from", *to - std::int64_t{pulse_cfg.history_retention_h} * 3'600'000, INT64_MIN / 2, INT64_MAX)
                 : std::nullopt;
  if (!from)
    return;
  if (*wid == 0)
    return c.fail(400, wire::ErrorCode::invalid_argument, "widget: the trend widget's id");
  on_store(c, [id = *id, wid = *wid, from = *from, to = *to, history = c.pulse->history,
               sample_s = pulse_cfg.history_sample_s](const call& c, storage::store& st) {
    auto d = opened(c, st.pulse(), id);
    if (!d)
      return;
    std::optional<json> doc;
    for (auto& w : st.pulse().widgets(id))
      if (w.id == wid)
        doc = parse_or(w.widget, json::object());
    if (!doc)
      return c.fail(404, wire::ErrorCode::unknown_id, "no widget " + std::to_string(wid) + " on dashboard " + std::to_string(id));
    json series = json::array();
    auto objects = doc->value("objects", json::array());
    auto statistics = doc->value("statistics", json::array());
    for (std::size_t o = 0; o < objects.size(); ++o)
      for (std::size_t s = 0; s < statistics.size(); ++s) {
        json points = json::array();
        for (auto& p : history->range(st, history_key(objects[o], statistics[s]), from, to, max_points))
          points.push_back({p.t_ms, p.value});
        series.push_back({{"key", std::to_string(wid) + "." + std::to_string(o) + "." + std::to_string(s)},
                          {"points", points}});
      }
    c.reply({{"widget", wid},
             {"from", from},
             {"to", to},
             {"sample_s", sample_s},
             {"store", history->in_redis() ? "redis" : "database"},
             {"series", series}});
  });
}

void tabs(call& c) {
  on_store(c, [](const call& c, storage::store& st) {
    c.reply({{"tabs", parse_or(st.pulse().tabs(c.id.who.name), json::array())}});
  });
}

/// PUT /api/v1/pulse/tabs: {"tabs": [dashboard ids, in order]}.
void save_tabs(call& c) {
  auto body = c.body_object();
  if (!body)
    return;
  auto t = body->value("tabs", json{});
  bool ok = t.is_array() && t.size() <= max_tabs;
  for (auto& x : t)
    ok = ok && x.is_number_integer() && x.get<std::int64_t>() > 0;
  if (!ok)
    return c.refused(400, wire::ErrorCode::invalid_argument, "tabs: an array of up to " + std::to_string(max_tabs) + " dashboard ids");
  on_store(c, [t](const call& c, storage::store& st) {
    st.pulse().save_tabs(c.id.who.name, t.dump());
    c.changed({{"tabs", t}});
  });
}
} // namespace

void open_dashboard_stream(call& c, std::int64_t id) {
  on_store(c, [id](const call& c, storage::store& st) {
    auto d = opened(c, st.pulse(), id);
    if (!d)
      return;
    std::vector<live_stat> wanted;
    json unseen = json::array();
    for (auto& w : st.pulse().widgets(id)) {
      auto doc = parse_or(w.widget, json::object());
      if (!widget_problem(doc, true).empty())
        continue;
      // Objects the viewer does not see (a shared dashboard of several tenants' objects
      // made before a tenant change) show nothing: their keys come back as an error.
      for (auto& s : widget_stats(w.id, doc))
        if (c.id.who.sees(object_tenant(c, s.spec.object_type, s.spec.object_id)))
          wanted.push_back(std::move(s));
        else
          unseen.push_back(s.key);
    }
    if (wanted.empty())
      return c.fail(409, wire::ErrorCode::wrong_state, "dashboard " + std::to_string(id) + " has no statistics to show");
    web_response r{200, "", "text/event-stream", {}, {}};
    r.open = [stats = c.env->domain->stats, sys = &c.env->system, hub = c.live, wanted,
              unseen](std::shared_ptr<live_sink> sink) {
      for (auto& key : unseen)
        sink->push("stat:" + key.get<std::string>(),
                   "event: stat\ndata: "
                     + json{{"key", key}, {"error", {{"code", "unknown_id"}, {"message", "not among your tenants'"}}}}.dump()
                     + "\n\n");
      auto watch = spawn_stat_watch(*sys, stats, wanted, std::move(sink), hub);
      return std::function<void()>{[watch] { caf::anon_send_exit(watch, caf::exit_reason::user_shutdown); }};
    };
    c.respond(std::move(r));
  });
}

pulse_services::pulse_services(const console_env& env)
  : sampler(spawn_pulse_sampler(env.system, env.cfg, env.domain->stats, env.domain->clk)),
    history(std::make_shared<history_store>(env.cfg.redis.host, env.cfg.redis.port,
                                            std::int64_t{env.cfg.pulse.history_retention_h} * 3'600'000)) {}

void pulse_services::stop() const {
  caf::anon_send_exit(sampler, caf::exit_reason::user_shutdown);
}
void add_pulse_data_routes(std::vector<route>& r) {
  r.push_back({verb::get, "/api/v1/dashboards/{id}/history", "pulse.view", history});
  r.push_back({verb::get, "/api/v1/pulse/tabs", "pulse.view", tabs});
  r.push_back({verb::put, "/api/v1/pulse/tabs", "pulse.tabs", save_tabs});
}

} // namespace parley::engine::web
