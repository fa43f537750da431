// SMS and email campaigns against the real engine over TCP: messages sent through a
// registered dial_gateway client (what it is asked to send) or the simulated gateway; the
// calling hours bind texts but not email; each media has its own do-not-call kinds; an
// opt-out puts the recipient on its media's list; an email record without an address is
// cancelled.
#include <doctest/doctest.h>

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

double message_decisions(engine::engine& eng, const std::string& decision) {
  return metric(eng.metrics_port(),
                "parley_compliance_decisions_total{decision=\"" + decision + "\"}");
}

} // namespace

TEST_CASE("an SMS campaign honours calling hours and its media's do-not-call lists; an opt-out is listed") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(R"(
[engine]
clock_scale = 20
[[queues]]
name = "sales"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1 }
[outbound.gateway]
kind = "external"
[[campaigns]]
name = "texts"
lists = ["texts"]
media = "sms"
message = "Hi {first}, call us back on {{0800}} about {phone}."
caller_id = "+1 212 555 0199"
messages_per_second = 50
[[campaigns]]
name = "calls"
lists = ["calls"]
queue = "sales"
window = "00:00-24:00"
)", {"engine.data_dir=" + dir, "engine.clock_start=\"2026-06-10T14:00:00Z\""});
  auto port = eng->port(listener_kind::interaction);
  console_conn con{eng->console_port()};
  // 14:00 UTC: 10:00 in New York (inside the default 08:00-21:00), 22:00 in Shanghai.
  auto texts = write_csv(dir, "phone,tz,customer,first\n"
                              "+12125550100,America/New_York,c0,Ann\n"
                              "+12125550101,America/New_York,c1,Bob\n"
                              "+12125550102,America/New_York,c2,Cy\n"
                              "+12125550103,America/New_York,c3,Di\n"
                              "+8613800000100,Asia/Shanghai,c4,Ed\n", "texts.csv");
  REQUIRE(con.ask("list import texts " + texts).find("5 imported") != std::string::npos);
  auto calls = write_csv(dir, "phone,tz\n+12125550102,America/New_York\n", "calls.csv");
  REQUIRE(con.ask("list import calls " + calls).find("1 imported") != std::string::npos);
  // 0101 may be neither called nor texted; 0102 may be called, not texted.
  CHECK(con.ask("dnc add phone +12125550101").find("added") != std::string::npos);
  CHECK(con.ask("dnc add sms +1 212-555-0102").find("error") != std::string::npos);  // as stored only
  CHECK(con.ask("dnc add sms +12125550102").find("added") != std::string::npos);
  CHECK(con.ask("dnc add fax +12125550102").find("error") != std::string::npos);

  test_gateway gw{port};
  REQUIRE(gw.offer(100, {"sms", "voice"}).ok());
  auto_agent ann{port, "ann"};
  ann.ready();
  REQUIRE(con.ask("campaign start texts").find("running") != std::string::npos);
  REQUIRE(con.ask("campaign start calls").find("running") != std::string::npos);
  CHECK(eventually([&] { return gw.dial_count() == 3; }, 10s));  // two texts, one call
  std::this_thread::sleep_for(200ms);
  CHECK(gw.dial_count() == 3);
  auto ann_text = gw.to("+12125550100");
  REQUIRE(ann_text);
  CHECK(ann_text->media == "sms");
  CHECK(ann_text->text == "Hi Ann, call us back on {0800} about +12125550100.");
  CHECK(ann_text->caller_id == "+12125550199");
  REQUIRE(gw.to("+12125550103"));
  CHECK_FALSE(gw.to("+12125550101"));      // on the phone list: no media
  CHECK_FALSE(gw.to("+8613800000100"));    // 22:00 local: waits for 08:00
  auto call = gw.to("+12125550102");       // on the sms list only: the voice campaign calls it
  REQUIRE(call);
  CHECK(call->media == "voice");
  CHECK(call->text.empty());
  CHECK(message_decisions(*eng, "suppressed_phone") == 2);
  CHECK(message_decisions(*eng, "outside_window") == 1);

  // Ann replies STOP; Di's text is delivered.
  auto a = gw.report(ann_text->call, wire::CallEvent::opted_out);
  CHECK_MESSAGE(a.ok(), a.error_text());
  a = gw.report(gw.to("+12125550103")->call, wire::CallEvent::delivered);
  CHECK_MESSAGE(a.ok(), a.error_text());
  std::map<std::string, row> list;
  CHECK(eventually([&] {
    list = exported(con, "texts");
    return list.at("+12125550100").at("result") == "opted_out"
           && list.at("+12125550103").at("result") == "delivered";
  }, 10s));
  CHECK(list.at("+12125550100").at("status") == "updated");   // final: never texted again
  CHECK(list.at("+12125550103").at("status") == "updated");
  CHECK(list.at("+12125550101").at("status") == "cancelled");
  CHECK(list.at("+8613800000100").at("status") == "ready");
  CHECK(num(list.at("+8613800000100"), "attempts") == 0);
  CHECK(eventually([&] {
    return con.ask("dnc check sms +12125550100").find(" is on the do-not-call list") != std::string::npos;
  }, 10s));
  CHECK(con.ask("dnc check phone +12125550100").find("is not on") != std::string::npos);
  auto m = http_get(eng->metrics_port(), "/metrics").body;
  CHECK(metric_value(m, "parley_dial_attempts_total{result=\"opted_out\"}") == 1);
  CHECK(metric_value(m, "parley_dial_attempts_total{result=\"delivered\"}") == 1);
  con.ask("campaign stop texts");
  con.ask("campaign stop calls");
}

