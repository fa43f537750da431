// Pulse over the HTTP API (docs/pulse.md): templates, dashboards and widgets with Pulse's
// privilege chain, tenants and caps; a dashboard's stream equal, value for value, to what a
// 2060 client opening the same statistics gets; and trend history — sampled on domain time
// by the engine, kept across a restart, and trimmed by age in each history store (24 h of
// samples on virtual time, in the embedded database, PostgreSQL and Redis).
#include <doctest/doctest.h>

#include <date/date.h>
#include <hiredis/hiredis.h>

#include "engine/config.hpp"
#include "engine/web/pulse_history.hpp"
#include "outbound_support.hpp"
#include "sse_client.hpp"
#include "support/child.hpp"
#include "support/stat_client.hpp"
#include "support/storage_env.hpp"
#include "support/test_env.hpp"
#include "support/web_client.hpp"
#include "web_support.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::web;
using nlohmann::json;

namespace {

json from_template(const std::string& name, const std::string& tmpl, json objects, json more = json::object()) {
  json body{{"name", name}, {"template", tmpl}, {"objects", std::move(objects)}};
  body.update(more);
  return body;
}

const json sales = json::array({{{"type", "queue"}, {"id", "sales"}}});

web_reply put(web_client& c, const std::string& target, const json& body) {
  return c.request("PUT", target, body.dump(), {{"Content-Type", "application/json"}});
}

web_reply del(web_client& c, const std::string& target) {
  return c.request("DELETE", target);
}

/// engine.clock_start's form of `ms` (whole seconds, rounded up).
std::string utc(std::int64_t ms) {
  auto t = date::sys_seconds{std::chrono::seconds{(ms + 999) / 1000}};
  return date::format("%Y-%m-%dT%H:%M:%SZ", t);
}

} // namespace

