// Persistence through the real engine over TCP, on SQLite and on PostgreSQL:
// - an engine restarted on the same database carries on: waiting, offered and handled
//   interactions are back in their queue at their old positions, parked ones stay parked,
//   properties survive, ids and the reporting sequence continue, resubmits find the old
//   interaction (stopped ones included), agent sessions are closed;
// - a reporting client subscribing from a sequence number gets the stored events from it on,
//   then the live ones, gap-free and once each — across a restart, while calls go on; the
//   same for VQ subscribers on 7122 (their own sequence, filtered by queue);
// - PostgreSQL stopped under load and started again: busy errors while it is down, no
//   acknowledged submit lost, throughput back afterwards (readiness follows).
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include <caf/all.hpp>

#include "storage/store.hpp"
#include "support/child.hpp"
#include "support/storage_env.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;

namespace {

constexpr const char* domain_toml = R"(
[[queues]]
name = "sales"
[[queues]]
name = "support"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1 }
)";

using build_fn = client::client::build_fn;

client::answer call(connected_client& c, build_fn f) {
  auto fut = c.cl->request(std::move(f));
  REQUIRE(fut.wait_for(10s) == std::future_status::ready);
  return fut.get();
}

build_fn submit(const std::string& ext, const std::string& queue) {
  return [=](protocol::encoder& e, std::uint64_t ref) {
    auto& fbb = e.start();
    std::vector<flatbuffers::Offset<wire::Property>> props{
      wire::CreatePropertyDirect(fbb, "customer", "c-\t\"1\"\n"),
      wire::CreateProperty(fbb, fbb.CreateString("amount"), 0, 42.5, true)};
    return e.finish(ref, wire::CreateSubmitDirect(fbb, ext.c_str(), "", "voice", queue.c_str(), 0,
                                                  &props));
  };
}

template <class F>
build_fn make(F f) {
  return [f](protocol::encoder& e, std::uint64_t ref) { return e.finish(ref, f(e.start())); };
}

/// The interaction ids in a queue, in routing order.
std::vector<std::uint64_t> queue_ids(connected_client& c, const std::string& queue) {
  auto a = call(c, make([=](auto& fbb) { return wire::CreateQueueSnapshotDirect(fbb, queue.c_str()); }));
  REQUIRE(a.ok());
  std::vector<std::uint64_t> out;
  for (auto* i : *a.as<wire::QueueSnapshotData>()->items())
    out.push_back(i->id());
  return out;
}

struct backend {
  std::string name;
  std::vector<std::string> sets;  ///< config overrides selecting it
  storage::config open;           ///< the same, to read the database directly
};

// The backends a case runs on (TEST_CASE_TEMPLATE): instances "<sqlite>" and "<postgresql>";
// make() is nullopt when the case is skipped (no PostgreSQL; support/storage_env.hpp).
struct on_sqlite {
  static std::optional<backend> make() {
    storage::config sq;
    sq.path = temp_dir() + "/parley.db";
    return backend{"sqlite", {"storage.path=\"" + sq.path + "\""}, sq};
  }
};

struct on_postgresql {
  static std::optional<backend> make() {
    auto dsn = fresh_pg_dsn("persist");
    if (!dsn)
      return std::nullopt;
    storage::config pg;
    pg.backend = storage::backend_kind::postgresql;
    pg.dsn = *dsn;
    return backend{"postgresql", {"storage.backend=\"postgresql\"", "storage.dsn=\"" + *dsn + "\""}, pg};
  }
};

/// A fresh database on the test server, and the commands that stop and start that server.
struct pg_controls {
  std::string dsn;
  const char* stop;
  const char* start;
};

