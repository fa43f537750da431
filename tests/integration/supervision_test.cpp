// Supervision (engine/README.md, "Supervision"), through the console's debug hook:
// - every long-lived actor family killed in a real parleyd (SQLite file, real TCP on port 0):
//   the process stops cleanly and exits 70, the log says what died; restarted on the same
//   data, every acknowledged interaction is back exactly once with its acknowledged
//   properties, and an agent gets each of them;
// - in process: the death is counted in /metrics and /readyz says 503 with the reason;
// - an interaction killed on its own is forgotten by its registry: a resubmit of its
//   external id is answered at once (the stopped one), the engine stays ready;
// - the hook is refused unless [debug] kill_hook = true, and audited either way.
#include <doctest/doctest.h>

#include <csignal>
#include <map>
#include <mutex>
#include <set>

#include "engine/supervisor.hpp"
#include "storage/store.hpp"
#include "support/child.hpp"
#include "support/console_conn.hpp"
#include "support/parleyd_process.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;

namespace {

// One of each long-lived family: a campaign (which brings the simulated gateway), a
// sequence, and a [[schedule]] entry (the scheduler), never due during a test.
constexpr const char* center = R"(
[debug]
kill_hook = true
[[queues]]
name = "sales"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { chat = 5 }
[[campaigns]]
name = "spring"
lists = ["spring"]
mode = "progressive"
queue = "sales"
[[sequences]]
name = "drive"
steps = [{ campaign = "spring" }]
[[schedule]]
cron = "0 3 1 1 *"
action = "start"
campaign = "spring"
)";

using build_fn = client::client::build_fn;

template <class F>
build_fn make(F f) {
  return [f](protocol::encoder& e, std::uint64_t ref) { return e.finish(ref, f(e.start())); };
}

client::answer call(connected_client& c, build_fn f) {
  auto fut = c.cl->request(std::move(f));
  REQUIRE(fut.wait_for(10s) == std::future_status::ready);
  return fut.get();
}

client::answer submit(connected_client& c, const std::string& ext) {
  return call(c, make([=](auto& fbb) {
    return wire::CreateSubmitDirect(fbb, ext.c_str(), "", "chat", "sales", 0, nullptr);
  }));
}

/// Sets property `note` of interaction `id`; the Ack means it is committed.
client::answer note(connected_client& c, std::uint64_t id, const std::string& text) {
  return call(c, make([=](auto& fbb) {
    std::vector<flatbuffers::Offset<wire::Property>> set{wire::CreatePropertyDirect(fbb, "note", text.c_str())};
    return wire::CreateChangePropertiesDirect(fbb, id, &set, nullptr);
  }));
}

/// An agent desktop logged in as `agent`, remembering the interactions it is invited to.
struct desk {
  connected_client c;
  std::mutex mx;
  std::set<std::uint64_t> invited;

  desk(std::uint16_t port, const std::string& agent) : c(port, wire::ClientType::agent_desktop) {
    c.cl->on_event([this](const client::answer& ev) {
      if (auto* inv = ev.as<wire::Invite>()) {
        std::lock_guard l{mx};
        invited.insert(inv->info()->id());
      }
    });
    REQUIRE(call(c, make([=](auto& fbb) { return wire::CreateAgentLoginDirect(fbb, agent.c_str()); })).ok());
  }
  void ready() { REQUIRE(call(c, make([](auto& fbb) { return wire::CreateAgentReady(fbb); })).ok()); }
  std::set<std::uint64_t> seen() {
    std::lock_guard l{mx};
    return invited;
  }
};

/// The acknowledged work of one round: external id -> interaction id, and the note set on
/// the first one.
struct acknowledged {
  std::map<std::string, std::uint64_t> ids;
  std::uint64_t noted = 0;
};

acknowledged submit_some(std::uint16_t port, const std::string& prefix) {
  acknowledged out;
  connected_client gw{port};
  for (int i = 1; i <= 3; ++i) {
    auto ext = prefix + "-" + std::to_string(i);
    auto a = submit(gw, ext);
    REQUIRE_MESSAGE(a.ok(), a.error_text());
    out.ids[ext] = a.as<wire::Submitted>()->interaction_id();
  }
  out.noted = out.ids.begin()->second;
  REQUIRE(note(gw, out.noted, "acknowledged before the kill").ok());
  return out;
}

/// After a restart: every acknowledged interaction is there once, with its note, and an
/// agent that goes ready is invited to each of them.
void check_recovered(parleyd_process& p, const acknowledged& acked) {
  connected_client gw{p.port("interaction")};
  for (auto& kv : acked.ids) {  // no structured binding: clang 14 cannot CAPTURE one
    const auto& ext = kv.first;
    auto id = kv.second;
    CAPTURE(ext);
    auto again = submit(gw, ext);
    REQUIRE_MESSAGE(again.ok(), again.error_text());
    CHECK(again.as<wire::Submitted>()->existing());
    CHECK(again.as<wire::Submitted>()->interaction_id() == id);
  }
  auto info = call(gw, make([&](auto& fbb) { return wire::CreateGetInteraction(fbb, acked.noted); }));
  REQUIRE(info.ok());
  auto* props = info.as<wire::InteractionData>()->info()->properties();
  REQUIRE(props);
  REQUIRE(props->size() == 1);
  CHECK(props->Get(0)->text()->str() == "acknowledged before the kill");
  desk agent{p.port("interaction"), "a1"};
  agent.ready();
  std::set<std::uint64_t> want;
  for (auto& [ext, id] : acked.ids)
    want.insert(id);
  CHECK(eventually([&] { return agent.seen() == want; }, 10s));
}

