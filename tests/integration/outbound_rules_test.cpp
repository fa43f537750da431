// Outbound rules against the real engine over TCP: the calling window in each contact's own
// zone on a domain clock started at a chosen instant (engine.clock_start), a DST change,
// attempt caps per record and per customer, the treatments (retry, next in chain, final),
// chained records, and records a parleyd killed with SIGKILL left leased.
//
// What the engine did is read back from what it stored: the list as `list export` writes it
// (status, result, attempts, scheduled time), the attempt history in the database, the
// campaign's status line and /metrics. Outcomes are forced through the simulated gateway's
// shares (--set outbound.gateway.<outcome>=...).
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "integration/outbound_support.hpp"
#include "storage/store.hpp"
#include "support/child.hpp"
#include "support/console_conn.hpp"
#include "support/parleyd_process.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::campaigns;
using engine::listener_kind;

namespace {

/// center() with the campaign's calling window replaced; "" leaves the default
/// (08:00-21:00, docs/configuration.md).
std::string with_window(std::string toml, const std::string& window) {
  const std::string line = "window = \"00:00-24:00\"\n";
  auto at = toml.find(line);
  REQUIRE(at != std::string::npos);
  toml.replace(at, line.size(), window.empty() ? "" : "window = \"" + window + "\"\n");
  return toml;
}

double decisions(engine::engine& eng, const std::string& decision) {
  return metric(eng.metrics_port(),
                "parley_compliance_decisions_total{decision=\"" + decision + "\"}");
}

/// The dial history of a record as stored: the row written at dial (result none) and the
/// one with the result, in time order.
std::vector<storage::attempt_row> history(engine::engine& eng, std::uint64_t record) {
  auto store = storage::open_store(engine::store_config(eng.cfg()));
  return store->outbound().record_attempts(record, 0);
}

std::vector<std::int64_t> dial_times(const std::vector<storage::attempt_row>& h) {
  std::vector<std::int64_t> out;
  for (auto& a : h)
    if (a.call_result == 0)
      out.push_back(a.started_ms);
  return out;
}

constexpr std::uint8_t result_of(storage::call_result r) {
  return static_cast<std::uint8_t>(r);
}

// Instants used below (seconds since the epoch, checked with Python's zoneinfo):
constexpr std::int64_t jun10_1400z = 1'781'100'000;  // 2026-06-10T14:00:00Z
constexpr std::int64_t jun11_0000z = 1'781'136'000;  // 2026-06-11T00:00:00Z = 08:00 in Shanghai
constexpr std::int64_t mar08_0700z = 1'772'953'200;  // 2026-03-08T07:00:00Z = 03:00 EDT, the change
constexpr std::int64_t mar08_0800z = 1'772'956'800;  // 03:00 EST: what a DST-blind sum gives

} // namespace

TEST_CASE("calling hours: at 14:00 UTC the contact at 10:00 in New York is called, the one at "
          "22:00 in Shanghai waits for 08:00 there") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(with_window(center("progressive"), ""),
                               always("answer", {"engine.data_dir=" + dir,
                                                 "engine.clock_start=\"2026-06-10T14:00:00Z\""}));
  auto now = eng->clk().now_ms();
  REQUIRE(now >= jun10_1400z * 1000);
  REQUIRE(now < (jun10_1400z + 600) * 1000);
  console_conn con{eng->console_port()};
  import_csv(con, dir, "phone,tz,customer\n"
                       "+12125550100,America/New_York,ny\n"
                       "+8613800000100,Asia/Shanghai,sh\n", 2);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);

  REQUIRE(eventually([&] { return ann.calls() >= 1; }, 10s));
  CHECK(eventually([&] { return field(con.ask("campaign status spring"), "denied") == 1; }, 5s));
  CHECK(decisions(*eng, "outside_window") == 1);
  CHECK(decisions(*eng, "allowed") == 1);
  {
    std::lock_guard lock{ann.mx};
    REQUIRE(ann.offered.size() == 1);
    CHECK(ann.offered[0].at("phone") == "+12125550100");
    CHECK(ann.offered[0].at("tz") == "America/New_York");
  }
  // New York's call ends final; Shanghai's record is back in its list, due at 08:00 there.
  std::map<std::string, row> list;
  CHECK(eventually([&] {
    list = exported(con);
    return list.at("+12125550100").at("status") == "updated"
           && num(list.at("+8613800000100"), "sched") != 0;
  }, 10s));
  auto& ny = list.at("+12125550100");
  CHECK(ny.at("result") == "answer");
  CHECK(num(ny, "attempts") == 1);
  auto& sh = list.at("+8613800000100");
  CHECK(sh.at("status") == "ready");
  CHECK(sh.at("result") == "none");
  CHECK(num(sh, "attempts") == 0);
  CHECK(num(sh, "sched") == jun11_0000z);
  CHECK(num(sh, "call_time") == 0);
  CHECK(field(con.ask("campaign status spring"), "dialed") == 1);
  con.ask("campaign stop spring");
}

