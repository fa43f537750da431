// Outbound campaigns against the real engine over TCP: a contact list imported through the
// console, agents on real desktop connections, the simulated telephony gateway on scaled
// time, campaigns controlled from the console, results in /metrics and the list export.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "support/child.hpp"
#include "support/console_conn.hpp"
#include "integration/outbound_support.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::campaigns;
using engine::listener_kind;

TEST_CASE("progressive: calls only for reserved agents, answered calls reach them with the record") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center("progressive"), {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  auto file = write_list(dir, 40);
  REQUIRE(con.ask("list import spring " + file).find("40 imported") != std::string::npos);
  CHECK(con.ask("campaign status spring").find("campaign spring loaded progressive") == 0);
  CHECK(con.ask("campaign start spring").find("campaign spring running") == 0);

  // Nobody ready: nothing is dialed.
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  std::this_thread::sleep_for(300ms);
  CHECK(field(con.ask("campaign status spring"), "dialed") == 0);

  auto_agent bob{eng->port(listener_kind::interaction), "bob"};
  ann.ready();
  bob.ready();
  CHECK(eventually([&] { return ann.calls() + bob.calls() >= 6; }, 20s));
  // Never more calls than agents holding them: one each at most.
  for (int i = 0; i < 20; ++i) {
    auto s = con.ask("campaign status spring");
    CHECK(field(s, "in_flight") <= 2);
    std::this_thread::sleep_for(20ms);
  }
  CHECK(ann.most <= 1);
  CHECK(bob.most <= 1);
  {
    std::lock_guard lock{ann.mx};
    REQUIRE_FALSE(ann.offered.empty());
    auto& p = ann.offered.front();
    CHECK(p.at("campaign") == "spring");
    CHECK(p.at("phone").rfind("+1212555", 0) == 0);
    CHECK(p.at("custom").find("\"plan\":\"gold\"") != std::string::npos);
  }
  auto st = con.ask("campaign pause spring");
  CHECK(st.find("campaign spring paused") == 0);
  CHECK(con.ask("campaign pause spring").rfind("error: ", 0) == 0);
  CHECK(con.ask("campaign resume spring").find("running") != std::string::npos);
  auto stopped = con.ask("campaign stop spring");
  CHECK(stopped.find("campaign spring stopped") == 0);
  CHECK(field(stopped, "abandoned") == 0);
  CHECK(con.ask("show campaigns").find("1 campaign(s)") != std::string::npos);

  auto metrics = http_get(eng->metrics_port(), "/metrics").body;
  CHECK(metrics.find("parley_dials_total") != std::string::npos);
  CHECK(metrics.find("parley_compliance_decisions_total{decision=\"allowed\"}") != std::string::npos);
  std::string spring = "campaign=\"spring\",tenant=\"default\"";
  CHECK(eventually([&] {
    auto m = http_get(eng->metrics_port(), "/metrics").body;
    return metric_value(m, "parley_dial_attempts_total{result=\"hangup\"}") >= 1
           && metric_value(m, "parley_campaign_dial_attempts_total{" + spring
                                + ",result=\"hangup\"}")
                >= 1;
  }, 10s));
  // The campaign's own families: its state and its attempts by result.
  auto m = http_get(eng->metrics_port(), "/metrics").body;
  CAPTURE(m);
  CHECK(metric_value(m, "parley_campaign_state{" + spring + ",state=\"stopped\"}") == 1);
  CHECK(metric_value(m, "parley_campaign_state{" + spring + ",state=\"running\"}") == 0);
  CHECK(metric_value(m, "parley_campaign_dials_total{" + spring + "}") >= 1);
  CHECK(metric_value(m, "parley_campaign_dial_attempts_total{" + spring + ",result=\"abandoned\"}")
        == 0);
}

