// Historical reporting end to end (docs/reporting.md): a real engine on a scaled clock,
// real TCP clients (a gateway, an agent's desktop, a 2060 wallboard), real SQLite or
// PostgreSQL. A scripted stretch of a day: its day aggregates equal the statistics engine's
// day values (growing_reset) measure by measure, and the console's and the API's reports
// show them; a kill -9 of parleyd while the fact writer commits loses no fact and doubles
// none.
#include <doctest/doctest.h>

#include <csignal>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>
#include <set>

#include "outbound_support.hpp"
#include "engine/web/users.hpp"
#include "storage/store.hpp"
#include "support/parleyd_process.hpp"
#include "support/stat_client.hpp"
#include "support/storage_env.hpp"
#include "support/web_client.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::campaigns;
using engine::listener_kind;
using O = wire::StatObjectType;

namespace {

/// The contact center of these tests; `reporting` is its [reporting] table.
std::string center_toml(const std::string& reporting = "poll_ms = 50\n") {
  return R"(
[engine]
clock_scale = 20
clock_start = "2026-03-10T14:00:00Z"

[stats]
reset_time_zone = "America/New_York"

[reporting]
time_zones = ["acme=America/New_York"]
)" + reporting + R"(
[[queues]]
name = "sales"
tenant = "acme"
service_level_s = 20

[[agent_groups]]
name = "floor"
tenant = "acme"
members = ["*"]
capacity = { voice = 1 }
)";
}

/// The reporting store of the engine's database, on a connection of the test's own.
struct history_reader {
  std::unique_ptr<storage::store> store;
  explicit history_reader(const storage::config& cfg) : store(storage::open_store(cfg)) {}