TEST_CASE("DST: a window opening at 03:00 in New York on the night clocks skip 02:00-03:00 "
          "opens at 07:00 UTC, not 08:00") {
  auto dir = temp_dir();
  // 06:58 UTC is 01:58 EST; the clocks go to 03:00 EDT at 07:00 UTC, 4 s later at 30x.
  auto eng = start_engine_toml(center("progressive", "abandon_after_ms = 60000\n"),
                               always("answer", {"engine.data_dir=" + dir, "engine.clock_scale=30",
                                                 "engine.clock_start=\"2026-03-08T06:58:00Z\""}));
  console_conn con{eng->console_port()};
  // One window starts at 03:00, one at 02:30 (a local time that does not exist that night:
  // it opens at the change).
  import_csv(con, dir, "phone,tz,customer,from,till\n"
                       "+12125550200,America/New_York,a,03:00,24:00\n"
                       "+12125550201,America/New_York,b,02:30,24:00\n", 2);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);

  CHECK(eventually([&] { return field(con.ask("campaign status spring"), "denied") == 2; }, 5s));
  CHECK(decisions(*eng, "outside_window") == 2);
  // Back in the list (written a moment after the verdict), due at the change; nothing
  // leases them before it.
  std::map<std::string, row> before;
  CHECK(eventually([&] {
    before = exported(con);
    for (auto& [phone, r] : before)
      if (r.at("status") != "ready" || num(r, "sched") == 0)
        return false;
    return true;
  }, 3s));
  for (auto& [phone, r] : before)
    CHECK(num(r, "sched") == mar08_0700z);
  CHECK(eng->clk().now_ms() < mar08_0700z * 1000);
  // Both are called once the change has happened (not an hour later), and the time the
  // engine stored for them is the DST-correct opening.
  REQUIRE(eventually([&] { return ann.calls() >= 2; }, 20s));
  CHECK(eng->clk().now_ms() < mar08_0800z * 1000);
  auto list = exported(con);
  for (auto& item : list) {
    const auto& phone = item.first;
    const auto& r = item.second;
    CAPTURE(phone);
    CHECK(num(r, "sched") == mar08_0700z);
    std::vector<std::int64_t> dials;
    REQUIRE(eventually([&] {
      dials = dial_times(history(*eng, std::stoull(r.at("record_id"))));
      return dials.size() == 1;
    }, 5s));
    CHECK(dials[0] >= mar08_0700z * 1000);
  }
  con.ask("campaign stop spring");
}

TEST_CASE("attempt cap per record: a busy number is dialed max_record_attempts times, then denied") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(
    center("progressive", R"(max_record_attempts = 2
record_period_h = 24
treatments = [{ result = "busy", action = "retry", after_min = 0, max_attempts = 10 }]
)"),
    always("busy", {"engine.data_dir=" + dir}));
  console_conn con{eng->console_port()};
  import_csv(con, dir, "phone,tz,customer\n"
                       "+12125550300,UTC,a\n"
                       "+12125550301,UTC,b\n", 2);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  con.ask("campaign start spring");

  CHECK(eventually([&] { return decisions(*eng, "record_attempts") == 2; }, 15s));
  // Denied: back in the list an hour later, not dialed again before (without the cap the
  // retry would come at once).
  wait_domain(*eng, eng->clk().now_ms() + 20'000);
  auto s = con.ask("campaign status spring");
  CHECK(field(s, "dialed") == 4);
  CHECK(field(s, "denied") == 2);
  CHECK(decisions(*eng, "record_attempts") == 2);
  std::map<std::string, row> list;
  REQUIRE(eventually([&] {
    list = exported(con);
    return list.at("+12125550300").at("status") == "ready" && list.at("+12125550301").at("status") == "ready";
  }, 5s));
  for (auto& item : list) {
    const auto& phone = item.first;
    const auto& r = item.second;
    CAPTURE(phone);
    CHECK(num(r, "attempts") == 2);
    CHECK(r.at("result") == "busy");
    CHECK(num(r, "sched") >= num(r, "call_time") + 3600);
    CHECK(dial_times(history(*eng, std::stoull(r.at("record_id")))).size() == 2);
  }
  con.ask("campaign stop spring");
}

