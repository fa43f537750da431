// Outbound campaigns against the real engine over TCP: a contact list imported through the
// console, agents on real desktop connections, the simulated telephony gateway on scaled
// time, campaigns controlled from the console, results in /metrics and the list export.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "support/child.hpp"
#include "support/console_conn.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;

namespace {

// Domain time runs 20x: a 2 s ring is 100 ms, a 4 s talk 200 ms.
std::string center(const std::string& mode, const std::string& extra = {}) {
  return R"(
[engine]
clock_scale = 20
[routing]
offer_timeout_ms = 10000
[[queues]]
name = "sales"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1 }
[outbound.gateway]
answer = 0.6
busy = 0.2
no_answer = 0.2
machine = 0.0
fax = 0.0
sit = 0.0
dropped = 0.0
ring_mean_ms = 2000
no_answer_after_ms = 4000
talk_mean_ms = 4000
[[campaigns]]
name = "spring"
lists = ["spring"]
mode = ")" + mode + R"("
queue = "sales"
window = "00:00-24:00"
lease_chunk = 50
)" + extra;
}

/// A desktop that logs in, goes ready and accepts every invite; it remembers the
/// properties of what it was offered and how many calls it held at once.
struct auto_agent {
  std::unique_ptr<connected_client> desk;
  std::mutex mx;
  std::vector<std::map<std::string, std::string>> offered;
  std::atomic<int> holding{0}, most{0};

  auto_agent(std::uint16_t port, const std::string& id) {
    desk = std::make_unique<connected_client>(port, wire::ClientType::agent_desktop);
    auto cl = desk->cl;
    cl->on_event([this, cl](const client::answer& a) {
      if (auto* inv = a.as<wire::Invite>()) {
        std::map<std::string, std::string> props;
        if (inv->info() && inv->info()->properties())
          for (auto* p : *inv->info()->properties())
            props[p->key()->str()] = p->text() ? p->text()->str() : std::to_string(p->number());
        {
          std::lock_guard lock{mx};
          offered.push_back(props);
        }
        auto n = ++holding;
        for (int m = most; n > m && !most.compare_exchange_weak(m, n);) {}
        auto iid = inv->info()->id();
        cl->request([iid](protocol::encoder& e, std::uint64_t ref) {
          return e.finish(ref, wire::CreateAccept(e.start(), iid));
        });
      } else if (a.as<wire::ProcessingStopped>()) {
        --holding;
      }
    });
    auto r = cl->request([id](protocol::encoder& e, std::uint64_t ref) {
                 auto& fbb = e.start();
                 auto agent = fbb.CreateString(id);
                 auto place = fbb.CreateString("p-" + id);
                 return e.finish(ref, wire::CreateAgentLogin(fbb, agent, place));
               }).get();
    REQUIRE(r.ok());
  }

  void ready() {
    auto r = desk->cl->request([](protocol::encoder& e, std::uint64_t ref) {
                   return e.finish(ref, wire::CreateAgentReady(e.start()));
                 }).get();
    REQUIRE(r.ok());
  }

  std::size_t calls() {
    std::lock_guard lock{mx};
    return offered.size();
  }
};

std::string write_list(const std::string& dir, int rows) {
  std::filesystem::create_directories(dir + "/import");
  std::ofstream f{dir + "/import/spring.csv"};
  f << "phone,tz,customer,plan\n";
  for (int i = 0; i < rows; ++i)
    f << "+1212555" << 1000 + i << ",UTC,c" << i << ",gold\n";
  return "spring.csv";
}

std::uint64_t field(const std::string& status, const std::string& key) {
  auto at = status.find(" " + key + "=");
  return at == std::string::npos ? 0 : std::stoull(status.substr(at + key.size() + 2));
}

} // namespace

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
  CHECK(eventually([&] {
    auto m = http_get(eng->metrics_port(), "/metrics").body;
    return m.find("parley_dial_attempts_total{result=\"hangup\"}") != std::string::npos;
  }, 10s));
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
  REQUIRE(con.ask("list import spring " + file).find("10 imported") != std::string::npos);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  con.ask("campaign start spring");
  CHECK(eventually([&] { return field(con.ask("campaign status spring"), "denied") == 2; }, 10s));
  CHECK(eventually([&] { return ann.calls() >= 3; }, 20s));
  con.ask("campaign stop spring");
  std::lock_guard lock{ann.mx};
  for (auto& p : ann.offered) {
    CHECK(p.at("phone") != "+12125551003");
    CHECK(p.at("customer_id") != "c7");
  }
  auto metrics = http_get(eng->metrics_port(), "/metrics").body;
  CHECK(metrics.find("parley_compliance_decisions_total{decision=\"suppressed_phone\"} 1") != std::string::npos);
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