TEST_CASE("web/pulse: templates, dashboards and widgets, with Pulse's privilege chain, tenants and caps") {
  auto dir = temp_dir();
  auto eng = web_engine(dir, {"pulse.max_dashboards_per_user=3", "pulse.max_values_per_dashboard=20"});
  web_client admin{eng->http_port()}, sup{eng->http_port()}, view{eng->http_port()}, gview{eng->http_port()},
    oper{eng->http_port()}, wall{eng->http_port()};
  REQUIRE(admin.login("admin", pw).status == 201);
  REQUIRE(admin.post("/api/v1/users", {{"name", "oper"}, {"password", pw}, {"role", "operator"}, {"tenants", "acme"}})
            .status
          == 201);
  // A wallboard account is a viewer whose session does not expire.
  CHECK(admin.post("/api/v1/users", {{"name", "wall2"}, {"password", pw}, {"role", "supervisor"}, {"tenants", "acme"},
                                     {"wallboard", true}})
          .status
        == 400);
  auto made = admin.post("/api/v1/users",
                         {{"name", "wall"}, {"password", pw}, {"role", "viewer"}, {"tenants", "acme"}, {"wallboard", true}});
  REQUIRE_MESSAGE(made.status == 201, made.body);
  CHECK(made.json()["wallboard"] == true);
  for (auto [c, name] : {std::pair{&sup, "sup"}, {&view, "view"}, {&gview, "gview"}, {&oper, "oper"}})
    REQUIRE(c->login(name, pw).status == 201);
  auto wall_login = wall.login("wall", pw);
  REQUIRE(wall_login.status == 201);
  CHECK_MESSAGE(wall_login.headers["set-cookie"].find("Max-Age=316") != std::string::npos,  // ten years
                wall_login.headers["set-cookie"]);
  auto whoami = wall.get("/api/v1/session");
  CHECK(whoami.json()["wallboard"] == true);
  // Browsers keep a cookie 400 days at most: asking who it is renews a wallboard's.
  CHECK(whoami.headers["set-cookie"].find("Max-Age=34560000") != std::string::npos);
  CHECK(sup.get("/api/v1/session").headers.count("set-cookie") == 0);

  // The seven templates, for every role.
  auto templates = view.get("/api/v1/templates");
  REQUIRE(templates.status == 200);
  CHECK(templates.json()["templates"].size() == 7);

  // A viewer makes nothing; a supervisor makes private dashboards of its tenants' objects.
  CHECK(view.post("/api/v1/dashboards", from_template("v", "Queue KPIs", sales)).status == 403);
  auto created = sup.post("/api/v1/dashboards", from_template("Sales floor", "Queue KPIs", sales));
  REQUIRE_MESSAGE(created.status == 201, created.body);
  auto mine = created.json();
  CHECK(mine["tenant"] == "acme");
  CHECK(mine["shared"] == false);
  REQUIRE(mine["widgets"].size() == 1);
  CHECK(mine["widgets"][0]["values"] == 7);
  CHECK(mine["widgets"][0]["widget"]["title"] == "Queue KPIs: sales");
  auto id = std::to_string(mine["id"].get<std::int64_t>());
  auto wid = std::to_string(mine["widgets"][0]["id"].get<std::int64_t>());
  auto globex = json::array({{{"type", "queue"}, {"id", "support"}}});
  auto other = sup.post("/api/v1/dashboards", from_template("x", "Queue KPIs", globex));
  CHECK(other.status == 404);  // another tenant's queue: as if it did not exist
  CHECK(sup.post("/api/v1/dashboards", from_template("x", "Queue KPIs", sales, {{"shared", true}})).status == 403);
  CHECK(sup.post("/api/v1/dashboards", from_template("x", "Nope", sales)).status == 404);
  auto bad = sup.post("/api/v1/dashboards",
                      {{"name", "x"},
                       {"widget",
                        {{"kind", "kpi"},
                         {"objects", sales},
                         {"statistics", {{{"alias", "SL"}, {"metric", "service_level"}, {"format", "percent"}}}}}}});
  CHECK(bad.status == 400);
  CHECK(bad.json()["error"]["message"].get<std::string>().find("range_to_s") != std::string::npos);
  CHECK(sup.post("/api/v1/dashboards", {{"name", "x"}, {"widget", {{"kind", "pie"}}}}).status == 400);

  // Private: another user of the tenant does not see it.
  CHECK(view.get("/api/v1/dashboards/" + id).status == 404);
  CHECK(view.get("/api/v1/dashboards").json()["dashboards"].empty());
  CHECK(sup.get("/api/v1/dashboards").json()["dashboards"].size() == 1);

  // An operator shares one with acme: acme's viewers and the wallboard see it, globex's not.
  auto shared = oper.post("/api/v1/dashboards", from_template("Wall", "Billboard", sales, {{"shared", true}}));
  REQUIRE(shared.status == 201);
  auto sid = std::to_string(shared.json()["id"].get<std::int64_t>());
  auto swid = std::to_string(shared.json()["widgets"][0]["id"].get<std::int64_t>());
  CHECK(shared.json()["tenant"] == "acme");
  CHECK(view.get("/api/v1/dashboards/" + sid).status == 200);
  CHECK(wall.get("/api/v1/dashboards/" + sid).status == 200);
  CHECK(gview.get("/api/v1/dashboards/" + sid).status == 404);
  auto seen = view.get("/api/v1/dashboards/" + sid).json();
  CHECK(seen["may"]["display"] == false);
  CHECK(seen["may"]["manage"] == false);

  // The chain: a viewer changes nothing; a supervisor changes a shared widget's display but
  // not its statistics, and may not delete it; the operator may.
  auto widget = seen["widgets"][0]["widget"];
  auto display = widget;
  display["title"] = "Waiting now";
  display["statistics"][0]["thresholds"] = {{"warning", 1}, {"alarm", 2}};
  CHECK(put(view, "/api/v1/dashboards/" + sid + "/widgets/" + swid, {{"widget", display}}).status == 403);
  auto shown = put(sup, "/api/v1/dashboards/" + sid + "/widgets/" + swid, {{"widget", display}});
  CHECK(shown.status == 200);
  CHECK(shown.json()["widget"]["statistics"][0]["thresholds"]["alarm"] == 2);
  auto structural = display;
  structural["statistics"][0]["metric"] = "entered";
  CHECK(put(sup, "/api/v1/dashboards/" + sid + "/widgets/" + swid, {{"widget", structural}}).status == 403);
  CHECK(put(oper, "/api/v1/dashboards/" + sid + "/widgets/" + swid, {{"widget", structural}}).status == 200);
  CHECK(del(sup, "/api/v1/dashboards/" + sid).status == 403);
  CHECK(put(sup, "/api/v1/dashboards/" + sid, {{"shared", false}}).status == 403);
  // A supervisor's own dashboard: its widgets are its own to change.
  auto own = mine["widgets"][0]["widget"];
  own["objects"] = json::array({{{"type", "tenant"}, {"id", "acme"}}});
  CHECK(put(sup, "/api/v1/dashboards/" + id + "/widgets/" + wid, {{"widget", own}}).status == 200);
  own["objects"] = globex;
  CHECK(put(sup, "/api/v1/dashboards/" + id + "/widgets/" + wid, {{"widget", own}}).status == 404);
  CHECK(put(sup, "/api/v1/dashboards/" + id, {{"name", "Sales"}, {"layout", {{"order", {wid}}}}}).json()["name"]
        == "Sales");

  // Caps: values per dashboard (7 + 2×7 > 20), dashboards per user (3).
  auto two = json::array({{{"type", "queue"}, {"id", "sales"}}, {{"type", "tenant"}, {"id", "acme"}}});
  auto capped = sup.post("/api/v1/dashboards/" + id + "/widgets", {{"template", "Queue KPIs"}, {"objects", two}});
  CHECK(capped.status == 409);
  CHECK(capped.code() == "limit_exceeded");
  CHECK(sup.post("/api/v1/dashboards/" + id + "/widgets", {{"template", "Billboard"}, {"objects", sales}}).status == 201);
  CHECK(sup.post("/api/v1/dashboards", {{"name", "2"}}).status == 201);
  CHECK(sup.post("/api/v1/dashboards", {{"name", "3"}}).status == 201);
  CHECK(sup.post("/api/v1/dashboards", {{"name", "4"}}).code() == "limit_exceeded");

  // Templates: the operator's; built-in ones are edited, not deleted.
  auto tmpl = templates.json()["templates"][0]["widget"];
  CHECK(put(sup, "/api/v1/templates/Mine", {{"widget", tmpl}}).status == 403);
  CHECK(put(oper, "/api/v1/templates/Mine", {{"widget", tmpl}}).status == 201);
  CHECK(put(oper, "/api/v1/templates/Mine", {{"widget", tmpl}, {"title", "Mine!"}}).status == 200);
  auto with_objects = tmpl;
  with_objects["objects"] = sales;
  CHECK(put(oper, "/api/v1/templates/Mine", {{"widget", with_objects}}).status == 400);
  CHECK(del(oper, "/api/v1/templates/Billboard").status == 409);
  CHECK(del(oper, "/api/v1/templates/Mine").status == 200);

  // Tabs are the user's own.
  CHECK(put(view, "/api/v1/pulse/tabs", {{"tabs", {std::stoll(sid)}}}).status == 200);
  CHECK(view.get("/api/v1/pulse/tabs").json()["tabs"] == json::array({std::stoll(sid)}));
  CHECK(sup.get("/api/v1/pulse/tabs").json()["tabs"] == json::array());
  CHECK(put(view, "/api/v1/pulse/tabs", {{"tabs", "1"}}).status == 400);

  // Deleting a dashboard takes its widgets; the audit log names who did what.
  CHECK(del(oper, "/api/v1/dashboards/" + sid).status == 200);
  CHECK(view.get("/api/v1/dashboards/" + sid).status == 404);
  auto audit = oper.get("/api/v1/audit");
  CHECK_MESSAGE(audit.body.find("pulse.widgets /api/v1/dashboards/" + sid) != std::string::npos, audit.body);
}