TEST_CASE("attempt cap per customer: two numbers of one customer share max_customer_attempts") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(
    center("progressive", R"(max_customer_attempts = 3
customer_period_h = 24
treatments = [{ result = "busy", action = "retry", after_min = 0, max_attempts = 10 }]
)"),
    always("busy", {"engine.data_dir=" + dir}));
  console_conn con{eng->console_port()};
  import_csv(con, dir, "phone,tz,customer\n"
                       "+12125550400,UTC,c1\n"
                       "+12125550401,UTC,c1\n"
                       "+12125550402,UTC,c2\n", 3);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  auto_agent bob{eng->port(listener_kind::interaction), "bob"};
  ann.ready();
  bob.ready();
  con.ask("campaign start spring");

  // Every record ends up denied once: c1's two when c1 has had 3, c2's when it has had 3.
  CHECK(eventually([&] { return decisions(*eng, "customer_attempts") == 3; }, 15s));
  wait_domain(*eng, eng->clk().now_ms() + 20'000);
  CHECK(decisions(*eng, "customer_attempts") == 3);
  std::map<std::string, row> list;
  REQUIRE(eventually([&] {
    list = exported(con);
    for (auto& [p, r] : list)
      if (r.at("status") != "ready")
        return false;
    return true;
  }, 5s));
  auto c1 = num(list.at("+12125550400"), "attempts") + num(list.at("+12125550401"), "attempts");
  CHECK(c1 == 3);
  CHECK(num(list.at("+12125550402"), "attempts") == 3);
  auto store = storage::open_store(engine::store_config(eng->cfg()));
  CHECK(dial_times(store->outbound().customer_attempts("c1", 0)).size() == 3);
  CHECK(dial_times(store->outbound().customer_attempts("c2", 0)).size() == 3);
  CHECK(field(con.ask("campaign status spring"), "dialed") == 6);
  con.ask("campaign stop spring");
}