TEST_CASE("an email campaign writes to the record's address at any hour; no address, no email") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(R"(
[engine]
clock_scale = 20
[outbound.gateway]
delivered = 1.0
undeliverable = 0.0
opted_out = 0.0
ring_mean_ms = 1000
[[campaigns]]
name = "news"
lists = ["news"]
media = "email"
subject = "News for {first}"
message = "Dear {first}, ..."
caller_id = "News@Example.com"
)", {"engine.data_dir=" + dir, "engine.clock_start=\"2026-06-10T14:00:00Z\""});
  console_conn con{eng->console_port()};
  auto file = write_csv(dir, "phone,tz,first,email\n"
                             "+8613800000100,Asia/Shanghai,Ed,ed@example.cn\n"
                             "+12125550100,America/New_York,Ann,\n"
                             "+12125550101,America/New_York,Bob,not an address\n"
                             "+12125550102,America/New_York,Cy,CY@Example.com\n", "news.csv");
  REQUIRE(con.ask("list import news " + file).find("4 imported") != std::string::npos);
  CHECK(con.ask("dnc add email cy@example.com").find("added") != std::string::npos);
  CHECK(con.ask("dnc check email CY@example.COM").find(" is on the do-not-call list") != std::string::npos);
  REQUIRE(con.ask("campaign start news").find("running") != std::string::npos);
  std::map<std::string, row> list;
  CHECK(eventually([&] {
    list = exported(con, "news");
    return list.at("+8613800000100").at("result") == "delivered";
  }, 10s));
  // 22:00 in Shanghai: email is not bound by calling hours.
  CHECK(list.at("+8613800000100").at("status") == "updated");
  CHECK(num(list.at("+8613800000100"), "attempts") == 1);
  // No valid address: cancelled, never sent; an address on the email list: cancelled.
  CHECK(eventually([&] {
    list = exported(con, "news");
    return list.at("+12125550100").at("status") == "cancelled"
           && list.at("+12125550101").at("status") == "cancelled"
           && list.at("+12125550102").at("status") == "cancelled";
  }, 10s));
  CHECK(message_decisions(*eng, "no_address") == 2);
  CHECK(message_decisions(*eng, "suppressed_phone") == 1);
  CHECK(field(con.ask("campaign status news"), "dialed") == 1);
  con.ask("campaign stop news");
}

TEST_CASE("message campaigns: what the config refuses") {
  auto refused = [](const std::string& campaign) {
    try {
      engine::parse_config("[[campaigns]]\nname = \"m\"\nlists = [\"m\"]\n" + campaign, "t.toml");
    } catch (const engine::config_error& e) {
      return std::string{e.what()};
    }
    return std::string{};
  };
  CHECK(refused("media = \"sms\"\n").find("campaigns[0].message") != std::string::npos);
  CHECK(refused("media = \"email\"\nmessage = \"x\"\n").find("subject") != std::string::npos);
  CHECK(refused("media = \"email\"\nmessage = \"x\"\nsubject = \"s\"\ncaller_id = \"+12125550100\"\n")
          .find("caller_id") != std::string::npos);
  CHECK(refused("queue = \"q\"\nmessage = \"x\"\n").find("only sms and email") != std::string::npos);
  CHECK(refused("message = \"x\"\n").find("queue") != std::string::npos);
  CHECK(refused("media = \"sms\"\nmessage = \"x\"\n").empty());
}
