// High availability (docs/ha.md): two real parleyd on the test command's PostgreSQL, each
// on ports of its own. Both started at once; the primary killed with SIGKILL under load;
// frozen with SIGSTOP past its lease and resumed; its database connections ended with
// pg_terminate_backend. The checks: one primary, the backup's answers, nothing
// acknowledged lost, nothing committed by a primary that lost its lease.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <libpq-fe.h>

#include "protocol/client/client.hpp"
#include "protocol/codec.hpp"
#include "engine/open_acceptor.hpp"
#include "storage/store.hpp"
#include "support/child.hpp"
#include "support/parleyd_process.hpp"
#include "support/storage_env.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using namespace std::chrono_literals;

namespace {

/// One node of the pair: parleyd with the shipped config, [ha] on, its own ports.
struct ha_node_process {
  std::string name;
  std::string dir = temp_dir();
  std::map<std::string, std::uint16_t> ports;
  std::vector<std::string> argv;
  std::unique_ptr<child> proc;

  ha_node_process(std::string node, const std::string& dsn, std::vector<std::string> sets = {}) : name(std::move(node)) {
    auto p = engine::free_loopback_ports(6);
    ports = {{"interaction", p[0]}, {"vq", p[1]}, {"stat", p[2]}, {"console", p[3]}, {"metrics", p[4]}, {"http", p[5]}};
    argv = {parleyd_path(), "--config", source_dir() + "/conf/parley.toml", "--ports-file", dir + "/ports"};
    std::vector<std::string> all{"listen.interaction_port=" + std::to_string(p[0]), "listen.vq_port=" + std::to_string(p[1]),
                                 "listen.stat_port=" + std::to_string(p[2]),        "console.port=" + std::to_string(p[3]),
                                 "metrics.port=" + std::to_string(p[4]),            "http.port=" + std::to_string(p[5]),
                                 "engine.data_dir=" + dir + "/var",                 "storage.backend=postgresql",
                                 "storage.dsn=" + dsn,                              "ha.enabled=true",
                                 "ha.node=" + name,                                 "ha.advertise=127.0.0.1",
                                 "ha.lease_ms=2000",                                "ha.renew_ms=250",
                                 "log.level=debug"};
    all.insert(all.end(), sets.begin(), sets.end());
    for (auto& s : all) {
      argv.push_back("--set");
      argv.push_back(s);
    }
  }

  void start() {
    std::filesystem::remove(dir + "/ports");
    proc = std::make_unique<child>(argv, dir + "/log");
  }

  /// The ports file is there (as the backup or the primary).
  void wait_up() {
    bool up = eventually([&] { return !read_file(dir + "/ports").empty() || proc->wait(0ms); }, 20s);
    REQUIRE_MESSAGE(up, name << " did not start:\n" << log());
    REQUIRE_MESSAGE(!read_file(dir + "/ports").empty(), name << " exited:\n" << log());
  }

  std::string log() const { return read_file(dir + "/log"); }

  /// One console command's answer ("" when the console cannot be reached).
  std::string console(const std::string& command) const {
    namespace asio = boost::asio;
    try {
      asio::io_context io;
      asio::ip::tcp::socket s{io};
      s.connect({asio::ip::make_address("127.0.0.1"), ports.at("console")});
      asio::write(s, asio::buffer(command + "\nquit\n"));
      std::string all;
      boost::system::error_code ec;
      asio::read(s, asio::dynamic_buffer(all), ec);
      return all;
    } catch (const std::exception&) {
      return {};
    }
  }

  /// "primary", "backup" or "" (no console answer).
  std::string role() const {
    auto ha = console("show ha");
    auto at = ha.find("\nrole ");
    if (at == std::string::npos)
      return {};
    return ha.substr(at + 6, ha.find('\n', at + 6) - at - 6);
  }