TEST_CASE("campaign statistics on 2060 count the campaign's ended attempts and answers") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center("progressive"), {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  REQUIRE(con.ask("list import spring " + write_list(dir, 12)).find("12 imported") != std::string::npos);
  connected_client board{eng->port(listener_kind::stat), wire::ClientType::stat_client};
  auto open = [&](const std::string& object, const std::string& metric) {
    return board.cl->request([=](protocol::encoder& e, std::uint64_t ref) {
                      auto& fbb = e.start();
                      auto id = fbb.CreateString(object);
                      auto m = fbb.CreateString(metric);
                      return e.finish(ref, wire::CreateOpenStat(fbb, wire::StatObjectType::campaign,
                                                                id, m));
                    }).get();
  };
  CHECK(open("nowhere", "dial_attempts").error_code() == wire::ErrorCode::unknown_id);
  auto attempts = open("spring", "dial_attempts");
  auto answers = open("spring", "dial_answers");
  REQUIRE(attempts.as<wire::StatOpened>());
  REQUIRE(answers.as<wire::StatOpened>());
  auto peek = [&](const client::answer& opened) {
    auto id = opened.as<wire::StatOpened>()->stat_id();
    auto a = board.cl->request([=](protocol::encoder& e, std::uint64_t ref) {
                       return e.finish(ref, wire::CreatePeekStat(e.start(), id));
                     }).get();
    return a.as<wire::StatInfo>() ? a.as<wire::StatInfo>()->value() : -1.0;
  };
  CHECK(peek(attempts) == 0);

  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  con.ask("campaign start spring");
  REQUIRE(eventually([&] { return field(con.ask("campaign status spring"), "answered") >= 2; }, 20s));
  con.ask("campaign stop spring");
  // Every call under way ends; then the statistics hold what the campaign counted.
  std::string s;
  REQUIRE(eventually([&] {
    s = con.ask("campaign status spring");
    return field(s, "in_flight") == 0;
  }, 20s));
  CHECK(eventually([&] { return peek(attempts) == double(field(s, "dialed")); }));
  CHECK(peek(answers) == double(field(s, "answered") + field(s, "abandoned")));
  CHECK(peek(attempts) >= 2);
}

TEST_CASE("do-not-call by phone and by customer: those records are never dialed") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center("progressive"), {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  auto file = write_list(dir, 10);
  CHECK(con.ask("dnc add phone +12125551003") == "phone +12125551003 added\n");
  CHECK(con.ask("dnc add customer c7") == "customer c7 added\n");
  CHECK(con.ask("dnc check phone +12125551003").find(" is on the") != std::string::npos);
  CHECK(con.ask("dnc add phone 12") .rfind("error: ", 0) == 0);
  // A suppression file: one good number, one bad row (reported, the rest taken).
  std::ofstream{dir + "/import/dnc.csv"} << "phone,note\n+12125551005,asked\nnot-a-number,x\n";
  auto imported = con.ask("dnc import phone dnc.csv");
  CHECK(imported.find("dnc phone: 2 row(s) read, 1 added, 1 rejected") == 0);
  CHECK(imported.find("line 3") != std::string::npos);
  CHECK(con.ask("dnc import phone ../../etc/passwd").find("outside the import directory") != std::string::npos);
  CHECK(con.ask("dnc check phone +12125551005").find(" is on the") != std::string::npos);
  REQUIRE(con.ask("list import spring " + file).find("10 imported") != std::string::npos);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  con.ask("campaign start spring");
  CHECK(eventually([&] { return field(con.ask("campaign status spring"), "denied") == 3; }, 10s));
  CHECK(eventually([&] { return ann.calls() >= 3; }, 20s));
  con.ask("campaign stop spring");
  std::lock_guard lock{ann.mx};
  for (auto& p : ann.offered) {
    CHECK(p.at("phone") != "+12125551003");
    CHECK(p.at("phone") != "+12125551005");
    CHECK(p.at("customer_id") != "c7");
  }
  auto metrics = http_get(eng->metrics_port(), "/metrics").body;
  CHECK(metrics.find("parley_compliance_decisions_total{decision=\"suppressed_phone\"} 2") != std::string::npos);
  CHECK(metrics.find("parley_compliance_decisions_total{decision=\"suppressed_customer\"} 1") != std::string::npos);
}

TEST_CASE("predictive: dials ahead of agents and keeps going; console errors are one line") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center("predictive"), {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  auto file = write_list(dir, 200);
  REQUIRE(con.ask("list import spring " + file).find("200 imported") != std::string::npos);
  std::vector<std::unique_ptr<auto_agent>> agents;
  for (auto id : {"a1", "a2", "a3", "a4"}) {
    agents.push_back(std::make_unique<auto_agent>(eng->port(listener_kind::interaction), id));
    agents.back()->ready();
  }
  con.ask("campaign start spring");
  CHECK(eventually([&] { return field(con.ask("campaign status spring"), "answered") >= 10; }, 30s));
  auto s = con.ask("campaign stop spring");
  CHECK(field(s, "dialed") > field(s, "answered"));
  CHECK(con.ask("campaign start nowhere").rfind("error: no campaign named nowhere", 0) == 0);
  CHECK(con.ask("campaign jump spring").rfind("error: ", 0) == 0);
  CHECK(con.ask("campaign stop spring").rfind("error: ", 0) == 0);  // stopped already
}