/// Exactly one stored row per acknowledged external id (read once parleyd has stopped).
void check_stored_once(const std::string& dir, const acknowledged& acked) {
  storage::config sc;
  sc.path = dir + "/var/parley.db";
  auto s = storage::open_store(sc);
  for (auto& kv : acked.ids) {
    const auto& ext = kv.first;
    auto id = kv.second;
    CAPTURE(ext);
    auto rows = s->by_external_id("default", ext);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].id == id);
  }
}

struct target {
  const char* family;
  const char* name;  ///< "" for one-per-engine families
};

} // namespace

TEST_CASE("each long-lived actor killed: parleyd exits 70 cleanly; restarted, nothing acknowledged is lost") {
  std::vector<target> targets{
    {"directory", ""},     {"interaction_registry", ""}, {"agent_registry", ""},
    {"reporting_bus", ""}, {"persistence_writer", ""},   {"stats_hub", ""},
    {"router", "default"}, {"queue", "sales"},           {"campaign", "spring"},
    {"sequence", "drive"}, {"list_store", ""},    {"compliance", ""},           {"sim_gateway", ""},
    {"scheduler", ""}};
  // Every family is here: a new one must be added to this test.
  std::set<std::string> covered;
  for (auto& t : targets)
    covered.insert(t.family);
  for (auto f : actor_families())
    if (f != actor_family::interaction && f != actor_family::agent)
      CHECK_MESSAGE(covered.count(to_string(f)) == 1, to_string(f) << " is not killed by this test");
  for (auto& t : targets) {
    std::string who = std::string{t.family} + (*t.name ? std::string{" "} + t.name : "");
    CAPTURE(who);
    auto p = parleyd_process::with_toml(center);
    auto dir = p->dir();
    auto acked = submit_some(p->port("interaction"), t.family);
    desk agent{p->port("interaction"), "a1"};  // logged in, not ready: nothing offered
    auto answer = p->console("debug kill " + who);
    CHECK_MESSAGE(answer.rfind("killed " + who + ":", 0) == 0, answer);
    auto code = p->proc().wait(15s);
    REQUIRE_MESSAGE(code.has_value(), "parleyd still runs after its " << who << " died:\n" << p->log());
    CHECK_MESSAGE(*code == engine::supervision_exit_code, p->log());
    auto log = p->log();
    CHECK_MESSAGE(log.find("error supervision: " + who + " died (exit_reason(kill))") != std::string::npos, log);
    CHECK_MESSAGE(log.find("exiting with code 70: " + who + " died") != std::string::npos, log);
    CHECK(log.find(" stopped\n") != std::string::npos);  // the orderly stop ran to its end
    // As systemd would: start it again on the same data.
    auto again = parleyd_process::with_toml(center, {}, dir);
    check_recovered(*again, acked);
    again->proc().signal(SIGTERM);
    CHECK(again->proc().wait(15s) == std::optional<int>{0});
    check_stored_once(dir, acked);
  }
}

TEST_CASE("a long-lived actor's death in process: counted, /readyz 503 with the reason, a clean stop") {
  auto e = start_engine_toml(center, {"debug.kill_hook=true"});
  auto metrics = e->metrics_port();
  CHECK(http_get(metrics, "/readyz").status == 200);
  auto page = http_get(metrics, "/metrics").body;
  for (auto f : actor_families())
    CHECK(metric_value(page, std::string{"parley_actor_deaths_total{actor=\""} + to_string(f) + "\"}") == 0);
  console_conn con{e->console_port()};
  CHECK(con.ask("debug kill queue sales").rfind("killed queue sales:", 0) == 0);
  REQUIRE(eventually([&] { return http_get(metrics, "/readyz").status == 503; }));
  auto ready = http_get(metrics, "/readyz");
  CHECK_MESSAGE(ready.body.find("not ready: queue sales died (exit_reason(kill))") == 0, ready.body);
  page = http_get(metrics, "/metrics").body;
  CHECK(metric_value(page, "parley_actor_deaths_total{actor=\"queue\"}") == 1);
  CHECK(metric_value(page, "parley_actor_deaths_total{actor=\"router\"}") == 0);
  CHECK(e->exit_code() == engine::supervision_exit_code);
  CHECK(e->failure() == "queue sales died (exit_reason(kill))");
  // A second death is counted too; the first one stays the reason.
  CHECK(con.ask("debug kill stats_hub").rfind("killed stats_hub:", 0) == 0);
  CHECK(eventually([&] {
    return metric_value(http_get(metrics, "/metrics").body, "parley_actor_deaths_total{actor=\"stats_hub\"}") == 1;
  }));
  CHECK(e->failure() == "queue sales died (exit_reason(kill))");
  e->stop();  // the orderly stop's own exits are not deaths; it ends (no hang)
}