TEST_CASE("treatment retry: busy is tried again after_min later, max_attempts times, then final") {
  auto dir = temp_dir();
  // 60x: the one-minute retry is a second.
  auto eng = start_engine_toml(
    center("progressive", R"(abandon_after_ms = 60000
treatments = [{ result = "busy", action = "retry", after_min = 1, max_attempts = 2 }]
)"),
    always("busy", {"engine.data_dir=" + dir, "engine.clock_scale=60"}));
  console_conn con{eng->console_port()};
  import_csv(con, dir, "phone,tz,customer\n+12125550500,UTC,a\n", 1);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  con.ask("campaign start spring");

  row first;
  REQUIRE(eventually([&] {
    first = exported(con).at("+12125550500");
    return num(first, "attempts") >= 1;
  }, 10s));
  if (num(first, "attempts") == 1) {  // (the retry may have come already on a slow machine)
    CHECK(first.at("status") == "ready");
    CHECK(first.at("result") == "busy");
    CHECK(num(first, "sched") == num(first, "call_time") + 60);
  }
  row last;
  REQUIRE(eventually([&] {
    last = exported(con).at("+12125550500");
    return last.at("status") == "updated";
  }, 15s));
  CHECK(num(last, "attempts") == 2);
  CHECK(last.at("result") == "busy");
  auto h = history(*eng, std::stoull(last.at("record_id")));
  auto dials = dial_times(h);
  REQUIRE(dials.size() == 2);
  REQUIRE(h.size() == 4);  // dial, busy, dial, busy
  CHECK(h[1].call_result == result_of(storage::call_result::busy));
  CHECK(dials[1] >= h[1].started_ms + 60'000);  // not before after_min
  // Final: a minute and a half passes without a third dial.
  wait_domain(*eng, eng->clk().now_ms() + 90'000);
  CHECK(num(exported(con).at("+12125550500"), "attempts") == 2);
  CHECK(field(con.ask("campaign status spring"), "dialed") == 2);
  con.ask("campaign stop spring");
}

TEST_CASE("treatment next: a fax ends the record and the next number of its chain is dialed") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center("progressive"), always("fax", {"engine.data_dir=" + dir}));
  console_conn con{eng->console_port()};
  import_csv(con, dir, "phone,tz,customer,chain,chain_n\n"
                       "+12125550600,UTC,a,7,1\n"
                       "+12125550601,UTC,a,7,2\n", 2);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  con.ask("campaign start spring");

  std::map<std::string, row> list;
  REQUIRE(eventually([&] {
    list = exported(con);
    return list.at("+12125550601").at("status") == "updated";
  }, 15s));
  for (auto phone : {"+12125550600", "+12125550601"}) {
    auto& r = list.at(phone);
    CAPTURE(phone);
    CHECK(r.at("status") == "updated");
    CHECK(r.at("result") == "fax");
    CHECK(num(r, "attempts") == 1);
  }
  CHECK(num(list.at("+12125550601"), "call_time") >= num(list.at("+12125550600"), "call_time"));
  CHECK(field(con.ask("campaign status spring"), "dialed") == 2);
  con.ask("campaign stop spring");
}

TEST_CASE("treatment final: an answered call ends the record and cancels its chain; a configured final "
          "replaces a default retry") {
  SUBCASE("answer") {
    auto dir = temp_dir();
    auto eng = start_engine_toml(center("progressive"), always("answer", {"engine.data_dir=" + dir}));
    console_conn con{eng->console_port()};
    import_csv(con, dir, "phone,tz,customer,chain,chain_n\n"
                         "+12125550700,UTC,a,9,1\n"
                         "+12125550701,UTC,a,9,2\n", 2);
    auto_agent ann{eng->port(listener_kind::interaction), "ann"};
    ann.ready();
    con.ask("campaign start spring");
    REQUIRE(eventually([&] { return ann.calls() >= 1; }, 10s));
    std::map<std::string, row> list;
    REQUIRE(eventually([&] {
      list = exported(con);
      return list.at("+12125550700").at("status") == "updated";
    }, 10s));
    // Had "final" made the next number due, it would be dialed at once.
    wait_domain(*eng, eng->clk().now_ms() + 20'000);
    list = exported(con);
    auto& first = list.at("+12125550700");
    CHECK(first.at("result") == "answer");
    CHECK(num(first, "attempts") == 1);
    // The customer was reached: the chain's other number is cancelled, never dialed.
    auto& second = list.at("+12125550701");
    CHECK(second.at("status") == "cancelled");
    CHECK(num(second, "attempts") == 0);
    CHECK(ann.calls() == 1);
    CHECK(field(con.ask("campaign status spring"), "dialed") == 1);
  }
  SUBCASE("busy configured final") {
    auto dir = temp_dir();
    auto eng = start_engine_toml(
      center("progressive", R"(treatments = [{ result = "busy", action = "final" }]
)"),
      always("busy", {"engine.data_dir=" + dir}));
    console_conn con{eng->console_port()};
    import_csv(con, dir, "phone,tz,customer\n+12125550710,UTC,a\n", 1);
    auto_agent ann{eng->port(listener_kind::interaction), "ann"};
    ann.ready();
    con.ask("campaign start spring");
    row r;
    REQUIRE(eventually([&] {
      r = exported(con).at("+12125550710");
      return r.at("status") == "updated";
    }, 10s));
    // Final ("updated"): the default would have left it ready for a retry in 5 minutes.
    CHECK(r.at("result") == "busy");
    CHECK(num(r, "attempts") == 1);
    CHECK(field(con.ask("campaign status spring"), "dialed") == 1);
  }
}

TEST_CASE("chained records: a customer's three numbers are dialed one at a time, in order, "
          "through next") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center("progressive"), always("sit", {"engine.data_dir=" + dir}));
  console_conn con{eng->console_port()};
  // Positions given out of file order; two agents free, so only the chain holds them back.
  import_csv(con, dir, "phone,tz,customer,chain,chain_n\n"
                       "+12125550803,UTC,c8,42,3\n"
                       "+12125550801,UTC,c8,42,1\n"
                       "+12125550802,UTC,c8,42,2\n", 3);
  auto waiting = exported(con);
  CHECK(num(waiting.at("+12125550801"), "sched") == 0);
  CHECK(num(waiting.at("+12125550802"), "sched") == storage::chain_waiting_ms / 1000);
  CHECK(num(waiting.at("+12125550803"), "sched") == storage::chain_waiting_ms / 1000);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  auto_agent bob{eng->port(listener_kind::interaction), "bob"};
  ann.ready();
  bob.ready();
  con.ask("campaign start spring");

  std::map<std::string, row> list;
  REQUIRE(eventually([&] {
    list = exported(con);
    return list.at("+12125550803").at("status") == "updated";
  }, 20s));
  // The history: each number one dial and one SIT result, each dialed after the one before
  // it had its result.
  std::int64_t previous_end = 0;
  for (auto phone : {"+12125550801", "+12125550802", "+12125550803"}) {
    CAPTURE(phone);
    auto& r = list.at(phone);
    CHECK(r.at("status") == "updated");
    CHECK(r.at("result") == "sit");
    CHECK(num(r, "attempts") == 1);
    auto h = history(*eng, std::stoull(r.at("record_id")));
    REQUIRE(h.size() == 2);
    CHECK(h[0].call_result == 0);
    CHECK(h[1].call_result == result_of(storage::call_result::sit));
    CHECK(h[0].chain_id == 42);
    CHECK(h[0].customer_id == "c8");
    CHECK(h[0].started_ms >= previous_end);
    CHECK(h[1].started_ms >= h[0].started_ms);
    previous_end = h[1].started_ms;
  }
  CHECK(field(con.ask("campaign status spring"), "dialed") == 3);
  con.ask("campaign stop spring");
}

