// External dialing gateways (outbound.gateway.kind = "external") against the real engine
// over TCP: dial_gateway clients register their lines, get DialRequests, report progress;
// dials are spread by free lines, none is placed without a line, a gateway that disconnects
// or forgets a call has it ended as failed, and the Python example gateway runs a campaign.
#include <doctest/doctest.h>

#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "integration/outbound_support.hpp"
#include "support/child.hpp"
#include "support/console_conn.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::campaigns;
using engine::listener_kind;

namespace {

std::string external_center(const std::string& mode, const std::string& extra = {}) {
  return center(mode, "caller_id = \"+1 212 555 0100\"\n" + extra);
}

const std::vector<std::string> external_sets(const std::string& dir) {
  return {"engine.data_dir=" + dir, "outbound.gateway.kind=\"external\""};
}

} // namespace

TEST_CASE("external gateway: nothing is placed without a line; dials spread over the gateways by free lines") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(external_center("progressive"), external_sets(dir));
  auto port = eng->port(listener_kind::interaction);
  console_conn con{eng->console_port()};
  REQUIRE(con.ask("list import spring " + write_list(dir, 30)).find("30 imported") != std::string::npos);
  CHECK(con.ask("show gateways").find("0 dialing gateway(s)") == 0);
  std::vector<std::unique_ptr<auto_agent>> desks;
  for (int i = 0; i < 6; ++i) {
    desks.push_back(std::make_unique<auto_agent>(port, "a" + std::to_string(i)));
    desks.back()->ready();
  }
  REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);
  // Agents are ready but no gateway has a line: dials are refused before they are placed —
  // no attempt, no history; the records wait.
  REQUIRE(eventually([&] { return metric(eng->metrics_port(), "parley_dials_not_placed_total") >= 3; }, 10s));
  CHECK(field(con.ask("campaign status spring"), "dialed") == 0);
  CHECK(metric(eng->metrics_port(), "parley_dials_total") == 0);
  for (auto& [phone, r] : exported(con))
    CHECK(num(r, "attempts") == 0);

  // Two gateways: 1 and 3 lines. Calls answered by nobody stay up (no reports): at most 4.
  test_gateway small{port}, big{port};
  REQUIRE(small.offer(1).ok());
  REQUIRE(big.offer(3).ok());
  CHECK(eventually([&] { return small.dial_count() + big.dial_count() == 4; }, 10s));
  std::this_thread::sleep_for(300ms);
  CHECK(small.dial_count() == 1);
  CHECK(big.dial_count() == 3);
  auto shown = con.ask("show gateways");
  CAPTURE(shown);
  CHECK(shown.find("media=voice lines=3 busy=3 dials=3 lost=0") != std::string::npos);
  CHECK(shown.find("lines=1 busy=1 dials=1 lost=0") != std::string::npos);
  CHECK(shown.find("2 dialing gateway(s)") != std::string::npos);
  CHECK(metric(eng->metrics_port(), "parley_dial_gateway_lines") == 4);
  CHECK(metric(eng->metrics_port(), "parley_dial_gateway_lines_busy") == 4);
  {
    std::lock_guard lock{big.mx};
    auto& d = big.requests.front();
    CHECK(d.phone.rfind("+1212555", 0) == 0);
    CHECK(d.caller_id == "+12125550100");
    CHECK(d.campaign == "spring");
    CHECK(d.media == "voice");
    CHECK(d.timeout_ms == 4000);  // outbound.gateway.no_answer_after_ms
  }
  // The progress of a call reaches its dialer session: busy ends it, the line is free again
  // and the next record is dial_seen on it.
  auto first = small.calls_up().at(0);
  CHECK(small.report(first, wire::CallEvent::ringing).ok());
  CHECK(small.report(first, wire::CallEvent::busy).ok());
  CHECK(eventually([&] { return small.dial_count() == 2; }, 10s));
  // A report for a call the gateway does not hold (any more), and one from the wrong gateway.
  CHECK(small.report(first, wire::CallEvent::no_answer).error_code() == wire::ErrorCode::unknown_id);
  CHECK(big.report(small.calls_up().at(0), wire::CallEvent::busy).error_code() == wire::ErrorCode::unknown_id);
  CHECK(eventually([&] {
    auto rows = exported(con);
    return std::any_of(rows.begin(), rows.end(), [](auto& kv) {
      return kv.second.at("result") == "busy" && num(kv.second, "attempts") == 1;
    });
  }, 10s));

  // Answered: the call reaches an agent; the agent's stop hangs the line up at the gateway.
  auto second = big.calls_up().at(0);
  CHECK(big.report(second, wire::CallEvent::answered).ok());
  CHECK(eventually([&] {
    std::size_t n = 0;
    for (auto& d : desks)
      n += d->calls();
    return n == 1;
  }, 10s));
  {
    std::lock_guard lock{big.mx};
    CHECK(big.hangups.count(second) == 0);  // the desk holds the call: the line stays up
  }
  // The customer hangs up: ended is the call's final event.
  CHECK(big.report(second, wire::CallEvent::ended).ok());
  CHECK(eventually([&] {
    auto m = http_get(eng->metrics_port(), "/metrics").body;
    return metric_value(m, "parley_dial_attempts_total{result=\"hangup\"}") == 1;
  }, 10s));
  // Drained: a gateway offering 0 lines gets no new calls; its calls up go on.
  REQUIRE(small.offer(0).ok());
  auto before = small.dial_count();
  for (auto c : big.calls_up())
    big.report(c, wire::CallEvent::no_answer);
  CHECK(eventually([&] { return big.dial_count() >= 6; }, 10s));
  CHECK(small.dial_count() == before);
  CHECK(big.most_up <= 3);
  con.ask("campaign stop spring");
}