std::optional<pg_controls> stoppable_pg(const std::string& prefix) {
  auto dsn = fresh_pg_dsn(prefix);
  auto* stop = std::getenv("PARLEY_TEST_PG_STOP");
  auto* start = std::getenv("PARLEY_TEST_PG_START");
  if (!dsn)
    return std::nullopt;
  if (stop && start)
    return pg_controls{*dsn, stop, start};
  service_absent("postgresql", "a PostgreSQL the test may stop", "PARLEY_TEST_PG_STOP");
  return std::nullopt;
}

// The cases' bodies: plain functions, as a TEST_CASE_TEMPLATE body is a template and
// its dependent calls would need `template` keywords.
void restarted_carries_on(const backend& b) {
  CAPTURE(b.name);
  std::map<std::string, std::uint64_t> id;  // external id -> interaction id
  std::uint64_t parked = 0;
  {
    auto e = start_engine_toml(domain_toml, b.sets);
    connected_client gw{e->port(listener_kind::interaction)};
    for (auto ext : {"e1", "e2", "e3", "e4", "e5"}) {
      auto a = call(gw, submit(ext, "sales"));
      REQUIRE(a.ok());
      id[ext] = a.as<wire::Submitted>()->interaction_id();
    }
    REQUIRE(call(gw, submit("e6", "support")).ok());
    // e1 is accepted and parked, e3 is offered (not accepted), e2 is stopped.
    connected_client desk{e->port(listener_kind::interaction), wire::ClientType::agent_desktop};
    std::vector<std::uint64_t> invites;
    std::mutex mx;
    desk.cl->on_event([&](const client::answer& ev) {
      if (auto* inv = ev.as<wire::Invite>()) {
        std::lock_guard l{mx};
        invites.push_back(inv->info()->id());
      }
    });
    REQUIRE(call(desk, make([](auto& fbb) { return wire::CreateAgentLoginDirect(fbb, "a1"); })).ok());
    REQUIRE(call(desk, make([](auto& fbb) { return wire::CreateAgentReady(fbb); })).ok());
    REQUIRE(eventually([&] { std::lock_guard l{mx}; return invites.size() == 1; }));
    CHECK(invites[0] == id["e1"]);
    REQUIRE(call(desk, make([&](auto& fbb) { return wire::CreateAccept(fbb, id["e1"]); })).ok());
    REQUIRE(call(gw, make([&](auto& fbb) { return wire::CreateStopProcessingDirect(fbb, id["e2"], "done"); })).ok());
    REQUIRE(call(desk, make([&](auto& fbb) { return wire::CreatePark(fbb, id["e1"]); })).ok());
    REQUIRE(eventually([&] { std::lock_guard l{mx}; return invites.size() == 2; }));
    CHECK(invites[1] == id["e3"]);
    parked = id["e1"];
    e->stop();
  }
  std::uint64_t last_seq = 0;
  {
    auto s = storage::open_store(b.open);
    CHECK(s->count_interactions() == 6);
    auto events = s->events(1, 1'000'000);
    REQUIRE(!events.empty());
    last_seq = events.back().seq;
    CHECK(last_seq == events.size());  // gap-free from 1
    CHECK(s->interaction(id["e2"])->state == static_cast<std::uint8_t>(wire::InteractionState::stopped));
    // A graceful stop disconnects the desktop first: the offer may be back in its queue by
    // the time the actors stop, or not. Either way it is recovered at its place.
    auto e3 = static_cast<wire::InteractionState>(s->interaction(id["e3"])->state);
    CHECK((e3 == wire::InteractionState::queued || e3 == wire::InteractionState::offered));
    CHECK(s->interaction(id["e1"])->state == static_cast<std::uint8_t>(wire::InteractionState::parked));
  }
  {
    auto e = start_engine_toml(domain_toml, b.sets);
    connected_client gw{e->port(listener_kind::interaction)};
    // The offered one is back at its old place, ahead of those that came after it.
    CHECK(queue_ids(gw, "sales") == std::vector<std::uint64_t>{id["e3"], id["e4"], id["e5"]});
    CHECK(queue_ids(gw, "support").size() == 1);
    auto info = call(gw, make([&](auto& fbb) { return wire::CreateGetInteraction(fbb, parked); }));
    REQUIRE(info.ok());
    auto* i = info.as<wire::InteractionData>()->info();
    CHECK(i->state() == wire::InteractionState::parked);
    CHECK(i->workbin()->str() == "agent:a1");
    REQUIRE(i->properties()->size() == 2);
    CHECK(i->properties()->Get(0)->text()->str() == "c-\t\"1\"\n");
    CHECK(i->properties()->Get(1)->number() == 42.5);
    // Resubmits find the old interactions, the stopped one too: no duplicates.
    auto again = call(gw, submit("e4", "sales"));
    REQUIRE(again.ok());
    CHECK(again.as<wire::Submitted>()->existing());
    CHECK(again.as<wire::Submitted>()->interaction_id() == id["e4"]);
    auto stopped = call(gw, submit("e2", "sales"));
    REQUIRE(stopped.ok());
    CHECK(stopped.as<wire::Submitted>()->existing());
    CHECK(stopped.as<wire::Submitted>()->state() == wire::InteractionState::stopped);
    // New work gets new ids and goes behind the recovered ones; events continue the sequence.
    connected_client rep{e->port(listener_kind::interaction), wire::ClientType::reporting};
    std::atomic<std::uint64_t> first_seq{0};
    rep.cl->on_event([&](const client::answer& ev) {
      if (auto* r = ev.as<wire::ReportingEvent>()) {
        std::uint64_t zero = 0;
        first_seq.compare_exchange_strong(zero, r->seq());
      }
    });
    REQUIRE(call(rep, make([](auto& fbb) { return wire::CreateSubscribeReporting(fbb); })).ok());
    auto fresh = call(gw, submit("e7", "sales"));
    REQUIRE(fresh.ok());
    CHECK(fresh.as<wire::Submitted>()->interaction_id() > id["e6"]);
    CHECK(queue_ids(gw, "sales").back() == fresh.as<wire::Submitted>()->interaction_id());
    REQUIRE(eventually([&] { return first_seq.load() != 0; }));
    // Recovery itself reported (one `recovered` per interaction), so the stream is past last_seq.
    CHECK(first_seq.load() > last_seq + 4);
    e->stop();
  }
  auto s = storage::open_store(b.open);
  for (auto& [ext, iid] : id)
    CHECK(s->by_external_id("default", ext).size() == 1);
  for (auto& session : s->sessions("a1"))
    CHECK(session.logout_ms != 0);
  auto events = s->events(1, 1'000'000);
  CHECK(events.back().seq == events.size());  // still gap-free across the restart
  // Recovery writes a queued interaction's events, not its row again (the row says where it
  // waits already); an offered one is written back as queued. A second restart finds the
  // same order.
  CHECK(s->interaction(id["e3"])->state == static_cast<std::uint8_t>(wire::InteractionState::queued));
  CHECK(s->interaction(id["e4"])->state == static_cast<std::uint8_t>(wire::InteractionState::queued));
  auto e = start_engine_toml(domain_toml, b.sets);
  connected_client gw{e->port(listener_kind::interaction)};
  auto sales = queue_ids(gw, "sales");
  REQUIRE(sales.size() == 4);
  CHECK(std::vector<std::uint64_t>(sales.begin(), sales.begin() + 3) == std::vector<std::uint64_t>{id["e3"], id["e4"], id["e5"]});
  CHECK(queue_ids(gw, "support").size() == 1);
  e->stop();
}