  std::string addr(const std::string& port) const { return "127.0.0.1:" + std::to_string(ports.at(port)); }
};

/// The primary's interaction port registers a client; the backup's answers not_primary.
wire::ErrorCode register_on(std::uint16_t port, std::string* primary = nullptr) {
  try {
    raw_conn c{port};
    protocol::encoder enc;
    c.send(enc.register_client(1, "ha-test", wire::ClientType::media_gateway, ""));
    auto f = c.read_frame(3s);
    if (!f)
      return wire::ErrorCode::timeout;
    auto& env = envelope_of(*f);
    if (env.message_type() == wire::Message::Registered)
      return wire::ErrorCode::none;
    if (auto* e = env.message_as_Error()) {
      if (primary)
        *primary = protocol::text_of(e->primary());
      return e->code();
    }
    return wire::ErrorCode::internal;
  } catch (const std::exception&) {
    return wire::ErrorCode::timeout;  // nothing listens (a role change in progress)
  }
}

/// A Submit with an external id into the shipped config's sales queue.
client::answer submit(client::client& gw, const std::string& external_id) {
  return gw
    .request([&](protocol::encoder& e, std::uint64_t ref) {
      auto& fbb = e.start();
      return e.finish(ref, wire::CreateSubmit(fbb, fbb.CreateString(external_id), fbb.CreateString("default"),
                                              fbb.CreateString("voice"), fbb.CreateString("sales"), 0));
    })
    .get();
}

/// Runs SQL on the test database (one value, or "").
std::string sql_value(const std::string& dsn, const std::string& sql) {
  auto* c = PQconnectdb(dsn.c_str());
  std::string out;
  if (PQstatus(c) == CONNECTION_OK) {
    auto* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
      out = PQgetvalue(r, 0, 0);
    PQclear(r);
  }
  PQfinish(c);
  return out;
}

/// The two nodes up, `a` the primary (started first), `b` the backup.
struct pair_fixture {
  std::string dsn;
  std::unique_ptr<ha_node_process> a, b;

  explicit pair_fixture(const std::string& d) : dsn(d) {
    a = std::make_unique<ha_node_process>("a", dsn);
    b = std::make_unique<ha_node_process>("b", dsn);
    a->start();
    a->wait_up();
    REQUIRE_MESSAGE(eventually([&] { return a->role() == "primary"; }, 10s), a->log());
    b->start();
    b->wait_up();
    REQUIRE_MESSAGE(eventually([&] { return b->role() == "backup"; }, 10s), b->log());
  }

  ~pair_fixture() {
    for (auto* n : {a.get(), b.get()})
      if (n && n->proc) {
        n->proc->signal(SIGCONT);
        n->proc->signal(SIGKILL);
        n->proc->wait(5s);
      }
  }
};

} // namespace

TEST_CASE("ha: the configuration refuses [ha] with SQLite, with async durability, and a renewal slower than half the lease") {
  auto conf = source_dir() + "/conf/parley.toml";
  auto check = [&](std::vector<std::string> sets) {
    std::vector<std::string> argv{parleyd_path(), "--check-config", conf};
    for (auto& s : sets) {
      argv.push_back("--set");
      argv.push_back(s);
    }
    return run(argv);
  };
  auto [code, out] = check({"ha.enabled=true", "ha.node=a"});
  CHECK(code == 2);
  CHECK_MESSAGE(out.find("ha.enabled = true needs storage.backend = \"postgresql\"") != std::string::npos, out);
  auto pg = std::vector<std::string>{"ha.enabled=true", "ha.node=a", "storage.backend=postgresql", "storage.dsn=host=x"};
  auto async = pg;
  async.push_back("storage.durability=async");
  auto [code2, out2] = check(async);
  CHECK(code2 == 2);
  CHECK_MESSAGE(out2.find("needs storage.durability = \"commit\"") != std::string::npos, out2);
  auto slow = pg;
  slow.push_back("ha.renew_ms=3000");
  auto [code3, out3] = check(slow);
  CHECK(code3 == 2);
  CHECK_MESSAGE(out3.find("ha.renew_ms must be at most half of ha.lease_ms") != std::string::npos, out3);
  auto bad = pg;
  bad.push_back("ha.node=a b");
  CHECK(check(bad).first == 2);
  auto [ok, out4] = check(pg);
  CHECK_MESSAGE(ok == 0, out4);
}