TEST_CASE("external gateway: a gateway that disconnects mid-campaign has its calls ended as failed and their records retried; none is lost or stuck") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(external_center("progressive"), external_sets(dir));
  auto port = eng->port(listener_kind::interaction);
  console_conn con{eng->console_port()};
  REQUIRE(con.ask("list import spring " + write_list(dir, 12)).find("12 imported") != std::string::npos);
  std::vector<std::unique_ptr<auto_agent>> desks;
  for (int i = 0; i < 5; ++i) {
    desks.push_back(std::make_unique<auto_agent>(port, "d" + std::to_string(i)));
    desks.back()->ready();
  }
  auto offered = [&] {
    std::size_t n = 0;
    for (auto& d : desks)
      n += d->calls();
    return n;
  };
  auto holding = [&] {
    int n = 0;
    for (auto& d : desks)
      n += d->holding;
    return n;
  };
  auto dead = std::make_unique<test_gateway>(port);
  REQUIRE(dead->offer(5).ok());
  REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);
  REQUIRE(eventually([&] { return dead->dial_count() == 5; }, 10s));
  // The gateway goes away with 5 calls up (ringing and one answered, on an agent).
  auto held = dead->calls_up();
  REQUIRE(held.size() == 5);
  for (auto c : held)
    CHECK(dead->report(c, wire::CallEvent::ringing).ok());
  CHECK(dead->report(held[0], wire::CallEvent::answered).ok());
  CHECK(eventually([&] { return offered() == 1 && holding() == 1; }, 10s));
  dead->conn->cl->stop();
  CHECK(eventually([&] { return metric(eng->metrics_port(), "parley_dial_gateway_calls_lost_total") == 5; }, 10s));
  CHECK(eventually([&] { return field(con.ask("campaign status spring"), "in_flight") == 0; }, 10s));
  CHECK(metric(eng->metrics_port(), "parley_dial_gateways") == 0);
  CHECK(eventually([&] {
    auto m = http_get(eng->metrics_port(), "/metrics").body;
    return metric_value(m, "parley_dial_attempts_total{result=\"failed\"}") == 5;
  }, 10s));
  // The agent's call ended with its line.
  CHECK(eventually([&] { return holding() == 0; }, 10s));
  // Their records: attempted once, result error, ready again for a retry (the default
  // error treatment: 15 minutes later); the rest untouched (leased into the campaign's
  // buffer, no attempt: no line was free for them).
  auto rows = exported(con);
  int retried = 0;
  for (auto& [phone_, r] : rows) {
    std::string phone = phone_;  // CAPTURE's lambda may not capture a structured binding (clang)
    CAPTURE(phone);
    if (num(r, "attempts") == 1) {
      ++retried;
      CHECK(r.at("result") == "error");
      CHECK(r.at("status") == "ready");
    } else {
      CHECK(num(r, "attempts") == 0);
      CHECK(r.at("result") == "none");
    }
  }
  CHECK(retried == 5);

  // A new gateway that answers busy at once takes the rest; nothing is left behind.
  test_gateway good{port};
  good.answer_with = wire::CallEvent::busy;
  REQUIRE(good.offer(5).ok());
  CHECK(eventually([&] { return good.dial_count() >= 7; }, 15s));
  CHECK(eventually([&] { return field(con.ask("campaign status spring"), "in_flight") == 0; }, 10s));
  con.ask("campaign stop spring");
  rows = exported(con);
  CHECK(rows.size() == 12);
  for (auto& [phone_, r] : rows) {
    std::string phone = phone_;  // CAPTURE's lambda may not capture a structured binding (clang)
    CAPTURE(phone);
    CHECK(r.at("status") != "retrieved");
    CHECK(num(r, "attempts") == 1);
  }
}