/// The bus's status (its scoped actor gone before the engine stops: it waits for every actor).
bus_status bus_state(engine::engine& e) {
  bus_status status;
  caf::scoped_actor self{e.system()};
  self->request(e.domain()->bus, caf::infinite, state_atom_v).receive([&](bus_status& s) { status = s; },
                                                                     [](caf::error&) {});
  return status;
}

/// The seq of every ReportingEvent a reporting client gets, in order.
struct reporting_reader {
  std::mutex mx;
  std::vector<std::uint64_t> seqs;
  std::unique_ptr<connected_client> rep;

  reporting_reader(engine::engine& e, std::uint64_t from_seq) {
    rep = std::make_unique<connected_client>(e.port(listener_kind::interaction), wire::ClientType::reporting);
    rep->cl->on_event([this](const client::answer& ev) {
      if (auto* r = ev.as<wire::ReportingEvent>()) {
        std::lock_guard lock{mx};
        seqs.push_back(r->seq());
      }
    });
    REQUIRE(call(*rep, make([=](auto& fbb) { return wire::CreateSubscribeReporting(fbb, from_seq); })).ok());
  }
  std::vector<std::uint64_t> got() {
    std::lock_guard lock{mx};
    return seqs;
  }
};

void replay_across_restart(const backend& b) {
  CAPTURE(b.name);
  auto stored = [&] {
    auto events = storage::open_store(b.open)->events(1, 1'000'000);
    return events.empty() ? std::uint64_t{0} : events.back().seq;
  };
  {
    auto e = start_engine_toml(domain_toml, b.sets);
    connected_client gw{e->port(listener_kind::interaction)};
    for (int i = 0; i < 1000; ++i)
      REQUIRE(call(gw, submit("r" + std::to_string(i), "sales")).ok());
    e->stop();
  }
  auto before = stored();
  REQUIRE(before >= 2000);
  // A hold of 1 event: the calls below overflow it (a commit of theirs during a replay is
  // enough: events are held once stored), so the replay reads what the bus let go from the
  // store too before it goes live.
  auto sets = b.sets;
  sets.push_back("limits.replay_hold_events=1");
  auto e = start_engine_toml(domain_toml, sets);
  connected_client gw{e->port(listener_kind::interaction)};
  // Calls go on while the two readers replay: theirs are held back and follow the stored.
  // Pipelined, 100 at a time, the readers start once the first are answered (committed).
  std::atomic<int> rounds{0};
  std::atomic<bool> loading{true};
  std::thread load([&] {
    for (int r = 0; r < 200 && (loading || r < 20); ++r, ++rounds) {
      std::vector<std::future<client::answer>> answers;
      for (int i = 0; i < 100; ++i)
        answers.push_back(gw.cl->request(submit("l" + std::to_string(r * 100 + i), "support")));
      for (auto& a : answers)
        CHECK(a.get().ok());
    }
  });
  REQUIRE(eventually([&] { return rounds > 0; }, 10s));
  reporting_reader all{*e, 1};
  reporting_reader part{*e, before - 5};
  // Whether a commit falls within a replay is timing: more replays until one did.
  for (int i = 0; i < 40 && bus_state(*e).replay_overflows == 0; ++i) {
    reporting_reader extra{*e, 1};
    CHECK(eventually([&] { return extra.got().size() >= before; }, 10s));
  }
  loading = false;
  load.join();
  REQUIRE(call(gw, submit("last", "sales")).ok());  // live for both
  REQUIRE(eventually([&] { auto s = all.got(); return !s.empty() && s.back() == stored(); }, 10s));
  REQUIRE(eventually([&] { auto s = part.got(); return !s.empty() && s.back() == stored(); }, 10s));
  auto seqs = all.got();
  CHECK(seqs.size() == stored());  // 1, 2, ... in order, each once
  for (std::size_t i = 0; i < seqs.size(); ++i)
    if (seqs[i] != i + 1) {
      FAIL_CHECK("event " << i << " is seq " << seqs[i]);
      break;
    }
  auto status = bus_state(*e);
  CHECK(status.replays >= 2);
  CHECK(status.replay_overflows >= 1);  // the path where the bus lets go and the store has them
  auto tail = part.got();
  CHECK(tail.front() == before - 5);
  CHECK(tail.size() == stored() - (before - 5) + 1);
  // A live subscription (0) starts where the stream is.
  reporting_reader live{*e, 0};
  REQUIRE(call(gw, submit("after", "sales")).ok());
  REQUIRE(eventually([&] { return !live.got().empty(); }, 5s));
  CHECK(live.got().front() > before);
  e->stop();
}