TEST_CASE("ha: two nodes started at once: one primary, the backup answers not_primary with its address <postgresql>") {
  auto dsn = fresh_pg_dsn("ha_start");
  if (!dsn)
    return;
  for (int round = 0; round < 2; ++round) {
    CAPTURE(round);
    ha_node_process a{"a", *dsn}, b{"b", *dsn};
    a.start();
    b.start();
    a.wait_up();
    b.wait_up();
    std::string ra, rb;
    REQUIRE_MESSAGE(eventually(
                      [&] {
                        ra = a.role();
                        rb = b.role();
                        return (ra == "primary" && rb == "backup") || (ra == "backup" && rb == "primary");
                      },
                      10s),
                    ra << " " << rb << "\n" << a.log() << "\n" << b.log());
    auto& primary = ra == "primary" ? a : b;
    auto& backup = ra == "primary" ? b : a;
    // The backup keeps saying so.
    for (int i = 0; i < 8; ++i) {
      CHECK(backup.role() == "backup");
      CHECK(primary.role() == "primary");
      std::this_thread::sleep_for(100ms);
    }
    CHECK(register_on(primary.ports.at("interaction")) == wire::ErrorCode::none);
    std::string at;
    CHECK(register_on(backup.ports.at("interaction"), &at) == wire::ErrorCode::not_primary);
    CHECK(at == primary.addr("interaction"));
    CHECK(register_on(backup.ports.at("stat"), &at) == wire::ErrorCode::not_primary);
    CHECK(at == primary.addr("stat"));
    CHECK(http_get(primary.ports.at("metrics"), "/readyz").status == 200);
    auto ready = http_get(backup.ports.at("metrics"), "/readyz");
    CHECK(ready.status == 503);
    CHECK(ready.body.find("backup") != std::string::npos);
    CHECK(http_get(backup.ports.at("metrics"), "/healthz").status == 200);
    auto page = http_get(backup.ports.at("metrics"), "/metrics").body;
    CHECK(metric_value(page, "parley_ha_role{node=\"" + backup.name + "\"}") == 0);
    CHECK(metric_value(http_get(primary.ports.at("metrics"), "/metrics").body,
                       "parley_ha_role{node=\"" + primary.name + "\"}")
          == 1);
    CHECK(backup.console("status").find("is the backup of an HA pair") != std::string::npos);
    // A clean stop of the primary hands over at once.
    auto term = std::stoull(sql_value(*dsn, "SELECT term FROM ha_lease"));
    primary.proc->signal(SIGTERM);
    CHECK(primary.proc->wait(20s) == 0);
    REQUIRE_MESSAGE(eventually([&] { return backup.role() == "primary"; }, 3s), backup.log());
    CHECK(std::stoull(sql_value(*dsn, "SELECT term FROM ha_lease")) == term + 1);
    backup.proc->signal(SIGTERM);
    CHECK(backup.proc->wait(20s) == 0);
    CHECK(backup.log().find("is the primary now") != std::string::npos);
  }
}