TEST_CASE("external gateway: a call the gateway never ends is failed after its timeout and the grace, and hung up there") {
  auto dir = temp_dir();
  auto sets = external_sets(dir);
  sets.push_back("outbound.gateway.report_grace_ms=1000");  // 50 ms at clock_scale 20
  auto eng = start_engine_toml(external_center("progressive"), sets);
  auto port = eng->port(listener_kind::interaction);
  console_conn con{eng->console_port()};
  REQUIRE(con.ask("list import spring " + write_list(dir, 3)).find("3 imported") != std::string::npos);
  auto_agent ann{port, "ann"};
  ann.ready();
  test_gateway silent{port};
  REQUIRE(silent.offer(1).ok());
  REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);
  REQUIRE(eventually([&] { return silent.dial_count() >= 1; }, 10s));
  std::uint64_t call = 0;
  {
    std::lock_guard lock{silent.mx};
    call = silent.requests.front().call;
  }
  // 4 s of no answer + 1 s of grace on the domain clock: 250 ms, swept once a domain second.
  CHECK(eventually([&] {
    std::lock_guard lock{silent.mx};
    return silent.hangups.count(call) == 1;
  }, 10s));
  CHECK(metric(eng->metrics_port(), "parley_dial_gateway_calls_lost_total") >= 1);
  CHECK(con.ask("show gateways").find("lost=") != std::string::npos);
  con.ask("campaign stop spring");
}