/// Every VqEvent a VQ client on 7122 gets, in order: (seq, vq, tenant).
struct vq_reader {
  std::mutex mx;
  std::vector<std::tuple<std::uint64_t, std::string, std::string>> got_events;
  std::unique_ptr<connected_client> vq;

  vq_reader(engine::engine& e, std::uint64_t from_seq, std::vector<std::string> queues) {
    vq = std::make_unique<connected_client>(e.port(listener_kind::vq), wire::ClientType::stat_client);
    vq->cl->on_event([this](const client::answer& ev) {
      if (auto* r = ev.as<wire::VqEvent>()) {
        std::lock_guard lock{mx};
        got_events.emplace_back(r->seq(), r->vq() ? r->vq()->str() : "", r->tenant() ? r->tenant()->str() : "");
      }
    });
    REQUIRE(call(*vq, make([=](auto& fbb) {
                   return wire::CreateVqSubscribe(fbb, fbb.CreateVectorOfStrings(queues), from_seq);
                 })).ok());
  }
  std::vector<std::uint64_t> seqs() {
    std::lock_guard lock{mx};
    std::vector<std::uint64_t> out;
    for (auto& e : got_events)
      out.push_back(std::get<0>(e));
    return out;
  }
  std::vector<std::tuple<std::uint64_t, std::string, std::string>> events() {
    std::lock_guard lock{mx};
    return got_events;
  }
};