TEST_CASE("ha: kill -9 of the primary under load: the backup serves within 5 s and every acknowledged submit is there <postgresql>") {
  auto dsn = fresh_pg_dsn("ha_kill");
  if (!dsn)
    return;
  pair_fixture pair{*dsn};
  // A reporting client on the primary notes every event it is sent: (seq, kind, iid).
  connected_client rep{pair.a->ports.at("interaction"), wire::ClientType::reporting};
  std::mutex seen_mx;
  std::vector<std::string> seen;
  rep.cl->on_event([&](const client::answer& ev) {
    if (auto* r = ev.as<wire::ReportingEvent>()) {
      std::lock_guard lock{seen_mx};
      seen.push_back(std::to_string(r->seq()) + ":" + std::to_string(static_cast<int>(r->kind())) + ":"
                     + std::to_string(r->interaction_id()));
    }
  });
  REQUIRE(rep.cl->request([](protocol::encoder& e, std::uint64_t ref) {
                  auto& fbb = e.start();
                  return e.finish(ref, wire::CreateSubscribeReporting(fbb, 0));
                }).get().ok());
  // Two gateways submit as fast as they are answered, until the primary is gone.
  std::atomic<bool> go{true};
  std::mutex mx;
  std::vector<std::string> acked;
  std::vector<std::thread> load;
  for (int g = 0; g < 2; ++g)
    load.emplace_back([&, g] {
      client::options o;
      o.request_timeout = 3s;
      connected_client gw{pair.a->ports.at("interaction"), wire::ClientType::media_gateway, o};
      for (int i = 0; go; ++i) {
        auto ext = "g" + std::to_string(g) + "-" + std::to_string(i);
        auto r = submit(*gw.cl, ext);
        if (!r.ok())
          break;  // the connection went with the primary
        std::lock_guard lock{mx};
        acked.push_back(ext);
      }
    });
  REQUIRE(eventually([&] {
    std::lock_guard lock{mx};
    return acked.size() >= 200;
  }, 20s));
  pair.a->proc->signal(SIGKILL);
  auto killed = std::chrono::steady_clock::now();
  pair.a->proc->wait(5s);
  go = false;
  for (auto& t : load)
    t.join();
  REQUIRE(eventually([&] { return register_on(pair.b->ports.at("interaction")) == wire::ErrorCode::none; }, 10s));
  auto outage = std::chrono::steady_clock::now() - killed;
  MESSAGE("the backup registered a client " << std::chrono::duration_cast<std::chrono::milliseconds>(outage).count()
                                             << " ms after the kill; " << acked.size() << " submits acknowledged");
  CHECK(outage < 5s);
  CHECK(pair.b->role() == "primary");
  // Every acknowledged submit is stored once, and waits in the new primary's queue.
  storage::config sc;
  sc.backend = storage::backend_kind::postgresql;
  sc.dsn = *dsn;
  auto store = storage::open_store(sc);
  for (auto& ext : acked)
    CHECK_MESSAGE(store->by_external_id("default", ext).size() == 1, ext);
  auto status = pair.b->console("show queues");
  CHECK_MESSAGE(status.find("sales") != std::string::npos, status);
  // The new primary works: a new submit, through its own port.
  connected_client gw{pair.b->ports.at("interaction")};
  CHECK(submit(*gw.cl, "after-failover").ok());
  CHECK(pair.b->log().find("took over from a") != std::string::npos);
  // Every event the reporting client was sent is stored as it saw it: the new primary
  // numbers on after them and never reuses a seq the client saw for another event.
  std::lock_guard lock{seen_mx};
  REQUIRE(seen.size() >= 200);
  std::string sent;
  for (auto& e : seen)
    sent += (sent.empty() ? "" : ",") + e;
  auto stored = sql_value(*dsn, "SELECT string_agg(seq || ':' || kind || ':' || iid, ',' ORDER BY seq) FROM events "
                                "WHERE seq <= " + seen.back().substr(0, seen.back().find(':')));
  auto at = std::mismatch(sent.begin(), sent.end(), stored.begin(), stored.end()).first - sent.begin();
  auto from = std::max<std::ptrdiff_t>(at - 40, 0);
  CHECK_MESSAGE(stored == sent, "seq:kind:iid sent ..." << sent.substr(from, 80) << "... stored ..."
                                                        << stored.substr(from, 80) << "...");
}