  /// How many events of this kind are in the log.
  std::size_t stored(wire::ReportingKind kind) {
    std::size_t n = 0;
    for (auto& e : store->events(1, 100'000))
      n += e.kind == static_cast<std::uint8_t>(kind);
    return n;
  }

  /// Facts include every stored event and every interval is aggregated.
  bool caught_up() {
    auto last = store->events(store->reporting().watermark().first + 1, 1);
    return last.empty() && store->reporting().dirty(1).empty();
  }
};

storage::config store_of(const std::string& dir, const std::optional<std::string>& dsn) {
  storage::config c;
  if (dsn) {
    c.backend = storage::backend_kind::postgresql;
    c.dsn = *dsn;
  } else {
    c.path = dir + "/parley.db";
  }
  return c;
}

struct sqlite_engine {
  static std::optional<std::string> dsn() { return std::string{}; }
};
struct postgresql_engine {
  static std::optional<std::string> dsn() { return fresh_pg_dsn("history"); }
};

} // namespace

TYPE_TO_STRING_AS("sqlite", sqlite_engine);
TYPE_TO_STRING_AS("postgresql", postgresql_engine);

TEST_CASE_TEMPLATE("history: a scripted day's aggregates equal the statistics' day values", B, sqlite_engine,
                   postgresql_engine) {
  auto dsn = B::dsn();
  if (!dsn)
    return;
  auto dir = temp_dir();
  std::vector<std::string> sets{"engine.data_dir=" + dir};
  std::optional<std::string> pg;
  if (!dsn->empty()) {
    pg = *dsn;
    sets.push_back("storage.backend=postgresql");
    sets.push_back("storage.dsn=" + *dsn);
  }
  auto eng = start_engine_toml(center_toml(), sets);
  events_client board{eng->port(listener_kind::stat), wire::ClientType::stat_client};
  auto open = [&](O type, const std::string& id, const std::string& metric, std::uint32_t range_to = 0) {
    open_args a;
    a.type = type;
    a.id = id;
    a.metric = metric;
    a.interval = wire::StatInterval::growing_reset;
    a.range_to_s = range_to;
    auto r = board.open(a);
    REQUIRE(r.ok());
    return r.as<wire::StatOpened>()->stat_id();
  };
  std::map<std::string, std::uint64_t> q, g;
  for (auto m : {"entered", "distributed", "abandoned", "max_wait", "average_speed_of_answer"})
    q[m] = open(O::queue, "sales", m);
  q["distributed_within"] = open(O::queue, "sales", "distributed_within", 20);
  q["abandoned_within"] = open(O::queue, "sales", "abandoned_within", 20);
  q["service_level"] = open(O::queue, "sales", "service_level", 20);
  for (auto m : {"ready_time", "not_ready_time", "busy_time", "handled", "average_handle_time", "occupancy"})
    g[m] = open(O::agent_group, "floor", m);

  // The script: ann takes three calls one after another (the second and third wait for
  // her), a fourth caller gives up while she is not ready, and she logs out.
  connected_client gw{eng->port(listener_kind::interaction)};
  {
    auto ann = std::make_unique<auto_agent>(eng->port(listener_kind::interaction), "ann");
    wait_domain(*eng, eng->clk().now_ms() + 30'000);
    ann->ready();
    for (int call = 0; call < 3; ++call) {
      auto iid = id_of(submit(*gw.cl));
      REQUIRE(eventually([&] { return ann->calls() == static_cast<std::size_t>(call + 1); }, 10s));
      wait_domain(*eng, eng->clk().now_ms() + 40'000);  // talk
      stop(*gw.cl, iid);
    }
    ann->not_ready();
    auto gone = id_of(submit(*gw.cl));
    wait_domain(*eng, eng->clk().now_ms() + 25'000);  // a wait past T: not within
    stop(*gw.cl, gone);
    wait_domain(*eng, eng->clk().now_ms() + 60'000);
  }  // ann's desktop goes: she is logged out

  history_reader h{store_of(dir, pg)};
  // Her logout is stored (the writer commits on its own time), then folded in.
  REQUIRE(eventually([&] { return h.stored(wire::ReportingKind::agent_logout) == 1 && h.caught_up(); }, 20s));
  auto peek = [&](std::uint64_t id) {
    auto r = board.ask([&](auto& fbb) { return wire::CreatePeekStat(fbb, id); });
    REQUIRE(r.ok());
    return r.template as<wire::StatInfo>()->value();
  };
  // The day in New York: 2026-03-10.
  storage::agg_filter day{1'773'115'200'000, 1'773'201'600'000, {"acme"}, {}};
  storage::queue_agg qs;
  for (auto& a : h.store->reporting().queue_aggs(day)) {
    qs.entered += a.entered;
    qs.distributed += a.distributed;
    qs.distributed_within += a.distributed_within;
    qs.abandoned += a.abandoned;
    qs.abandoned_within += a.abandoned_within;
    qs.wait_distributed_ms += a.wait_distributed_ms;
    qs.max_wait_ms = std::max(qs.max_wait_ms, a.max_wait_ms);
  }
  CHECK(qs.entered == 4);
  CHECK(qs.distributed == 3);
  CHECK(qs.abandoned == 1);
  CHECK(qs.abandoned_within == 0);
  CHECK(peek(q["entered"]) == qs.entered);
  CHECK(peek(q["distributed"]) == qs.distributed);
  CHECK(peek(q["distributed_within"]) == qs.distributed_within);
  CHECK(peek(q["abandoned"]) == qs.abandoned);
  CHECK(peek(q["abandoned_within"]) == qs.abandoned_within);
  CHECK(peek(q["max_wait"]) == doctest::Approx(qs.max_wait_ms / 1000.0).epsilon(1e-9));
  CHECK(peek(q["average_speed_of_answer"])
        == doctest::Approx(qs.wait_distributed_ms / 1000.0 / qs.distributed).epsilon(1e-9));
  CHECK(peek(q["service_level"])
        == doctest::Approx(100.0 * qs.distributed_within / (qs.distributed + qs.abandoned - qs.abandoned_within))
             .epsilon(1e-9));
  storage::agent_agg as;
  for (auto& a : h.store->reporting().agent_aggs(day)) {
    as.ready_ms += a.ready_ms;
    as.not_ready_ms += a.not_ready_ms;
    as.busy_ms += a.busy_ms;
    as.idle_ready_ms += a.idle_ready_ms;
    as.idle_acw_ms += a.idle_acw_ms;
    as.handled += a.handled;
    as.handle_ms += a.handle_ms;
  }
  CHECK(as.handled == 3);
  CHECK(as.busy_ms >= 3 * 40'000);
  CHECK(peek(g["handled"]) == as.handled);
  CHECK(peek(g["ready_time"]) == doctest::Approx(as.ready_ms / 1000.0).epsilon(1e-9));
  CHECK(peek(g["not_ready_time"]) == doctest::Approx(as.not_ready_ms / 1000.0).epsilon(1e-9));
  CHECK(peek(g["busy_time"]) == doctest::Approx(as.busy_ms / 1000.0).epsilon(1e-9));
  CHECK(peek(g["average_handle_time"]) == doctest::Approx(as.handle_ms / 1000.0 / as.handled).epsilon(1e-9));
  auto busy_acw = static_cast<double>(as.busy_ms + as.idle_acw_ms);
  CHECK(peek(g["occupancy"])
        == doctest::Approx(100.0 * busy_acw / (busy_acw + static_cast<double>(as.idle_ready_ms))).epsilon(1e-9));

  // The console's report shows the same day.
  console_conn con{eng->console_port()};
  auto table = con.ask("report queue-summary --from 2026-03-10", 10s);
  CHECK_MESSAGE(table.find("Queue Summary") != std::string::npos, table);
  auto row = [&](const std::string& text, const std::string& start) {
    std::istringstream lines{text};
    for (std::string line; std::getline(lines, line);)
      if (line.rfind(start, 0) == 0) {
        std::istringstream words{line};
        return std::vector<std::string>{std::istream_iterator<std::string>{words}, {}};
      }
    return std::vector<std::string>{};
  };
  auto day_row = row(table, "2026-03-10");
  REQUIRE_MESSAGE(day_row.size() == 19, table);
  CHECK(day_row[2] == "sales");
  CHECK(day_row[4] == "4");  // entered
  CHECK(day_row[5] == "3");  // distributed
  CHECK(day_row[7] == "1");  // abandoned
  CHECK(con.ask("report agent-summary --from 2026-03-10 --by hour", 10s).find("ann") != std::string::npos);
  CHECK(con.ask("report status").find("0 interval(s) to aggregate") != std::string::npos);
  CHECK(con.ask("report nope --from 2026-03-10").rfind("error: no report named", 0) == 0);
  // A rebuild of the day recomputes it from the facts: the same numbers.
  CHECK(con.ask("report rebuild --from 2026-03-10").rfind("96 interval(s) marked", 0) == 0);
  REQUIRE(eventually([&] { return h.caught_up(); }, 20s));
  std::int64_t entered = 0, handled = 0;
  for (auto& a : h.store->reporting().queue_aggs(day))
    entered += a.entered;
  for (auto& a : h.store->reporting().agent_aggs(day))
    handled += a.handled;
  CHECK(entered == qs.entered);
  CHECK(handled == as.handled);
}

TEST_CASE("history: reports over the API are the caller's tenants' only, as JSON or CSV") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center_toml(), {"engine.data_dir=" + dir});
  connected_client gw{eng->port(listener_kind::interaction)};
  REQUIRE(submit(*gw.cl).ok());
  REQUIRE(submit(*gw.cl).ok());
  history_reader h{store_of(dir, std::nullopt)};
  REQUIRE(eventually([&] { return h.stored(wire::ReportingKind::queued) == 2 && h.caught_up(); }, 20s));
  auto pw = std::string{"correct horse battery"};
  for (auto [name, tenants] : {std::pair{"acmeview", "acme"}, std::pair{"otherview", "other"}})
    REQUIRE(engine::web::add_user(h.store->users(), {name, pw, "viewer", tenants}, 1).empty());
  web_client acme{eng->http_port()}, other{eng->http_port()};
  REQUIRE(acme.login("acmeview", pw).status == 201);
  REQUIRE(other.login("otherview", pw).status == 201);
  auto names = acme.get("/api/v1/reports");
  CHECK(names.status == 200);
  CHECK(names.body.find("queue-summary") != std::string::npos);
  auto mine = acme.get("/api/v1/reports/queue-summary?from=2026-03-10&by=day");
  REQUIRE(mine.status == 200);
  auto j = nlohmann::json::parse(mine.body);
  CHECK(j["zone"] == "America/New_York");
  REQUIRE(j["rows"].size() == 1);
  CHECK(j["rows"][0]["queue"] == "sales");
  CHECK(j["rows"][0]["entered"] == 2);
  auto theirs = nlohmann::json::parse(other.get("/api/v1/reports/queue-summary?from=2026-03-10").body);
  CHECK(theirs["rows"].empty());
  auto csv = acme.get("/api/v1/reports/queue-summary?from=2026-03-10&format=csv");
  CHECK(csv.status == 200);
  CHECK(csv.body.rfind("start,tenant,queue,media,entered", 0) == 0);
  CHECK(csv.body.find("2026-03-10,acme,sales,voice,2,") != std::string::npos);
  CHECK(acme.get("/api/v1/reports/nope?from=2026-03-10").status == 404);
  CHECK(acme.get("/api/v1/reports/queue-summary?from=yesterday").status == 400);
  CHECK(acme.get("/api/v1/reports/queue-summary?from=2026-03-10&tz=Mars/Base").status == 400);
}

TEST_CASE("history: a dialing campaign's rows and reports agree with its status and its audit") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(campaigns::center("progressive", "[reporting]\npoll_ms = 50\n"),
                               {"engine.data_dir=" + dir, "engine.clock_start=\"2026-03-10T14:00:00Z\""});
  console_conn con{eng->console_port()};
  REQUIRE(con.ask("list import spring " + write_list(dir, 12)).find("12 imported") != std::string::npos);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  con.ask("campaign start spring");
  REQUIRE(eventually([&] { return field(con.ask("campaign status spring"), "answered") >= 3; }, 20s));
  con.ask("campaign stop spring");
  std::string status;
  REQUIRE(eventually([&] {
    status = con.ask("campaign status spring");
    return field(status, "in_flight") == 0;
  }, 20s));
  // Every result row folded in and aggregated (the list store commits them within 20 ms).
  history_reader h{store_of(dir, std::nullopt)};
  auto& rep = h.store->reporting();
  storage::campaign_agg sum;
  REQUIRE(eventually([&] {
    sum = {};
    for (auto& a : rep.campaign_aggs({0, std::numeric_limits<std::int64_t>::max(), {}, "spring"})) {
      sum.dialed += a.dialed;
      sum.answered += a.answered;
      sum.abandoned += a.abandoned;
      sum.connected += a.connected;
      sum.connected_in_2s += a.connected_in_2s;
    }
    return sum.dialed == static_cast<std::int64_t>(field(status, "dialed")) && rep.dirty(1).empty();
  }, 20s));
  CHECK(sum.dialed >= 3);
  CHECK(sum.answered == static_cast<std::int64_t>(field(status, "answered") + field(status, "abandoned")));
  CHECK(sum.abandoned == static_cast<std::int64_t>(field(status, "abandoned")));
  auto audit = con.ask("campaign audit spring");
  CHECK(static_cast<std::int64_t>(field(audit, "attempts")) == sum.dialed);
  CHECK(static_cast<std::int64_t>(field(audit, "answered")) == sum.answered);
  CHECK(static_cast<std::int64_t>(field(audit, "connected_in_2s")) == sum.connected_in_2s);
  // The console's reports: one row each for the whole day, the same numbers.
  auto cells = [](const std::string& table) {
    std::map<std::string, std::string> out;
    std::istringstream in{table};
    std::vector<std::string> header, row;
    for (std::string line; std::getline(in, line);) {
      std::istringstream words{line};
      std::vector<std::string> w{std::istream_iterator<std::string>{words}, {}};
      if (!w.empty() && w[0] == "start")
        header = w;
      else if (!w.empty() && w[0] == "total")
        row = w;
    }
    for (std::size_t i = 0; i < header.size() && i < row.size(); ++i)
      out[header[i]] = row[i];
    return out;
  };
  auto summary = cells(con.ask("report campaign-summary --from 2026-03-10 --tz UTC --by total --campaign spring"));
  CHECK(summary["campaign"] == "spring");
  CHECK(summary["dialed"] == std::to_string(sum.dialed));
  CHECK(summary["answered"] == std::to_string(sum.answered));
  auto compliance = cells(con.ask("report campaign-compliance --from 2026-03-10 --tz UTC --by total"));
  CHECK(compliance["campaign"] == "spring");
  CHECK(compliance["attempts"] == std::to_string(field(audit, "attempts")));
  CHECK(compliance["abandoned"] == std::to_string(field(audit, "abandoned")));
  CHECK(compliance["connected_in_2s"] == std::to_string(field(audit, "connected_in_2s")));
}

TEST_CASE("history: kill -9 of parleyd while facts are written: after the restart none is missing or doubled") {
  // One small fact transaction after another while calls flow; the kill comes in the
  // middle of the flow, with calls waiting, offered and handled.
  auto toml = center_toml("poll_ms = 10\nbatch_events = 3\n");
  auto first = parleyd_process::with_toml(toml);
  auto dir = first->dir();
  {
    connected_client gw{first->port("interaction")};
    auto ann = std::make_unique<auto_agent>(first->port("interaction"), "ann");
    ann->ready();
    for (int i = 0; i < 20; ++i) {
      auto iid = id_of(submit(*gw.cl));
      if (i % 2 == 0)
        REQUIRE(eventually([&] { return ann->calls() >= static_cast<std::size_t>(i / 2 + 1); }, 10s));
      stop(*gw.cl, iid);
    }
    // One call ann keeps handling, ten waiting behind it.
    auto before = ann->calls();
    id_of(submit(*gw.cl));
    REQUIRE(eventually([&] { return ann->calls() > before; }, 10s));
    for (int i = 0; i < 10; ++i)
      id_of(submit(*gw.cl));
    MESSAGE("killed at: " << first->console("report status"));
    first->proc().signal(SIGKILL);
    REQUIRE(first->proc().wait(5s));
  }
  auto again = parleyd_process::with_toml(toml, {}, dir);
  {
    connected_client gw{again->port("interaction")};
    for (int i = 0; i < 5; ++i)
      stop(*gw.cl, id_of(submit(*gw.cl)));
  }
  history_reader h{store_of(dir + "/var", std::nullopt)};
  REQUIRE(eventually([&] { return h.caught_up(); }, 30s));
  // What the event log says: where waits begin (an entry into a queue; a recovery into one,
  // after which the recovered interaction's own `queued` report continues that wait) and
  // which interactions stopped.
  std::set<std::uint64_t> begins, may_begin, stopped;
  std::set<std::uint64_t> just_recovered;
  std::size_t recoveries = 0, entries_into_queues = 0;
  for (auto& e : h.store->events(1, 1'000'000)) {
    if (e.kind == static_cast<std::uint8_t>(wire::ReportingKind::recovered)) {
      ++recoveries;
      may_begin.insert(e.seq);
      just_recovered.insert(e.iid);
    } else if (e.kind == static_cast<std::uint8_t>(wire::ReportingKind::queued)) {
      ++entries_into_queues;
      may_begin.insert(e.seq);
      if (!just_recovered.erase(e.iid))
        begins.insert(e.seq);
    }
    if (e.iid && e.state == static_cast<std::uint8_t>(wire::InteractionState::stopped) && e.from_state >= 0)
      stopped.insert(e.iid);
  }
  CHECK(recoveries == 11);  // the one handled and the ten waiting
  CHECK(begins.size() == 36);  // 20 + 1 + 10 before the kill, 5 after
  CHECK(entries_into_queues == 36 + 11);
  storage::agg_filter all{0, 4'000'000'000'000, {}, {}};
  std::set<std::uint64_t> entries;
  for (auto& e : h.store->reporting().queue_entries(all, 1'000'000))
    entries.insert(e.entry_seq);
  for (auto seq : begins)
    CHECK(entries.count(seq) == 1);
  for (auto seq : entries)
    CHECK(may_begin.count(seq) == 1);
  std::int64_t entered = 0;
  for (auto& a : h.store->reporting().queue_aggs(all))
    entered += a.entered;
  CHECK(entered == static_cast<std::int64_t>(entries.size()));
  // Every stopped interaction is exactly one fact.
  std::multiset<std::uint64_t> facts;
  for (auto& i : h.store->reporting().interactions(all, 1'000'000))
    facts.insert(i.iid);
  CHECK(facts.size() == stopped.size());
  CHECK(std::set<std::uint64_t>(facts.begin(), facts.end()) == stopped);
}

TEST_CASE_TEMPLATE("history: retention deletes what its days no longer keep; the aggregates it leaves stay final", B,
                   sqlite_engine, postgresql_engine) {
  auto dsn = B::dsn();
  if (!dsn)
    return;
  auto dir = temp_dir();
  std::optional<std::string> pg;
  if (!dsn->empty())
    pg = *dsn;
  auto run_at = [&](const std::string& start, const std::string& reporting) {
    std::vector<std::string> sets{"engine.data_dir=" + dir, "engine.clock_start=\"" + start + "\""};
    if (pg) {
      sets.push_back("storage.backend=postgresql");
      sets.push_back("storage.dsn=" + *pg);
    }
    return start_engine_toml(center_toml("poll_ms = 50\n" + reporting), sets);
  };
  storage::agg_filter january{1'767'225'600'000, 1'769'904'000'000, {}, {}};  // 2026-01-01 .. 02-01 UTC
  auto summary_of = [](console_conn& con) { return con.ask("report queue-summary --from 2026-01-09", 10s); };

  // A day in January: one call handled, the day aggregated (no retention: it has no entry).
  std::string old_summary;
  std::size_t old_events = 0;
  {
    auto eng = run_at("2026-01-09T14:00:00Z", "retention_cron = \"\"\n");
    connected_client gw{eng->port(listener_kind::interaction)};
    {
      auto ann = std::make_unique<auto_agent>(eng->port(listener_kind::interaction), "ann");
      ann->ready();
      auto iid = id_of(submit(*gw.cl));
      REQUIRE(eventually([&] { return ann->calls() == 1; }, 10s));
      wait_domain(*eng, eng->clk().now_ms() + 40'000);
      stop(*gw.cl, iid);
    }
    history_reader h{store_of(dir, pg)};
    REQUIRE(eventually([&] { return h.stored(wire::ReportingKind::agent_logout) == 1 && h.caught_up(); }, 20s));
    old_events = h.store->events(1, 100'000).size();
    CHECK(h.store->reporting().interactions(january, 10).size() == 1);
    console_conn con{eng->console_port()};
    CHECK(con.ask("schedule status").find("no [[schedule]] entries") != std::string::npos);
    old_summary = summary_of(con);
    REQUIRE_MESSAGE(old_summary.find("\n2026-01-09 ") != std::string::npos, old_summary);  // its row
  }

  // March 10th: events kept 35 days, facts 45, aggregates 90 — retention run by hand.
  std::uint64_t last_seq = 0;
  {
    auto eng = run_at("2026-03-10T14:00:00Z", "events_days = 35\nfacts_days = 45\naggregates_days = 90\n"
                                              "retention_cron = \"\"\n");
    connected_client gw{eng->port(listener_kind::interaction)};
    stop(*gw.cl, id_of(submit(*gw.cl)));
    history_reader h{store_of(dir, pg)};
    REQUIRE(eventually([&] { return h.stored(wire::ReportingKind::submitted) == 2 && h.caught_up(); }, 20s));
    auto before = h.store->events(1, 100'000);
    console_conn con{eng->console_port()};
    auto done = con.ask("report retention", 30s);
    CHECK_MESSAGE(done.find("retention: deleted " + std::to_string(old_events) + " event(s) before 2026-02-03, ")
                    != std::string::npos,
                  done);
    CHECK_MESSAGE(done.find(" fact(s) before 2026-01-24, 0 attempt row(s) and denial(s) before 2026-01-24, "
                            "0 aggregate row(s) before 2025-12-10 in ")
                    != std::string::npos,
                  done);
    // Every event from the cut (2026-02-03) on is still there — the stop's last events may
    // have been stored meanwhile too — and none before it.
    constexpr std::int64_t cut_ms = 1'770'076'800'000;
    auto left = h.store->events(1, 100'000);
    std::set<std::uint64_t> left_seqs;
    for (auto& e : left) {
      CHECK(e.engine_ms >= cut_ms);
      left_seqs.insert(e.seq);
    }
    std::size_t kept = 0;
    for (auto& e : before)
      if (e.engine_ms >= cut_ms) {
        ++kept;
        CHECK(left_seqs.count(e.seq) == 1);
      }
    CHECK(before.size() - kept == old_events);
    CHECK(h.store->reporting().interactions(january, 10).empty());
    CHECK(h.store->reporting().queue_entries(january, 10).empty());
    // January's aggregates are final: its report is what it was, a rebuild leaves it.
    CHECK(summary_of(con) == old_summary);
    CHECK(con.ask("report rebuild --from 2026-01-09").rfind("0 interval(s) marked", 0) == 0);
    CHECK(con.ask("report status").find("facts before 2026-01-24 deleted by retention") != std::string::npos);
    CHECK(summary_of(con) == old_summary);
    CHECK(con.ask("report retention", 30s).find("retention: deleted 0 event(s)") != std::string::npos);
    last_seq = left.back().seq;
  }

  // Aggregates kept 45 days now, retention on its schedule (every minute of a 20x clock).
  {
    auto eng = run_at("2026-03-10T15:00:00Z", "facts_days = 45\naggregates_days = 45\n"
                                              "retention_cron = \"* * * * *\"\n");
    console_conn con{eng->console_port()};
    std::string status;
    REQUIRE_MESSAGE(eventually(
                      [&] {
                        status = con.ask("schedule status");
                        return status.find("result=\"retention: deleted") != std::string::npos;
                      },
                      20s),
                    status);
    CHECK(status.find("schedule 0 enabled \"* * * * *\" UTC retention next=") == 0);
    history_reader h{store_of(dir, pg)};
    CHECK(h.store->reporting().queue_aggs(january).empty());
    CHECK(h.store->reporting().agent_aggs(january).empty());
    CHECK(summary_of(con).find("\n2026-01-09 ") == std::string::npos);
    // The log's seqs went on from the last one, and the facts with them.
    CHECK(h.store->reporting().runs().back() == last_seq + 1);
    connected_client gw{eng->port(listener_kind::interaction)};
    stop(*gw.cl, id_of(submit(*gw.cl)));
    REQUIRE(eventually([&] { return h.stored(wire::ReportingKind::submitted) == 2 && h.caught_up(); }, 20s));
    storage::agg_filter march{1'773'100'800'000, 1'773'187'200'000, {}, {}};  // 2026-03-10 UTC
    CHECK(h.store->reporting().interactions(march, 10).size() == 2);
  }
}

TEST_CASE("history: a conference and a transfer made on agents' desktops count for the queue and the agents") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center_toml() + "[[queues]]\nname = \"support\"\ntenant = \"acme\"\n",
                               {"engine.data_dir=" + dir});
  connected_client gw{eng->port(listener_kind::interaction)};
  auto ask = [](auto_agent& a, auto build) {
    auto r = a.desk->cl->request(build).get();
    REQUIRE(r.ok());
  };
  {
    auto ann = std::make_unique<auto_agent>(eng->port(listener_kind::interaction), "ann");
    auto bob = std::make_unique<auto_agent>(eng->port(listener_kind::interaction), "bob");
    ann->ready();
    auto iid = id_of(submit(*gw.cl));
    REQUIRE(eventually([&] { return ann->calls() == 1; }, 10s));
    bob->ready();
    wait_domain(*eng, eng->clk().now_ms() + 20'000);
    // ann invites bob (his desktop accepts), then transfers the call to support.
    ask(*ann, [iid](protocol::encoder& e, std::uint64_t ref) {
      return e.finish(ref, wire::CreateConferenceDirect(e.start(), iid, "bob"));
    });
    REQUIRE(eventually([&] { return bob->calls() == 1; }, 10s));
    wait_domain(*eng, eng->clk().now_ms() + 20'000);
    ask(*ann, [iid](protocol::encoder& e, std::uint64_t ref) {
      return e.finish(ref, wire::CreateTransferDirect(e.start(), iid, nullptr, "support"));
    });
    stop(*gw.cl, iid);  // nobody in support: the caller hangs up
  }
  history_reader h{store_of(dir, std::nullopt)};
  REQUIRE(eventually([&] { return h.stored(wire::ReportingKind::agent_logout) == 2 && h.caught_up(); }, 20s));
  storage::agg_filter day{1'773'115'200'000, 1'773'201'600'000, {"acme"}, {}};
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> queues, agents;  // transferred, conferenced
  for (auto& a : h.store->reporting().queue_aggs(day)) {
    queues[a.queue].first += a.transferred;
    queues[a.queue].second += a.conferenced;
  }
  for (auto& a : h.store->reporting().agent_aggs(day)) {
    agents[a.agent].first += a.transferred;
    agents[a.agent].second += a.conferenced;
  }
  CHECK(queues["sales"] == std::pair<std::int64_t, std::int64_t>{1, 1});
  CHECK(queues["support"] == std::pair<std::int64_t, std::int64_t>{0, 0});
  CHECK(agents["ann"] == std::pair<std::int64_t, std::int64_t>{1, 0});
  CHECK(agents["bob"] == std::pair<std::int64_t, std::int64_t>{0, 1});
  auto detail = h.store->reporting().interactions(day, 10);
  REQUIRE(detail.size() == 1);
  CHECK(std::tie(detail[0].outcome, detail[0].transfers, detail[0].conferences, detail[0].last_queue)
        == std::tuple{"transferred", 1, 1, "support"});
  // The console's Agent Summary shows them in its last two columns.
  console_conn con{eng->console_port()};
  auto table = con.ask("report agent-summary --from 2026-03-10 --agent bob", 10s);
  std::istringstream lines{table};
  std::vector<std::string> words;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("2026-03-10", 0) == 0) {
      std::istringstream in{line};
      words.assign(std::istream_iterator<std::string>{in}, {});
    }
  REQUIRE_MESSAGE(words.size() >= 2, table);
  CHECK(words[words.size() - 2] == "0");  // transferred
  CHECK(words.back() == "1");              // conferenced
}