void vq_replay_across_restart(const backend& b) {
  CAPTURE(b.name);
  auto stored = [&] { return storage::open_store(b.open)->vq_events(1, 10'000'000); };
  {
    auto e = start_engine_toml(domain_toml, b.sets);
    connected_client gw{e->port(listener_kind::interaction)};
    for (int i = 0; i < 500; ++i)
      REQUIRE(call(gw, submit("v" + std::to_string(i), i % 2 ? "sales" : "support")).ok());
    e->stop();
  }
  auto first = stored();
  REQUIRE(first.size() >= 500);  // an `entered` per call
  CHECK(first.back().seq == first.size());  // gap-free from 1
  auto before = first.back().seq;
  auto sets = b.sets;
  sets.push_back("limits.replay_hold_events=1");  // overflows: the store has what the bus let go
  auto e = start_engine_toml(domain_toml, sets);
  connected_client gw{e->port(listener_kind::interaction)};
  std::atomic<int> rounds{0};  // as in replay_across_restart
  std::atomic<bool> loading{true};
  std::thread load([&] {
    for (int r = 0; r < 200 && (loading || r < 10); ++r, ++rounds) {
      std::vector<std::future<client::answer>> answers;
      for (int i = 0; i < 100; ++i)
        answers.push_back(gw.cl->request(submit("w" + std::to_string(r * 100 + i), i % 2 ? "sales" : "support")));
      for (auto& a : answers)
        CHECK(a.get().ok());
    }
  });
  REQUIRE(eventually([&] { return rounds > 0; }, 10s));
  vq_reader all{*e, 1, {}};
  vq_reader sales{*e, before - 10, {"sales"}};
  for (int i = 0; i < 40 && bus_state(*e).replay_overflows == 0; ++i) {
    vq_reader extra{*e, 1, {}};
    CHECK(eventually([&] { return extra.seqs().size() >= before; }, 10s));
  }
  loading = false;
  load.join();
  REQUIRE(call(gw, submit("last", "sales")).ok());  // live for both
  auto last = [&] { auto s = stored(); return s.empty() ? std::uint64_t{0} : s.back().seq; };
  REQUIRE(eventually([&] { auto s = all.seqs(); return !s.empty() && s.back() == last(); }, 10s));
  REQUIRE(eventually([&] { auto s = sales.seqs(); return !s.empty() && s.back() == last(); }, 10s));
  auto log = stored();
  CHECK(log.back().seq == log.size());  // still gap-free across the restart
  auto seqs = all.seqs();
  CHECK(seqs.size() == log.size());  // 1, 2, ... in order, each once
  for (std::size_t i = 0; i < seqs.size(); ++i)
    if (seqs[i] != i + 1) {
      FAIL_CHECK("VQ event " << i << " is seq " << seqs[i]);
      break;
    }
  // The sales subscriber: exactly the stored sales events from its seq on, in order.
  std::vector<std::uint64_t> want;
  for (auto& r : log)
    if (r.vq == "sales" && r.seq >= before - 10)
      want.push_back(r.seq);
  CHECK(sales.seqs() == want);
  for (auto& [seq, vq, tenant] : sales.events()) {
    CHECK(vq == "sales");
    CHECK(tenant == "default");
  }
  auto status = bus_state(*e);
  CHECK(status.vq_seq == log.back().seq);
  CHECK(status.replays >= 2);
  CHECK(status.replay_overflows >= 1);
  // A live subscription (0) starts where the stream is.
  vq_reader live{*e, 0, {}};
  REQUIRE(call(gw, submit("after", "support")).ok());
  REQUIRE(eventually([&] { return !live.seqs().empty(); }, 5s));
  CHECK(live.seqs().front() > log.back().seq);
  e->stop();
}