TEST_CASE("ha: SIGSTOP of the primary past its lease: the backup takes over; resumed, the old primary commits nothing and becomes the backup <postgresql>") {
  auto dsn = fresh_pg_dsn("ha_stop");
  if (!dsn)
    return;
  pair_fixture pair{*dsn};
  client::options o;
  o.request_timeout = 15s;
  connected_client gw{pair.a->ports.at("interaction"), wire::ClientType::media_gateway, o};
  REQUIRE(submit(*gw.cl, "before").ok());
  pair.a->proc->signal(SIGSTOP);
  auto stopped = std::chrono::steady_clock::now();
  REQUIRE_MESSAGE(eventually([&] { return pair.b->role() == "primary"; }, 10s), pair.b->log());
  auto took = std::chrono::steady_clock::now() - stopped;
  MESSAGE("the backup took over " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                                  << " ms after SIGSTOP (lease 2000 ms)");
  // Requests sent to the frozen primary wait in its socket; it reads them when resumed.
  std::vector<std::future<client::answer>> late;
  for (int i = 0; i < 5; ++i)
    late.push_back(gw.cl->request([i](protocol::encoder& e, std::uint64_t ref) {
      auto& fbb = e.start();
      return e.finish(ref, wire::CreateSubmit(fbb, fbb.CreateString("late-" + std::to_string(i)),
                                              fbb.CreateString("default"), fbb.CreateString("voice"),
                                              fbb.CreateString("sales"), 0));
    }));
  std::this_thread::sleep_for(300ms);
  pair.a->proc->signal(SIGCONT);
  for (auto& f : late) {
    auto r = f.get();
    CHECK_MESSAGE(!r.ok(), "a frozen primary's submit was acknowledged after the takeover");
  }
  REQUIRE_MESSAGE(eventually([&] { return pair.a->role() == "backup"; }, 10s), pair.a->log());
  // The role says backup as it steps down; its ports answer so once its engine has stopped.
  std::string at;
  CHECK_MESSAGE(eventually([&] { return register_on(pair.a->ports.at("interaction"), &at) == wire::ErrorCode::not_primary; },
                           10s),
                pair.a->log());
  CHECK(at == pair.b->addr("interaction"));
  CHECK(sql_value(*dsn, "SELECT count(*) FROM interactions WHERE external_id LIKE 'late-%'") == "0");
  CHECK(sql_value(*dsn, "SELECT count(*) FROM interactions WHERE external_id = 'before'") == "1");
  CHECK(pair.a->log().find("steps down") != std::string::npos);
  CHECK(pair.b->role() == "primary");
}

TEST_CASE("ha: the primary's database connections ended with pg_terminate_backend: it recovers or hands over, never two primaries <postgresql>") {
  auto dsn = fresh_pg_dsn("ha_term");
  if (!dsn)
    return;
  pair_fixture pair{*dsn};
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    auto primary = pair.a->role() == "primary" ? pair.a.get() : pair.b.get();
    auto term = sql_value(*dsn, "SELECT term FROM ha_lease");
    auto ended = sql_value(*dsn, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                                 "(application_name = 'parleyd/" + primary->name + "' OR application_name LIKE 'parleyd/"
                                   + primary->name + "/%') AND datname = current_database()");
    CHECK(std::stoi(ended) >= 2);  // the lease connection and the engine's
    // For 3 s: never two nodes that say primary under the lease's term, and then one
    // primary that takes work.
    auto until = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < until) {
      auto ra = pair.a->console("show ha"), rb = pair.b->console("show ha");
      auto says_primary = [](const std::string& s) { return s.find("\nrole primary\n") != std::string::npos; };
      auto term_of = [](const std::string& s) {
        auto at = s.find("\nterm ");
        return at == std::string::npos ? std::string{} : s.substr(at + 6, s.find('\n', at + 6) - at - 6);
      };
      if (says_primary(ra) && says_primary(rb))
        CHECK_MESSAGE(term_of(ra) != term_of(rb), ra << "\n" << rb);
      std::this_thread::sleep_for(50ms);
    }
    std::string ra, rb;
    REQUIRE_MESSAGE(eventually(
                      [&] {
                        ra = pair.a->role();
                        rb = pair.b->role();
                        return (ra == "primary") != (rb == "primary") && !ra.empty() && !rb.empty();
                      },
                      10s),
                    ra << " " << rb);
    auto now_primary = ra == "primary" ? pair.a.get() : pair.b.get();
    MESSAGE("round " << round << ": term " << term << " -> " << sql_value(*dsn, "SELECT term FROM ha_lease") << ", "
                     << std::string{now_primary == primary ? "recovered" : "handed over"});
    REQUIRE(eventually([&] { return register_on(now_primary->ports.at("interaction")) == wire::ErrorCode::none; }, 10s));
    connected_client gw{now_primary->ports.at("interaction")};
    CHECK(submit(*gw.cl, "round-" + std::to_string(round)).ok());
  }
}