TEST_CASE("dialing gateway requests: who may send them, and what is refused") {
  auto dir = temp_dir();
  SUBCASE("an engine on the simulated gateway refuses dialing gateways") {
    auto eng = start_engine_toml(center("progressive"), {"engine.data_dir=" + dir});
    test_gateway gw{eng->port(listener_kind::interaction)};
    auto a = gw.offer(10);
    CHECK(a.error_code() == wire::ErrorCode::wrong_state);
    CHECK(a.error_text().find("simulated") != std::string::npos);
    console_conn con{eng->console_port()};
    CHECK(con.ask("show gateways").find("simulated gateway: 100000 line(s)") == 0);
  }
  SUBCASE("no media, too many lines; other client types") {
    auto eng = start_engine_toml(external_center("progressive"), external_sets(dir));
    auto port = eng->port(listener_kind::interaction);
    test_gateway gw{port};
    CHECK(gw.offer(10, {}).error_code() == wire::ErrorCode::invalid_argument);
    CHECK(gw.offer(100'001).error_code() == wire::ErrorCode::invalid_argument);
    CHECK(gw.offer(10, {"sms", "voice", "voice"}).ok());
    console_conn con{eng->console_port()};
    CHECK(con.ask("show gateways").find("media=sms,voice lines=10") != std::string::npos);
    CHECK(gw.report(42, wire::CallEvent::busy).error_code() == wire::ErrorCode::unknown_id);
    connected_client desk{port, wire::ClientType::agent_desktop};
    auto r = desk.cl->request([](protocol::encoder& e, std::uint64_t ref) {
                       return e.finish(ref, wire::CreateCallProgress(e.start(), 1, wire::CallEvent::busy));
                     }).get();
    CHECK(r.error_code() == wire::ErrorCode::wrong_client_type);
  }
  SUBCASE("a campaign's caller_id must be a phone number") {
    auto toml = center("progressive", "caller_id = \"call me\"\n");
    try {
      engine::parse_config(toml, "t.toml");
      FAIL("a caller_id that is no number was taken");
    } catch (const engine::config_error& e) {
      CHECK(std::string{e.what()}.find("caller_id") != std::string::npos);
    }
  }
}

TEST_CASE("the Python example gateway runs a campaign to its end") {
  auto dir = temp_dir();
  // Busy is final here (one attempt per record): the campaign runs dry.
  auto eng = start_engine_toml(
    external_center("progressive", "[[campaigns.treatments]]\nresult = \"busy\"\naction = \"final\"\n"),
    external_sets(dir));
  auto port = eng->port(listener_kind::interaction);
  console_conn con{eng->console_port()};
  REQUIRE(con.ask("list import spring " + write_list(dir, 20)).find("20 imported") != std::string::npos);
  auto_agent ann{port, "ann"}, bob{port, "bob"};
  ann.ready();
  bob.ready();
  // Answered calls reach the desks, which hold them until the customer hangs up (talk 100 ms).
  REQUIRE(con.ask("campaign start spring").find("running") != std::string::npos);
  auto py_dir = binary_dir() + "/protocol/python";
  auto log = dir + "/dial_gateway.log";
  child py{{"/usr/bin/env", "PYTHONPATH=" + py_dir, "/usr/bin/python3",
            source_dir() + "/protocol/python/dial_gateway.py", "--port", std::to_string(port),
            "--lines", "4", "--mix", "answered=0.5,busy=0.5", "--ring-ms", "20", "--talk-ms",
            "100", "--idle-exit-s", "2", "--duration-s", "60"},
           log};
  // Every record gets its call: the campaign runs dry, the gateway idles and exits.
  CHECK(eventually([&] {
    auto m = http_get(eng->metrics_port(), "/metrics").body;
    return metric_value(m, "parley_dial_attempts_total{result=\"busy\"}")
             + metric_value(m, "parley_dial_attempts_total{result=\"hangup\"}")
           >= 20;
  }, 40s));
  auto code = py.wait(20s);
  auto out = read_file(log);
  CAPTURE(out);
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(out.find("registered: 4 line(s) for voice") != std::string::npos);
  CHECK(out.find("calls 20 ") != std::string::npos);
  CHECK(out.find(" errors 0") != std::string::npos);
  CHECK(ann.calls() + bob.calls() > 0);
  con.ask("campaign stop spring");
  for (auto& [phone_, r] : exported(con)) {
    std::string phone = phone_;  // CAPTURE's lambda may not capture a structured binding (clang)
    CAPTURE(phone);
    CHECK(num(r, "attempts") == 1);
    CHECK((r.at("result") == "busy" || r.at("result") == "answer"));
  }
}

TEST_CASE("the Python example gateway sends an SMS campaign's texts") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(R"(
[engine]
clock_scale = 20
[outbound.gateway]
kind = "external"
[[campaigns]]
name = "texts"
lists = ["texts"]
media = "sms"
message = "Your appointment is tomorrow, {first}."
window = "00:00-24:00"
)", {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  std::string csv = "phone,tz,first\n";
  for (int i = 0; i < 8; ++i)
    csv += "+1212555" + std::to_string(2000 + i) + ",UTC,P" + std::to_string(i) + "\n";
  REQUIRE(con.ask("list import texts " + write_csv(dir, csv, "texts.csv")).find("8 imported") != std::string::npos);
  REQUIRE(con.ask("campaign start texts").find("running") != std::string::npos);
  auto log = dir + "/sms_gateway.log";
  child py{{"/usr/bin/env", "PYTHONPATH=" + binary_dir() + "/protocol/python", "/usr/bin/python3",
            source_dir() + "/protocol/python/dial_gateway.py", "--port",
            std::to_string(eng->port(listener_kind::interaction)), "--media", "sms", "--lines", "3",
            "--message-mix", "delivered=1", "--ring-ms", "20", "--idle-exit-s", "1",
            "--duration-s", "60"},
           log};
  auto code = py.wait(30s);
  auto out = read_file(log);
  CAPTURE(out);
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(out.find("registered: 3 line(s) for sms") != std::string::npos);
  CHECK(out.find("calls 8 ") != std::string::npos);
  CHECK(out.find(" delivered 8 ") != std::string::npos);
  CHECK(eventually([&] {
    auto rows = exported(con, "texts");
    return std::all_of(rows.begin(), rows.end(), [](auto& kv) { return kv.second.at("result") == "delivered"; });
  }, 10s));
  con.ask("campaign stop texts");
}