void one_engine_per_database(const backend& b) {
  CAPTURE(b.name);
  auto sets = b.sets;
  sets.push_back("storage.connect_timeout_s=1");
  auto first = start_engine_toml(domain_toml, sets);
  std::string why;
  try {
    start_engine_toml(domain_toml, sets);
  } catch (const std::exception& e) {
    why = e.what();
  }
  CHECK(why.find("another parleyd uses") != std::string::npos);
  first->stop();
  first.reset();
  auto again = start_engine_toml(domain_toml, sets);  // free again once the first is gone
  CHECK(again->port(listener_kind::interaction) != 0);
}

} // namespace

TYPE_TO_STRING_AS("sqlite", on_sqlite);
TYPE_TO_STRING_AS("postgresql", on_postgresql);

TEST_CASE_TEMPLATE("an engine restarted on the same database carries on where it stopped", B,
                   on_sqlite, on_postgresql) {
  if (auto b = B::make())
    restarted_carries_on(*b);
}

TEST_CASE_TEMPLATE("reporting from a sequence number: the stored events, then the live ones, gap-free across a "
                   "restart", B, on_sqlite, on_postgresql) {
  if (auto b = B::make())
    replay_across_restart(*b);
}

TEST_CASE_TEMPLATE("VQ events from a sequence number on 7122: the stored ones of the subscribed queues, then the "
                   "live ones, gap-free across a restart", B, on_sqlite, on_postgresql) {
  if (auto b = B::make())
    vq_replay_across_restart(*b);
}

TEST_CASE_TEMPLATE("one engine per database: a second parleyd on the same storage refuses to start",
                   B, on_sqlite, on_postgresql) {
  if (auto b = B::make())
    one_engine_per_database(*b);
}