TEST_CASE("ha: every table's writes check the fencing term; connections without one are not checked <postgresql>") {
  auto dsn = fresh_pg_dsn("ha_fence");
  if (!dsn)
    return;
  storage::config sc;
  sc.backend = storage::backend_kind::postgresql;
  sc.dsn = *dsn;
  storage::open_store(sc)->migrate();
  // A table a later migration adds without the trigger would let an old primary write.
  auto unfenced = sql_value(*dsn, "SELECT string_agg(c.relname, ', ') FROM pg_class c JOIN pg_namespace n ON "
                                  "n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') "
                                  "AND c.relname NOT IN ('ha_lease', 'schema_version') AND NOT EXISTS (SELECT 1 FROM "
                                  "pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'parley_fence')");
  CHECK_MESSAGE(unfenced.empty(), "tables without the parley_fence trigger: " << unfenced);
  CHECK(std::stoi(sql_value(*dsn, "SELECT count(*) FROM pg_trigger WHERE tgname = 'parley_fence'")) > 30);
  auto run = [&](const std::string& sql) {
    auto* c = PQconnectdb(dsn->c_str());
    auto* r = PQexec(c, sql.c_str());
    auto* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    std::string out = PQresultStatus(r) == PGRES_COMMAND_OK ? "ok" : state ? state : "?";
    PQclear(r);
    PQfinish(c);
    return out;
  };
  CHECK(run("UPDATE ha_lease SET term = 7") == "ok");
  const std::string write = "INSERT INTO list_mappings VALUES ('m', 'a=b', 0, 'test')";
  CHECK(run("SET parley.term = '6'; " + write) == "PF001");
  CHECK(run("SET parley.term = '6'; DELETE FROM list_mappings") == "PF001");
  CHECK(run("SET parley.term = '7'; " + write) == "ok");
  CHECK(run("DELETE FROM list_mappings") == "ok");  // no term said: not an HA node's
  // A store whose term is not the lease's does not even connect.
  sc.ha_node = "x";
  sc.ha_term = 6;
  CHECK_THROWS_WITH_AS(storage::open_store(sc), doctest::Contains("fenced: term 6"), storage::storage_error);
  sc.ha_term = 7;
  CHECK_NOTHROW(storage::open_store(sc)->count_interactions());
}