TEST_CASE("predictive: dialing stops at once when every agent goes not ready") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center("predictive"), {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  REQUIRE(con.ask("list import spring " + write_list(dir, 400)).find("400 imported") != std::string::npos);
  std::vector<std::unique_ptr<auto_agent>> agents;
  for (auto id : {"a1", "a2", "a3", "a4"}) {
    agents.push_back(std::make_unique<auto_agent>(eng->port(listener_kind::interaction), id));
    agents.back()->ready();
  }
  con.ask("campaign start spring");
  REQUIRE(eventually([&] { return field(con.ask("campaign status spring"), "answered") >= 8; }, 30s));
  for (auto& a : agents)
    a->not_ready();
  // A tick (100 ms of domain time) to see it; calls dialed before may still ring.
  std::this_thread::sleep_for(100ms);
  auto dialed = field(con.ask("campaign status spring"), "dialed");
  std::this_thread::sleep_for(1s);  // 20 s of domain time: about 10 ring times
  auto s = con.ask("campaign status spring");
  CHECK(field(s, "dialed") == dialed);
  CHECK(s.find(" agents=0/0 ") != std::string::npos);
  // Back to ready: dialing resumes.
  for (auto& a : agents)
    a->ready();
  CHECK(eventually([&] { return field(con.ask("campaign status spring"), "dialed") > dialed; }, 10s));
}

TEST_CASE("a campaign whose list does not exist does not start") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(center("progressive"), {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  CHECK(con.ask("campaign start spring").rfind("error: unknown_id: no contact list named spring", 0) == 0);
  CHECK(con.ask("campaign status spring").find(" loaded ") != std::string::npos);
}

TEST_CASE("the job scheduler starts a campaign at its cron time") {
  auto dir = temp_dir();
  // Every minute of domain time: 3 s of real time at 20x.
  auto eng = start_engine_toml(center("progressive", R"(
[[schedule]]
cron = "* * * * *"
zone = "America/New_York"
action = "start"
campaign = "spring"
)"),
                               {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  auto file = write_list(dir, 5);
  REQUIRE(con.ask("list import spring " + file).find("5 imported") != std::string::npos);
  CHECK(eventually([&] { return con.ask("campaign status spring").find(" running ") != std::string::npos; },
                   10s));
}

TEST_CASE("a disabled schedule entry does not fire until it is enabled again") {
  auto dir = temp_dir();
  // Every minute of domain time: 3 s of real time at 20x.
  auto eng = start_engine_toml(center("progressive", R"(
[[schedule]]
cron = "* * * * *"
action = "start"
campaign = "spring"
)"),
                               {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  auto disabled = con.ask("schedule disable 0");
  REQUIRE(disabled.rfind("schedule 0 disabled \"* * * * *\" UTC start campaign spring next=-", 0) == 0);
  // What it did before the disable (a firing may have come first) stays as it was.
  auto last = disabled.substr(disabled.find(" last="));
  // Entry 0's line (retention's entry follows it).
  auto first_line = [&] {
    auto status = con.ask("schedule status");
    return status.substr(0, status.find('\n') + 1);
  };
  std::this_thread::sleep_for(7s);  // two firings' worth
  CHECK(first_line().find(last) != std::string::npos);
  REQUIRE(con.ask("schedule enable 0").rfind("schedule 0 enabled", 0) == 0);
  // The firing stamps its time at once and its result when the campaign answers: wait for both.
  CHECK(eventually(
    [&] {
      auto status = first_line();
      return status.find(last) == std::string::npos
             && status.find("result=\"start campaign spring: ") != std::string::npos;
    },
    10s));
}

TEST_CASE("the job scheduler imports a dropped list file at its cron time, once") {
  auto dir = temp_dir();
  // Every minute of domain time: 3 s of real time at 20x.
  auto eng = start_engine_toml(center("progressive", R"(
[[schedule]]
cron = "* * * * *"
action = "import"
list = "spring"
file = "spring.csv"
mapping = "customer=customer"
)"),
                               {"engine.data_dir=" + dir});
  console_conn con{eng->console_port()};
  write_list(dir, 7);
  // The import creates the list first and commits its records after: wait for both.
  CHECK(eventually([&] { return con.ask("show lists").find("spring                  7 ") != std::string::npos; },
                   10s));
  // Renamed once imported: the next firing finds nothing and imports nothing twice.
  CHECK(eventually([&] { return !std::filesystem::exists(dir + "/import/spring.csv"); }));
  bool renamed = false;
  for (auto& e : std::filesystem::directory_iterator(dir + "/import"))
    renamed |= e.path().filename().string().rfind("spring.csv.imported-", 0) == 0;
  CHECK(renamed);
  std::this_thread::sleep_for(3500ms);  // one more firing
  CHECK(con.ask("show lists").find("spring                  7 ") != std::string::npos);
}