TEST_CASE("PostgreSQL stopped under load: busy while down, nothing acknowledged lost, back after "
          "<postgresql>") {
  auto pg = stoppable_pg("outage");
  if (!pg)
    return;
  auto& [dsn, stop_cmd, start_cmd] = *pg;
  auto e = start_engine_toml(domain_toml, {"storage.backend=\"postgresql\"",
                                           "storage.dsn=\"" + dsn + "\"",
                                           "storage.retry_min_ms=20", "storage.retry_max_ms=200",
                                           "timeouts.request_ms=2000"});
  connected_client gw{e->port(listener_kind::interaction)};
  std::vector<std::string> acked;
  std::size_t busy = 0, n = 0;
  auto load = [&](std::chrono::milliseconds how_long) {
    std::size_t ok = 0;
    auto until = std::chrono::steady_clock::now() + how_long;
    while (std::chrono::steady_clock::now() < until) {
      auto ext = "o" + std::to_string(++n);
      auto a = call(gw, submit(ext, "sales"));
      if (a.ok()) {
        acked.push_back(ext);
        ++ok;
      } else {
        CHECK(a.error_code() == wire::ErrorCode::storage_unavailable);
        ++busy;
        std::this_thread::sleep_for(5ms);
      }
    }
    return ok;
  };
  CHECK(load(500ms) > 0);
  REQUIRE(std::system(stop_cmd) == 0);
  auto busy_before = busy;
  load(3000ms);  // the first submit waits for its commit until timeouts.request_ms
  CHECK(busy > busy_before + 10);  // refused while down, with storage_unavailable
  CHECK(http_get(e->metrics_port(), "/readyz").status == 503);
  REQUIRE(std::system(start_cmd) == 0);
  // The writer retries by itself; new submits are accepted again.
  CHECK(eventually([&] { return load(200ms) > 0; }, 20s));
  auto after = load(500ms);
  CHECK(after > 0);
  CHECK(http_get(e->metrics_port(), "/readyz").status == 200);
  e->stop();
  auto s = storage::open_store(
    storage::config{storage::backend_kind::postgresql, "", storage::sync_mode::full, dsn, 5});
  for (auto& ext : acked)
    CHECK_MESSAGE(s->by_external_id("default", ext).size() == 1, ext);
  MESSAGE(acked.size() << " acknowledged, " << busy << " refused while PostgreSQL was down");
}

TEST_CASE("async durability buffers through an outage up to storage.max_pending, then refuses "
          "<postgresql>") {
  auto pg = stoppable_pg("bounded");
  if (!pg)
    return;
  auto& [dsn, stop_cmd, start_cmd] = *pg;
  auto e = start_engine_toml(domain_toml, {"storage.backend=\"postgresql\"",
                                           "storage.dsn=\"" + dsn + "\"",
                                           "storage.durability=\"async\"", "storage.max_pending=300",
                                           "storage.retry_min_ms=20", "storage.retry_max_ms=200"});
  connected_client gw{e->port(listener_kind::interaction)};
  REQUIRE(call(gw, submit("before", "sales")).ok());
  REQUIRE(std::system(stop_cmd) == 0);
  // Async: acknowledged at once and buffered; each submit is 2 rows (state + event), so the
  // bound is reached after about 150 and everything after is refused — the buffer stays bounded.
  std::vector<std::string> acked;
  std::size_t refused = 0;
  for (int i = 0; i < 400; ++i) {
    auto ext = "b" + std::to_string(i);
    auto a = call(gw, submit(ext, "sales"));
    if (a.ok()) {
      acked.push_back(ext);
    } else {
      CHECK(a.error_code() == wire::ErrorCode::storage_unavailable);
      CHECK(a.error_text().find("busy") != std::string::npos);
      ++refused;
    }
  }
  CHECK(acked.size() > 50);
  CHECK(acked.size() < 250);
  CHECK(refused > 100);
  REQUIRE(std::system(start_cmd) == 0);
  // The buffer drains by itself, and new work is taken again.
  CHECK(eventually([&] { return call(gw, submit("after-" + std::to_string(refused++), "sales")).ok(); }, 20s));
  e->stop();
  auto s = storage::open_store(
    storage::config{storage::backend_kind::postgresql, "", storage::sync_mode::full, dsn, 5});
  for (auto& ext : acked)
    CHECK_MESSAGE(s->by_external_id("default", ext).size() == 1, ext);
}