TEST_CASE("ha: clients given both nodes fail over by themselves and restore their agent, statistic and reporting subscription <postgresql>") {
  auto dsn = fresh_pg_dsn("ha_clients");
  if (!dsn)
    return;
  pair_fixture pair{*dsn};
  auto both = [&](const std::string& port, wire::ClientType type) {
    client::options o;
    o.port = pair.a->ports.at(port);
    o.endpoints = {pair.b->addr(port)};
    o.type = type;
    o.request_timeout = 3s;
    o.backoff_initial = 20ms;
    return o;
  };
  // The desktop keeps its agent logged in: after a failover it is logged in again, not ready.
  connected_client desk{pair.a->ports.at("interaction"), wire::ClientType::agent_desktop,
                        both("interaction", wire::ClientType::agent_desktop)};
  std::atomic<int> logins{0};
  desk.cl->keep([](protocol::encoder& e, std::uint64_t ref) {
                  auto& fbb = e.start();
                  return e.finish(ref, wire::CreateAgentLoginDirect(fbb, "ann", "desk-1"));
                },
                [&](client::answer a) { logins += a.ok(); });
  REQUIRE(eventually([&] { return logins == 1; }));
  REQUIRE(desk.cl->request([](protocol::encoder& e, std::uint64_t ref) {
                    auto& fbb = e.start();
                    return e.finish(ref, wire::CreateAgentReady(fbb));
                  }).get().ok());
  // The wallboard keeps a statistic open; each open answers with the statistic's new id.
  connected_client board{pair.a->ports.at("stat"), wire::ClientType::stat_client, both("stat", wire::ClientType::stat_client)};
  std::atomic<int> opens{0};
  board.cl->keep([](protocol::encoder& e, std::uint64_t ref) {
                   auto& fbb = e.start();
                   return e.finish(ref, wire::CreateOpenStat(fbb, wire::StatObjectType::queue, fbb.CreateString("sales"),
                                                             fbb.CreateString("entered"), wire::StatInterval::growing));
                 },
                 [&](client::answer a) { opens += a.ok(); });
  REQUIRE(eventually([&] { return opens == 1; }));
  // The reporting client resumes after the last sequence it saw: gap-free, each once.
  connected_client rep{pair.a->ports.at("interaction"), wire::ClientType::reporting,
                       both("interaction", wire::ClientType::reporting)};
  std::mutex mx;
  std::vector<std::uint64_t> seqs;
  rep.cl->on_event([&](const client::answer& ev) {
    if (auto* r = ev.as<wire::ReportingEvent>()) {
      std::lock_guard lock{mx};
      seqs.push_back(r->seq());
    }
  });
  auto last_seq = [&] {
    std::lock_guard lock{mx};
    return seqs.empty() ? std::uint64_t{0} : seqs.back();
  };
  rep.cl->keep([&](protocol::encoder& e, std::uint64_t ref) {
                 auto& fbb = e.start();
                 return e.finish(ref, wire::CreateSubscribeReporting(fbb, last_seq() + 1));
               },
               [](client::answer) {});
  connected_client gw{pair.a->ports.at("interaction"), wire::ClientType::media_gateway,
                      both("interaction", wire::ClientType::media_gateway)};
  for (int i = 0; i < 3; ++i)
    REQUIRE(submit(*gw.cl, "before-" + std::to_string(i)).ok());
  // What the reporting client saw is stored (a crash loses only what was not committed).
  REQUIRE(eventually([&] { return sql_value(*dsn, "SELECT max(seq) FROM events") == std::to_string(last_seq()); }, 5s));
  auto seen = last_seq();

  pair.a->proc->signal(SIGKILL);
  pair.a->proc->wait(5s);
  REQUIRE_MESSAGE(eventually([&] { return logins == 2 && opens == 2 && rep.cl->registrations() == 2; }, 10s),
                  "logins " << logins << ", opens " << opens << "\n" << pair.b->log());
  CHECK(desk.cl->endpoint() == pair.b->addr("interaction"));
  CHECK(board.cl->endpoint() == pair.b->addr("stat"));
  auto agents = pair.b->console("show agents");
  CHECK_MESSAGE(agents.find("ann") != std::string::npos, agents);
  CHECK_MESSAGE(agents.find("not_ready") != std::string::npos, agents);
  // The gateway, too, is back: new work on the new primary reaches the reporting client.
  REQUIRE(eventually([&] { return submit(*gw.cl, "after").ok(); }, 10s));
  REQUIRE(eventually([&] { return last_seq() > seen + 1; }, 10s));
  std::lock_guard lock{mx};
  for (std::size_t i = 1; i < seqs.size(); ++i)
    CHECK_MESSAGE(seqs[i] == seqs[i - 1] + 1, "seq " << seqs[i] << " after " << seqs[i - 1]);
  CHECK(seqs.front() == 1);
}

TEST_CASE("ha: the Python agent desktop given both nodes logs its agent in again on the new primary <postgresql>") {
  auto dsn = fresh_pg_dsn("ha_python");
  if (!dsn)
    return;
  pair_fixture pair{*dsn};
  auto out = pair.a->dir + "/desktop.log";
  child desk{{"/usr/bin/env", "PYTHONPATH=" + binary_dir() + "/protocol/python:" + source_dir() + "/protocol/python",
              "/usr/bin/python3", source_dir() + "/protocol/python/agent_desktop.py", "--endpoints",
              pair.b->addr("interaction") + "," + pair.a->addr("interaction"), "--agent", "ann", "--seconds", "20"},
             out};
  // It starts with the backup, which sends it to the primary.
  auto on = [&](const std::string& node) { return read_file(out).find("logged in ann on " + node) != std::string::npos; };
  REQUIRE_MESSAGE(eventually([&] { return on(pair.a->addr("interaction")); }, 10s), read_file(out));
  CHECK(read_file(out).find(pair.b->addr("interaction") + ": not the primary; the primary is " + pair.a->addr("interaction"))
        != std::string::npos);
  pair.a->proc->signal(SIGKILL);
  pair.a->proc->wait(5s);
  REQUIRE_MESSAGE(eventually([&] { return on(pair.b->addr("interaction")); }, 10s), read_file(out));
  auto agents = pair.b->console("show agents");
  CHECK_MESSAGE(agents.find("ann") != std::string::npos, agents);
  desk.signal(SIGTERM);
  desk.wait(5s);
}
