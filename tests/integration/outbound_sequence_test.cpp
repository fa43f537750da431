// Campaign sequences against the real engine over TCP: two campaigns run one after another
// (the next when the first has nothing left; when nothing is due now; at a cron time), and
// the operator stays in charge (a step's campaign stopped by hand stops the sequence).
#include <doctest/doctest.h>

#include "integration/outbound_support.hpp"
#include "support/child.hpp"
#include "support/console_conn.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::campaigns;
using engine::listener_kind;

namespace {

/// spring (list spring) and autumn (list autumn) on queue sales, in a sequence "drive".
std::string two_campaigns(const std::string& steps) {
  return center("progressive", R"(
[[campaigns]]
name = "autumn"
lists = ["autumn"]
mode = "progressive"
queue = "sales"
window = "00:00-24:00"
lease_chunk = 50
[[sequences]]
name = "drive"
steps = )" + steps + "\n");
}

/// `rows` numbers from `first` on, as a CSV for list import.
std::string numbers(int first, int rows) {
  std::string csv = "phone,tz,customer\n";
  for (int i = 0; i < rows; ++i)
    csv += "+1212555" + std::to_string(first + i) + ",UTC,c" + std::to_string(first + i) + "\n";
  return csv;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("a sequence runs its campaigns one after another: the next once the first has "
          "nothing left to dial") {
  auto dir = temp_dir();
  auto eng = start_engine_toml(two_campaigns(R"([{ campaign = "spring" }, { campaign = "autumn" }])"),
                               always("answer", {"engine.data_dir=" + dir}));
  console_conn con{eng->console_port()};
  REQUIRE(has(con.ask("list import spring " + write_csv(dir, numbers(1000, 6))), "6 imported"));
  REQUIRE(has(con.ask("list import autumn " + write_csv(dir, numbers(2000, 4), "autumn.csv")),
              "4 imported"));
  CHECK(has(con.ask("show sequences"), "sequence drive idle step=0/2"));
  CHECK(metric(eng->metrics_port(), R"(parley_sequence_state{sequence="drive",state="idle"})") == 1);
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  auto started = con.ask("sequence start drive");
  CHECK_MESSAGE(has(started, "sequence drive running step=1/2 campaign=spring until=exhausted"),
                started);
  CHECK(has(con.ask("sequence start drive"), "error: wrong_state: sequence drive is running: stop it first"));
  REQUIRE(eventually([&] { return has(con.ask("sequence status drive"), " finished "); }, 30s));
  auto status = con.ask("sequence status drive");
  CHECK_MESSAGE(has(status, "step=2/2 campaign=autumn"), status);
  CHECK_MESSAGE(has(status, "step 2 (campaign autumn) ended: nothing left to dial"), status);
  auto port = eng->metrics_port();
  CHECK(metric(port, R"(parley_sequence_state{sequence="drive",state="finished"})") == 1);
  CHECK(metric(port, R"(parley_sequence_state{sequence="drive",state="running"})") == 0);
  CHECK(metric(port, R"(parley_sequence_step{sequence="drive"})") == 2);
  REQUIRE(ann.calls() == 10);
  {
    // Every call of the first campaign before any of the second.
    std::lock_guard lock{ann.mx};
    for (std::size_t i = 0; i < ann.offered.size(); ++i) {
      CAPTURE(i);
      CHECK(ann.offered[i].at("campaign") == (i < 6 ? "spring" : "autumn"));
    }
  }
  CHECK(has(con.ask("campaign status spring"), "campaign spring stopped"));
  CHECK(has(con.ask("campaign status autumn"), "campaign autumn stopped"));
  for (auto list : {"spring", "autumn"})
    for (auto& kv : exported(con, list)) {
      const auto& phone = kv.first;  // a variable, not a binding: clang 14's CAPTURE
      auto& r = kv.second;
      CAPTURE(phone);
      CHECK(r.at("status") == "updated");
      CHECK(num(r, "attempts") == 1);
    }
}

TEST_CASE("a sequence step hands over when nothing is due now, or at its until_time; the "
          "operator stopping a step's campaign stops the sequence") {
  auto dir = temp_dir();
  // Nobody answers: every record is retried an hour later (the default treatment).
  auto eng = start_engine_toml(
    two_campaigns(R"([{ campaign = "spring", until = "idle" },
                      { campaign = "autumn", until = "time", until_time = "* * * * *" }])"),
    always("no_answer", {"engine.data_dir=" + dir}));
  console_conn con{eng->console_port()};
  REQUIRE(has(con.ask("list import spring " + write_csv(dir, numbers(1000, 3))), "3 imported"));
  REQUIRE(has(con.ask("list import autumn " + write_csv(dir, numbers(2000, 3), "autumn.csv")),
              "3 imported"));
  auto_agent ann{eng->port(listener_kind::interaction), "ann"};
  ann.ready();
  REQUIRE(has(con.ask("sequence start drive"), "running step=1/2 campaign=spring until=idle"));
  // Spring's records all tried once and due again in an hour: nothing due now, step 2 runs.
  REQUIRE(eventually([&] { return has(con.ask("sequence status drive"), "step=2/2"); }, 30s));
  auto status = con.ask("sequence status drive");
  CHECK_MESSAGE(has(status, "step 1 (campaign spring) ended: nothing due now"), status);
  CHECK_MESSAGE(has(status, "until=time since="), status);
  CHECK_MESSAGE(has(status, " until_time="), status);
  for (auto& kv : exported(con)) {
    const auto& phone = kv.first;
    auto& r = kv.second;
    CAPTURE(phone);
    CHECK(r.at("status") == "ready");  // due again later: "exhausted" would still wait
    CHECK(num(r, "attempts") == 1);
  }
  // The last step ends at the next whole minute of domain time (3 s at 20x).
  REQUIRE(eventually([&] { return has(con.ask("sequence status drive"), " finished "); }, 30s));
  status = con.ask("sequence status drive");
  CHECK_MESSAGE(has(status, "step 2 (campaign autumn) ended: its until_time * * * * * (UTC)"),
                status);
  CHECK(has(con.ask("campaign status autumn"), "campaign autumn stopped"));
  CHECK(ann.calls() == 0);

  CHECK(has(con.ask("sequence start drive 3"), "error: invalid_argument: sequence drive has 2 step(s)"));
  CHECK(has(con.ask("sequence start drive 0"), "STEP counts from 1"));
  CHECK(has(con.ask("sequence stop drive"), "error: wrong_state: sequence drive is finished: it is not running"));
  // Right after a whole minute, so that step 2's until_time is most of a minute away.
  auto now = eng->clk().now_ms();
  wait_domain(*eng, (now / 60'000 + 1) * 60'000 + 1'000);
  REQUIRE(has(con.ask("sequence start drive 2"), "running step=2/2 campaign=autumn"));
  REQUIRE(has(con.ask("campaign stop autumn"), "campaign autumn stopped"));
  CHECK(eventually([&] { return has(con.ask("sequence status drive"), " stopped "); }, 10s));
  status = con.ask("sequence status drive");
  CHECK_MESSAGE(has(status, "campaign autumn of step 2 was stopped outside the sequence"), status);
  // Started again and stopped by its own command: the step's campaign stops with it.
  REQUIRE(has(con.ask("sequence start drive 2"), "running step=2/2 campaign=autumn"));
  CHECK(has(con.ask("campaign status autumn"), "campaign autumn running"));
  CHECK(has(con.ask("sequence stop drive"), "sequence drive stopped step=2/2"));
  CHECK(eventually([&] { return has(con.ask("campaign status autumn"), "campaign autumn stopped"); },
                   10s));
}