TEST_CASE("a killed interaction is forgotten: its external id answers at once as stopped") {
  auto e = start_engine_toml(center, {"debug.kill_hook=true"});
  connected_client gw{e->port(listener_kind::interaction)};
  auto first = submit(gw, "doomed");
  REQUIRE(first.ok());
  auto id = first.as<wire::Submitted>()->interaction_id();
  auto other = submit(gw, "fine");
  REQUIRE(other.ok());
  console_conn con{e->console_port()};
  CHECK(con.ask("debug kill interaction " + std::to_string(id)).rfind("killed interaction " + std::to_string(id) + ": its registry forgets it", 0) == 0);
  auto metrics = e->metrics_port();
  REQUIRE(eventually([&] {
    return metric_value(http_get(metrics, "/metrics").body, "parley_actor_deaths_total{actor=\"interaction\"}") == 1;
  }));
  // The same external id: the stopped one, answered at once — no second interaction.
  auto t0 = std::chrono::steady_clock::now();
  auto again = submit(gw, "doomed");
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  REQUIRE_MESSAGE(again.ok(), again.error_text());
  CHECK(again.as<wire::Submitted>()->existing());
  CHECK(again.as<wire::Submitted>()->interaction_id() == id);
  CHECK(again.as<wire::Submitted>()->state() == wire::InteractionState::stopped);
  auto get = call(gw, make([&](auto& fbb) { return wire::CreateGetInteraction(fbb, id); }));
  CHECK(get.error_code() == wire::ErrorCode::unknown_id);
  // It left its queue: an agent is offered the other one only; the engine stays ready.
  desk agent{e->port(listener_kind::interaction), "a1"};
  agent.ready();
  CHECK(eventually([&] { return agent.seen() == std::set<std::uint64_t>{other.as<wire::Submitted>()->interaction_id()}; }));
  CHECK(http_get(metrics, "/readyz").status == 200);
  CHECK(e->exit_code() == 0);
  // An agent killed the same way is forgotten and may log in again.
  CHECK(con.ask("debug kill agent a1").rfind("killed agent a1: its registry forgets it", 0) == 0);
  REQUIRE(eventually([&] {
    return metric_value(http_get(metrics, "/metrics").body, "parley_actor_deaths_total{actor=\"agent\"}") == 1;
  }));
  desk back{e->port(listener_kind::interaction), "a1"};
  CHECK(http_get(metrics, "/readyz").status == 200);
  e->stop();
}

TEST_CASE("debug kill: refused unless [debug] kill_hook = true; admin only; audited; clear errors") {
  auto dir = temp_dir();
  std::string toml = center;
  toml.replace(toml.find("kill_hook = true"), 16, "kill_hook = false");
  auto off = start_engine_toml(toml, {"engine.data_dir=" + dir, "console.admin_token=\"adm\"",
                                      "console.operator_token=\"op\""});
  console_conn con{off->console_port()};
  CHECK(con.ask("auth op") == "level operator\n");
  CHECK(con.ask("debug kill queue sales").rfind("error: \"debug\" needs the admin level", 0) == 0);
  CHECK(con.ask("auth adm") == "level admin\n");
  auto refused = con.ask("debug kill queue sales");
  CHECK(refused == "error: debug kill is disabled: it needs [debug] kill_hook = true in the config (a "
                   "restart; never in production)\n");
  CHECK(con.ask("debug kill").rfind("error: usage: debug kill ACTOR [NAME]; ACTOR: directory, ", 0) == 0);
  CHECK(http_get(off->metrics_port(), "/readyz").status == 200);
  auto audit = read_text(dir + "/audit.log");
  CHECK_MESSAGE(audit.find("\"command\":\"debug kill queue sales\",\"result\":\"error: debug kill is disabled") != std::string::npos, audit);
  off->stop();

  auto on = start_engine_toml(center, {"debug.kill_hook=true"});
  console_conn c2{on->console_port()};
  CHECK(c2.ask("debug kill queue nowhere") == "error: no queue named nowhere\n");
  CHECK(c2.ask("debug kill reporting_bus extra") == "error: there is one reporting_bus per engine: no NAME\n");
  CHECK(c2.ask("debug kill everything").rfind("error: no actor family \"everything\"; one of: ", 0) == 0);
  CHECK(c2.ask("debug kill interaction x") == "error: usage: debug kill interaction ID\n");
  CHECK(c2.ask("debug kill interaction 999").rfind("error: unknown_id: no interaction 999", 0) == 0);
  CHECK(http_get(on->metrics_port(), "/readyz").status == 200);
  on->stop();
}