TEST_CASE("web/pulse: a dashboard's stream shows what a 2060 client gets, value for value") {
  auto dir = temp_dir();
  auto eng = web_engine(dir);
  web_client sup{eng->http_port()}, view{eng->http_port()};
  REQUIRE(sup.login("sup", pw).status == 201);
  REQUIRE(view.login("view", pw).status == 201);
  auto made = sup.post("/api/v1/dashboards", from_template("Floor", "Queue KPIs", sales));
  REQUIRE_MESSAGE(made.status == 201, made.body);
  auto id = std::to_string(made.json()["id"].get<std::int64_t>());
  auto w = std::to_string(made.json()["widgets"][0]["id"].get<std::int64_t>());

  // Another user may not open a private dashboard's stream; an unknown one is 404 too.
  CHECK(sse_client{eng->http_port(), view.cookie(), "", "/api/v1/live?dashboard=" + id}.status == 404);
  CHECK(sse_client{eng->http_port(), sup.cookie(), "", "/api/v1/live?dashboard=999"}.status == 404);

  // A 2060 client opens two of the widget's statistics, exactly as the template does.
  events_client board{eng->port(engine::listener_kind::stat), wire::ClientType::stat_client};
  open_args waiting, entered;
  waiting.interval = wire::StatInterval::growing_reset;
  entered.metric = "entered";
  entered.interval = wire::StatInterval::growing_reset;
  std::vector<std::uint64_t> ids;
  for (auto& a : {waiting, entered}) {
    auto opened = board.open(a);
    REQUIRE(opened.ok());
    ids.push_back(opened.as<wire::StatOpened>()->stat_id());
  }
  auto calculations = eng->domain()->metrics->stats_calculations.load();
  sse_client stream{eng->http_port(), sup.cookie(), "", "/api/v1/live?dashboard=" + id};
  REQUIRE(stream.status == 200);
  std::map<std::string, std::vector<double>> seen;
  auto read_stats = [&](std::chrono::milliseconds limit) {
    while (auto e = stream.next(limit))
      if (e->type == "stat" && e->data.contains("value"))
        seen[e->data["key"].get<std::string>()].push_back(e->data["value"].get<double>());
  };
  // Seven statistics: waiting (0), longest waiting, entered (2), distributed, abandoned,
  // service level, ASA — keyed widget.object.statistic.
  REQUIRE(eventually([&] {
    read_stats(100ms);
    return seen.size() == 7;
  }));
  // The two the 2060 client has open are shared: five new calculations, not seven.
  CHECK(eng->domain()->metrics->stats_calculations.load() == calculations + 5);
  connected_client gw{eng->port(engine::listener_kind::interaction)};
  for (int i = 0; i < 4; ++i) {
    REQUIRE(submit_to(*gw.cl, "acme", "sales").ok());
    REQUIRE(eventually([&] {
      read_stats(50ms);
      return seen[w + ".0.0"].back() == i + 1 && seen[w + ".0.2"].back() == i + 1;
    }, 3s));
  }
  REQUIRE(eventually([&] { return board.values(ids[0]).size() == 4 && board.values(ids[1]).size() == 4; }));
  CHECK(std::vector<double>(seen[w + ".0.0"].begin() + 1, seen[w + ".0.0"].end()) == board.values(ids[0]));
  CHECK(std::vector<double>(seen[w + ".0.2"].begin() + 1, seen[w + ".0.2"].end()) == board.values(ids[1]));
  CHECK(seen[w + ".0.0"] == std::vector<double>{0, 1, 2, 3, 4});

  // A stream left open does not keep the engine from stopping.
  auto t0 = std::chrono::steady_clock::now();
  eng->stop();
  CHECK(std::chrono::steady_clock::now() - t0 < 10s);
}