TEST_CASE("stale records: after kill -9 the next parleyd makes the leased records ready and "
          "dials them") {
  auto toml = center("progressive");
  auto first = parleyd_process::with_toml(toml, always("answer"));
  auto dir = first->dir();
  auto file = write_list(dir + "/var", 30);
  auto ask1 = [&](const std::string& c) { return first->console(c); };
  REQUIRE(ask1("list import spring " + file).find("30 imported") != std::string::npos);
  // Nobody logged in: the campaign leases a chunk and holds it, undialed.
  REQUIRE(ask1("campaign start spring").find("running") != std::string::npos);
  REQUIRE(eventually([&] {
    auto list = exported(ask1);
    for (auto& [p, r] : list)
      if (r.at("status") != "retrieved")
        return false;
    return list.size() == 30;
  }, 10s));
  first->proc().signal(SIGKILL);
  REQUIRE(first->proc().wait(10s));
  first.reset();

  auto second = parleyd_process::with_toml(toml, always("answer"), dir);
  auto ask2 = [&](const std::string& c) { return second->console(c); };
  auto list = exported(ask2);
  CHECK(list.size() == 30);
  for (auto& item : list) {
    const auto& p = item.first;
    const auto& r = item.second;
    CAPTURE(p);
    CHECK(r.at("status") == "ready");
    CHECK(num(r, "attempts") == 0);
  }
  CHECK(second->log().find("30 record(s) the last run left retrieved are ready again")
        != std::string::npos);
  REQUIRE(ask2("campaign start spring").find("running") != std::string::npos);
  auto_agent ann{second->port("interaction"), "ann"};
  ann.ready();
  CHECK(eventually([&] { return ann.calls() >= 3; }, 15s));
  {
    std::lock_guard lock{ann.mx};
    for (auto& o : ann.offered)
      CHECK(list.count(o.at("phone")) == 1);
  }
  ask2("campaign stop spring");
}