TEST_CASE("web/pulse: a trend widget's history is sampled on domain time and outlives a restart") {
  auto dir = temp_dir();
  // Domain time 100× real from a fixed start: the 10 s sampling period is 0.1 s of the
  // test's time.
  const std::int64_t start = 1'780'000'000'000;
  auto eng = web_engine(dir, {"engine.clock_scale=100", "engine.clock_start=" + utc(start)});
  web_client sup{eng->http_port()};
  REQUIRE(sup.login("sup", pw).status == 201);
  // The Service Level template's trend, and one of the waiting count.
  auto made = sup.post("/api/v1/dashboards", from_template("SL", "Service Level", sales));
  REQUIRE_MESSAGE(made.status == 201, made.body);
  auto id = std::to_string(made.json()["id"].get<std::int64_t>());
  json waiting{{"kind", "trend"},
               {"objects", sales},
               {"statistics", {{{"alias", "Waiting"}, {"metric", "current_in_queue"}, {"interval", "growing_reset"}}}}};
  auto added = sup.post("/api/v1/dashboards/" + id + "/widgets", {{"widget", waiting}});
  REQUIRE_MESSAGE(added.status == 201, added.body);
  auto sl = std::to_string(made.json()["widgets"][0]["id"].get<std::int64_t>());
  auto w = std::to_string(added.json()["id"].get<std::int64_t>());
  auto points = [&](web_client& c, const std::string& widget) {
    auto h = c.get("/api/v1/dashboards/" + id + "/history?widget=" + widget).json();
    return h["series"][0]["points"];
  };
  // Sampled while nobody watches: the service level is 0 before anything was answered.
  REQUIRE(eventually([&] { return points(sup, sl).size() >= 2 && points(sup, w).size() >= 2; }, 10s));
  auto h = sup.get("/api/v1/dashboards/" + id + "/history?widget=" + sl).json();
  CHECK(h["store"] == "database");
  CHECK(h["sample_s"] == 10);
  CHECK(h["series"][0]["key"] == sl + ".0.0");
  CHECK(h["series"][0]["points"][0][1] == 0.0);
  CHECK(h["series"][0]["points"][0][0].get<std::int64_t>() >= start);
  // Two calls wait: the samples say so from then on.
  connected_client gw{eng->port(engine::listener_kind::interaction)};
  REQUIRE(submit_to(*gw.cl, "acme", "sales").ok());
  REQUIRE(submit_to(*gw.cl, "acme", "sales").ok());
  json p;
  REQUIRE_MESSAGE(eventually([&] {
    p = points(sup, w);
    return p.size() >= 5 && p.back()[1] == 2.0;
  }, 10s), p.dump());
  auto last = points(sup, w);
  // Samples are 10 s of domain time apart.
  for (std::size_t i = 1; i < last.size(); ++i) {
    auto gap = last[i][0].get<std::int64_t>() - last[i - 1][0].get<std::int64_t>();
    CHECK(gap >= 9'000);
    CHECK(gap <= 11'000);
  }
  auto newest = last.back()[0].get<std::int64_t>();
  eng.reset();
  // The same data directory, domain time going on from where it was: the samples are still
  // there, and sampling goes on.
  auto again = start_engine_toml(std::string{center}, {"engine.data_dir=" + dir, "engine.clock_scale=100",
                                                       "engine.clock_start=" + utc(newest + 10'000)});
  web_client sup2{again->http_port()};
  REQUIRE(sup2.login("sup", pw).status == 201);
  auto after = points(sup2, w);
  REQUIRE(after.size() >= last.size());
  for (std::size_t i = 0; i < last.size(); ++i)
    CHECK(after[i] == last[i]);
  CHECK(eventually([&] {
    auto p = points(sup2, w);
    return p.back()[0].get<std::int64_t>() > newest && p.back()[1] == 2.0;
  }, 10s));
}

TEST_CASE("web/pulse: with [redis] the engine keeps a trend's history in a Redis stream <redis>") {
  auto port = test_redis_port();
  if (!port)
    return;
  // A statistic of its own (a sliding window no other case uses): a stream of its own,
  // emptied first (entry ids are domain time, which a 100x clock ran ahead last time).
  auto* c = redisConnect("127.0.0.1", *port);
  REQUIRE(c);
  REQUIRE(c->err == 0);
  auto key = engine::web::history_stream("queue|sales|entered|sliding|3517|||");
  freeReplyObject(redisCommand(c, "DEL %s", key.c_str()));
  auto dir = temp_dir();
  auto eng = web_engine(dir, {"engine.clock_scale=100", "redis.host=127.0.0.1", "redis.port=" + std::to_string(*port)});
  web_client sup{eng->http_port()};
  REQUIRE(sup.login("sup", pw).status == 201);
  json waiting{{"kind", "trend"},
               {"objects", sales},
               {"statistics",
                {{{"alias", "Entered"}, {"metric", "entered"}, {"interval", "sliding"}, {"window_s", 3517}}}}};
  auto made = sup.post("/api/v1/dashboards", {{"name", "R"}, {"widget", waiting}});
  REQUIRE_MESSAGE(made.status == 201, made.body);
  auto target = "/api/v1/dashboards/" + std::to_string(made.json()["id"].get<std::int64_t>())
                + "/history?widget=" + std::to_string(made.json()["widgets"][0]["id"].get<std::int64_t>());
  // Sampled once: the sampler's calculation exists (a statistic counts from its start, and
  // the sampler opens it after the widget is stored), so the submit counts.
  json h;
  REQUIRE_MESSAGE(eventually([&] {
    h = sup.get(target).json();
    return !h["series"][0]["points"].empty();
  }, 10s), h.dump());
  connected_client gw{eng->port(engine::listener_kind::interaction)};
  REQUIRE(submit_to(*gw.cl, "acme", "sales").ok());
  REQUIRE_MESSAGE(eventually([&] {
    h = sup.get(target).json();
    auto& p = h["series"][0]["points"];
    return p.size() >= 3 && p.back()[1] == 1.0;
  }, 10s), h.dump());
  CHECK(h["store"] == "redis");
  auto* len = static_cast<redisReply*>(redisCommand(c, "XLEN %s", key.c_str()));
  REQUIRE(len);
  CHECK(len->integer >= 3);  // the engine wrote them there
  freeReplyObject(len);
  CHECK(storage::open_store(engine::store_config(eng->cfg()))->pulse().samples("queue|sales|entered|sliding|3517|||", 0,
                                                                                   INT64_MAX, 10).empty());
  freeReplyObject(redisCommand(c, "DEL %s", key.c_str()));
  redisFree(c);
}

namespace {

/// 24 h and ten minutes of samples every 10 s on virtual time, written as the sampler does
/// (a batch a minute, trimmed on each write), then read back.
void day_of_samples(engine::web::history_store& h, storage::store& st) {
  const std::int64_t start = 1'780'000'000'000;  // 2026-05-28
  const std::int64_t day = 24 * 3'600'000, step = 10'000;
  std::vector<storage::pulse_sample_row> batch;
  std::int64_t t = start;
  for (; t <= start + day + 600'000; t += step) {
    batch.push_back({"queue|sales|service_level|growing_reset|||20|", t, 80.0 + static_cast<double>((t / step) % 20)});
    if (batch.size() == 6) {
      h.add(st, batch, t);
      batch.clear();
    }
  }
  if (!batch.empty())
    h.add(st, batch, t - step);
  auto now = t - step;
  auto kept = h.range(st, "queue|sales|service_level|growing_reset|||20|", 0, now, 100'000);
  // What is older than 24 h is gone; the last 24 h are all there, in order.
  REQUIRE(!kept.empty());
  CHECK(kept.front().t_ms >= now - day);
  CHECK(kept.front().t_ms <= now - day + step);
  CHECK(kept.back().t_ms == now);
  CHECK(kept.size() == static_cast<std::size_t>(day / step) + 1);
  for (std::size_t i = 1; i < kept.size(); ++i)
    REQUIRE(kept[i].t_ms - kept[i - 1].t_ms == step);
  CHECK(kept.back().value == 80.0 + static_cast<double>((now / step) % 20));
  // A range reads a window, and a limit holds.
  CHECK(h.range(st, "queue|sales|service_level|growing_reset|||20|", now - 60'000, now, 100).size() == 7);
  CHECK(h.range(st, "queue|sales|service_level|growing_reset|||20|", 0, now, 10).size() == 10);
  CHECK(h.range(st, "no such statistic", 0, now, 10).empty());
}

} // namespace

TEST_CASE("web/pulse: history on virtual time, in the embedded database: 24 h of samples, trimmed") {
  auto dir = temp_dir();
  auto cfg = test_config({"engine.data_dir=" + dir});
  auto st = storage::open_store(engine::store_config(cfg));
  st->migrate();
  engine::web::history_store h{"", 0, 24 * 3'600'000};
  CHECK_FALSE(h.in_redis());
  day_of_samples(h, *st);
}

TEST_CASE("web/pulse: history on virtual time, in PostgreSQL: 24 h of samples, trimmed <postgresql>") {
  auto dsn = fresh_pg_dsn("pulse_history");
  if (!dsn)
    return;
  auto cfg = test_config({"storage.backend=postgresql", "storage.dsn=" + *dsn});
  auto st = storage::open_store(engine::store_config(cfg));
  st->migrate();
  engine::web::history_store h{"", 0, 24 * 3'600'000};
  day_of_samples(h, *st);
}

TEST_CASE("web/pulse: history on virtual time, in a Redis stream: 24 h of samples, trimmed by MINID <redis>") {
  auto port = test_redis_port();
  if (!port)
    return;
  auto dir = temp_dir();
  auto cfg = test_config({"engine.data_dir=" + dir});
  auto st = storage::open_store(engine::store_config(cfg));
  st->migrate();
  // A stream of our own name: clear what a previous run left.
  auto* c = redisConnect("127.0.0.1", *port);
  REQUIRE(c);
  REQUIRE(c->err == 0);
  auto key = engine::web::history_stream("queue|sales|service_level|growing_reset|||20|");
  freeReplyObject(redisCommand(c, "DEL %s", key.c_str()));
  engine::web::history_store h{"127.0.0.1", *port, 24 * 3'600'000};
  CHECK(h.in_redis());
  day_of_samples(h, *st);
  // Nothing went to the database; the stream holds the day alone and expires after it.
  CHECK(st->pulse().samples("queue|sales|service_level|growing_reset|||20|", 0, INT64_MAX, 10).empty());
  auto* len = static_cast<redisReply*>(redisCommand(c, "XLEN %s", key.c_str()));
  REQUIRE(len);
  CHECK(len->integer == 24 * 360 + 1);
  freeReplyObject(len);
  auto* ttl = static_cast<redisReply*>(redisCommand(c, "PTTL %s", key.c_str()));
  REQUIRE(ttl);
  CHECK(ttl->integer > 23 * 3'600'000);
  freeReplyObject(ttl);
  freeReplyObject(redisCommand(c, "DEL %s", key.c_str()));
  redisFree(c);
}
