// The storage conformance suite: one set of cases, run against every backend on a fresh
// real database each (SQLite: a temporary file; PostgreSQL: a new database on the server in
// PARLEY_TEST_PG_DSN). Whatever the engine relies on a store for is checked here — migrations,
// read-back of every field, upserts, all-or-nothing batches, recovery — so a backend that
// passes can replace the other. Cases that only make sense for one backend (file corruption,
// WAL mode, passwords, unreachable servers) follow at the end. The outbound tables' cases
// (lists, records, leases, suppression, denials, attempts) are in outbound_conformance_test.cpp,
// over the same PARLEY_BACKENDS. One file on purpose (past the
// ~600-line guideline): the list of what a backend must do is read in one place.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <unistd.h>

#include "fresh_database.hpp"
#include "support/child.hpp"

using namespace parley;
using namespace parley::test;
using storage::agent_session_row;
using storage::event_row;
using storage::interaction_row;

namespace {

// -- rows --------------------------------------------------------------------------

interaction_row irow(std::uint64_t id, std::uint8_t state = 1, std::string external_id = "") {
  interaction_row r;
  r.id = id;
  r.external_id = std::move(external_id);
  r.tenant = "t1";
  r.media = "voice";
  r.queue = "sales";
  r.priority = 5;
  r.state = state;
  r.agents = R"(["a1","a2"])";
  r.held = false;
  r.workbin = "";
  r.properties = R"([{"k":"lang","t":"en"},{"k":"score","n":42}])";
  r.submitted_ms = 1'700'000'000'000 + static_cast<std::int64_t>(id);
  r.changed_ms = r.submitted_ms + 10;
  r.entered_ms = r.submitted_ms + 5;
  r.queue_seq = id * 10;
  return r;
}

event_row erow(std::uint64_t seq, std::uint64_t iid = 0) {
  event_row e;
  e.seq = seq;
  e.engine_ms = 1'700'000'000'000 + static_cast<std::int64_t>(seq);
  e.source_ms = e.engine_ms - 3;
  e.kind = 2;
  e.tenant = "t1";
  e.iid = iid;
  e.agent = iid ? "" : "a1";
  e.queue = "sales";
  e.media = "voice";
  e.from_state = iid ? 1 : -1;
  e.state = 3;
  e.agent_state = 4;
  e.reason = "because";
  return e;
}

agent_session_row srow(std::uint64_t id, std::string agent = "a1", std::int64_t logout_ms = 0) {
  return {id, "t1", std::move(agent), "desk-" + std::to_string(id),
          1'700'000'000'000 + static_cast<std::int64_t>(id), logout_ms,
          logout_ms ? "logout" : ""};
}

/// JSON text compared by meaning: PostgreSQL hands jsonb back normalized (spacing, key order).
bool same_json(const std::string& a, const std::string& b) {
  try {
    return nlohmann::json::parse(a) == nlohmann::json::parse(b);
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

void check_same(const interaction_row& got, const interaction_row& want) {
  CAPTURE(want.id);
  CHECK(got.id == want.id);
  CHECK(got.external_id == want.external_id);
  CHECK(got.tenant == want.tenant);
  CHECK(got.media == want.media);
  CHECK(got.queue == want.queue);
  CHECK(got.priority == want.priority);
  CHECK(int{got.state} == int{want.state});
  CHECK_MESSAGE(same_json(got.agents, want.agents), got.agents << " vs " << want.agents);
  CHECK(got.held == want.held);
  CHECK(got.workbin == want.workbin);
  CHECK_MESSAGE(same_json(got.properties, want.properties),
                got.properties << " vs " << want.properties);
  CHECK(got.submitted_ms == want.submitted_ms);
  CHECK(got.changed_ms == want.changed_ms);
  CHECK(got.entered_ms == want.entered_ms);
  CHECK(got.queue_seq == want.queue_seq);
}

void check_same(const event_row& got, const event_row& want) {
  CAPTURE(want.seq);
  CHECK(got.seq == want.seq);
  CHECK(got.engine_ms == want.engine_ms);
  CHECK(got.source_ms == want.source_ms);
  CHECK(int{got.kind} == int{want.kind});
  CHECK(got.tenant == want.tenant);
  CHECK(got.iid == want.iid);
  CHECK(got.agent == want.agent);
  CHECK(got.queue == want.queue);
  CHECK(got.media == want.media);
  CHECK(got.from_state == want.from_state);
  CHECK(int{got.state} == int{want.state});
  CHECK(int{got.agent_state} == int{want.agent_state});
  CHECK(got.reason == want.reason);
}

void check_same(const agent_session_row& got, const agent_session_row& want) {
  CAPTURE(want.id);
  CHECK(got.id == want.id);
  CHECK(got.tenant == want.tenant);
  CHECK(got.agent == want.agent);
  CHECK(got.client == want.client);
  CHECK(got.login_ms == want.login_ms);
  CHECK(got.logout_ms == want.logout_ms);
  CHECK(got.reason == want.reason);
}

/// The interaction as stored, failing the case when it is absent.
interaction_row stored(storage::store& s, std::uint64_t id) {
  auto r = s.interaction(id);
  REQUIRE_MESSAGE(r.has_value(), "interaction " << id << " is missing");
  return *r;
}

/// The message of the storage_error `f` throws ("" and a failed check when it throws none).
template <class F>
std::string storage_error_of(F f) {
  try {
    f();
  } catch (const storage::storage_error& e) {
    return e.what();
  }
  FAIL_CHECK("no storage_error thrown");
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

// -- the conformance suite: every backend ------------------------------------------

TEST_CASE_TEMPLATE("storage: migrations bring an empty database to the current schema once",
                   B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->open();
  auto backend = db->config().backend;
  REQUIRE(!storage::migrations(backend).empty());
  auto current = static_cast<int>(storage::migrations(backend).size());
  CHECK(s->schema_version() == 0);
  s->migrate();
  CHECK(s->schema_version() == current);

  storage::batch b;
  b.interactions.push_back(irow(1));
  s->write(b);
  s->migrate();  // a no-op: nothing re-created, nothing lost
  CHECK(s->schema_version() == current);
  CHECK(s->count_interactions() == 1);

  // The next start (a new store) finds the schema in place.
  s.reset();
  auto again = db->open();
  CHECK(again->schema_version() == current);
  again->migrate();
  CHECK(again->count_interactions() == 1);
}

TEST_CASE_TEMPLATE("storage: a schema newer than this binary knows is refused", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  db->migrated().reset();
  db->exec("UPDATE schema_version SET version = 999");
  auto s = db->open();
  CHECK(s->schema_version() == 999);
  std::string what;
  try {
    s->migrate();
  } catch (const storage::storage_error& e) {
    what = e.what();
    CHECK_FALSE(e.transient());
  }
  CAPTURE(what);
  CHECK(contains(what, "newer"));
  CHECK(contains(what, "999"));
  CHECK(s->schema_version() == 999);  // left as it was
}

TEST_CASE_TEMPLATE("storage: a batch reads back field by field", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  CHECK(s->count_interactions() == 0);
  CHECK(!s->interaction(1).has_value());
  CHECK(s->events(0, 100).empty());
  CHECK(s->sessions("a1").empty());

  storage::batch b;
  b.interactions = {irow(1, 1, "ext-1"), irow(2, 3, "ext-2"), irow(3, 5)};
  b.interactions[1].tenant = "t2";
  b.interactions[1].held = true;
  b.interactions[1].workbin = "callbacks";
  b.interactions[1].priority = -7;
  b.interactions[1].agents = "[]";
  b.interactions[1].properties = "[]";
  b.interactions[2].queue_seq = 9'007'199'254'740'993;  // past a double's exact integers
  b.interactions[2].submitted_ms = -1;
  for (std::uint64_t seq = 1; seq <= 5; ++seq)
    b.events.push_back(erow(seq, seq % 2 ? seq : 0));
  b.sessions = {srow(1, "a1"), srow(2, "a2", 1'700'000'000'500), srow(3, "a1", 1'700'000'000'900)};
  s->write(b);

  CHECK(s->count_interactions() == 3);
  for (auto& want : b.interactions)
    check_same(stored(*s, want.id), want);
  CHECK(!s->interaction(4).has_value());

  auto one = s->by_external_id("t1", "ext-1");
  REQUIRE(one.size() == 1);
  check_same(one[0], b.interactions[0]);
  CHECK(s->by_external_id("t2", "ext-1").empty());  // the tenant is part of the key
  CHECK(s->by_external_id("t1", "ext-2").empty());
  CHECK(s->by_external_id("t2", "ext-2").size() == 1);

  auto all = s->events(0, 100);
  REQUIRE(all.size() == 5);
  for (std::size_t i = 0; i < all.size(); ++i)
    check_same(all[i], b.events[i]);
  auto page = s->events(2, 2);
  REQUIRE(page.size() == 2);
  CHECK(page[0].seq == 2);
  CHECK(page[1].seq == 3);
  CHECK(s->events(6, 10).empty());

  auto a1 = s->sessions("a1");
  REQUIRE(a1.size() == 2);
  check_same(a1[0], b.sessions[0]);
  check_same(a1[1], b.sessions[2]);
  auto a2 = s->sessions("a2");
  REQUIRE(a2.size() == 1);
  check_same(a2[0], b.sessions[1]);
  CHECK(s->sessions("a3").empty());
}

TEST_CASE_TEMPLATE("storage: interaction and session rows are upserts by id", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  storage::batch first;
  first.interactions = {irow(7, 1, "ext-7")};
  first.sessions = {srow(4, "a1")};
  s->write(first);

  // The same ids again: every field that changes during an interaction's life changes.
  auto later = irow(7, 3, "ext-7");
  later.queue = "support";
  later.priority = 9;
  later.agents = R"(["a9"])";
  later.held = true;
  later.workbin = "wb";
  later.properties = R"([{"k":"lang","t":"fr"}])";
  later.changed_ms += 1000;
  later.entered_ms += 900;
  later.queue_seq = 77;
  auto closed = srow(4, "a1", 1'700'000'009'000);
  closed.reason = "logged out";
  storage::batch second;
  second.interactions = {later};
  second.sessions = {closed};
  s->write(second);

  CHECK(s->count_interactions() == 1);
  check_same(stored(*s, 7), later);
  auto sessions = s->sessions("a1");
  REQUIRE(sessions.size() == 1);
  check_same(sessions[0], closed);
  CHECK(s->by_external_id("t1", "ext-7").size() == 1);
}

TEST_CASE_TEMPLATE("storage: a failed batch leaves nothing behind and the store goes on", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  storage::batch good;
  good.interactions = {irow(1)};
  good.events = {erow(1, 1)};
  good.sessions = {srow(1, "a1")};
  s->write(good);

  // Every part of the batch has rows that would be fine alone; event 1 already exists.
  storage::batch bad;
  auto changed = irow(1, 3);
  changed.queue = "elsewhere";
  bad.interactions = {changed, irow(2), irow(3)};
  bad.events = {erow(2, 2), erow(3, 3), erow(1, 1)};
  bad.sessions = {srow(1, "a1", 1'700'000'001'000), srow(2, "b1")};
  bool transient = true;
  auto what = storage_error_of([&] {
    try {
      s->write(bad);
    } catch (const storage::storage_error& e) {
      transient = e.transient();
      throw;
    }
  });
  CAPTURE(what);
  CHECK_FALSE(transient);  // a duplicate key does not go away by trying again

  CHECK(s->count_interactions() == 1);
  CHECK(!s->interaction(2).has_value());
  CHECK(!s->interaction(3).has_value());
  check_same(stored(*s, 1), irow(1));
  auto events = s->events(0, 100);
  REQUIRE(events.size() == 1);
  check_same(events[0], erow(1, 1));
  CHECK(s->sessions("b1").empty());
  auto a1 = s->sessions("a1");
  REQUIRE(a1.size() == 1);
  check_same(a1[0], srow(1, "a1"));

  // A duplicate inside one batch fails the same way.
  storage::batch twice;
  twice.interactions = {irow(4)};
  twice.events = {erow(5), erow(5)};
  storage_error_of([&] { s->write(twice); });
  CHECK(!s->interaction(4).has_value());
  CHECK(s->events(0, 100).size() == 1);

  // The next good batch goes in as if nothing had happened.
  storage::batch next;
  next.interactions = {irow(2), changed};
  next.events = {erow(2, 2), erow(3, 3)};
  next.sessions = {srow(2, "b1")};
  s->write(next);
  CHECK(s->count_interactions() == 2);
  check_same(stored(*s, 1), changed);
  check_same(stored(*s, 2), irow(2));
  CHECK(s->events(0, 100).size() == 3);
  CHECK(s->sessions("b1").size() == 1);
  CHECK(s->ping());
}

TEST_CASE_TEMPLATE("storage: recover() on an empty database", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto rec = s->recover(100, 5);
  CHECK(rec.live.empty());
  CHECK(rec.finished.empty());
  CHECK(rec.max_interaction_id == 0);
  CHECK(rec.max_seq == 0);
  CHECK(rec.max_session_id == 0);
  CHECK(rec.closed_sessions == 0);
}

TEST_CASE_TEMPLATE("storage: recover() returns live and finished interactions and closes "
                   "open sessions",
                   B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  storage::batch b;
  // 5 is stopped (wire::InteractionState::stopped); everything else is live.
  b.interactions = {irow(1, 1, "e1"), irow(2, 5, "e2"), irow(3, 5),       irow(4, 5, "e4"),
                    irow(5, 3),       irow(6, 5, "e6"), irow(10, 5, "e10"), irow(8, 0, "e8"),
                    irow(9, 4)};
  for (std::uint64_t seq = 1; seq <= 7; ++seq)
    b.events.push_back(erow(seq));
  b.sessions = {srow(1, "a1"), srow(2, "a1", 500), srow(3, "a2"), srow(4, "a3", 700)};
  s->write(b);

  const std::int64_t now = 1'800'000'000'000;
  auto rec = s->recover(2, now);
  REQUIRE(rec.live.size() == 4);
  check_same(rec.live[0], b.interactions[0]);  // by id
  check_same(rec.live[1], b.interactions[4]);
  check_same(rec.live[2], b.interactions[7]);
  check_same(rec.live[3], b.interactions[8]);
  REQUIRE(rec.finished.size() == 2);  // the newest two with an external id, newest first
  check_same(rec.finished[0], b.interactions[6]);
  check_same(rec.finished[1], b.interactions[5]);
  CHECK(rec.max_interaction_id == 10);
  CHECK(rec.max_seq == 7);
  CHECK(rec.max_session_id == 4);
  CHECK(rec.closed_sessions == 2);

  auto a1 = s->sessions("a1");
  REQUIRE(a1.size() == 2);
  CHECK(a1[0].logout_ms == now);
  CHECK(a1[0].reason == "engine restart");
  check_same(a1[1], b.sessions[1]);  // already closed: untouched
  auto a2 = s->sessions("a2");
  REQUIRE(a2.size() == 1);
  CHECK(a2[0].logout_ms == now);
  CHECK(a2[0].reason == "engine restart");
  check_same(s->sessions("a3").at(0), b.sessions[3]);

  // A wider limit finds every finished one with an external id (not 3: it has none).
  auto wide = s->recover(100, now + 1);
  REQUIRE(wide.finished.size() == 4);
  CHECK(wide.finished[0].id == 10);
  CHECK(wide.finished[1].id == 6);
  CHECK(wide.finished[2].id == 4);
  CHECK(wide.finished[3].id == 2);
  CHECK(wide.closed_sessions == 0);  // closed by the first recovery
  CHECK(s->sessions("a1")[0].logout_ms == now);
  CHECK(s->recover(0, now).finished.empty());
}

TEST_CASE_TEMPLATE("storage: awkward text and JSON survive the round trip", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  const std::vector<std::string> texts{
    "",
    "tab\there",
    "new\nline",
    "carriage\rreturn\r\n",
    "back\\slash\\",
    "\\N",
    "\\.",
    "\\.\n\\.",
    "quote's \"double\" `back`",
    "'; DROP TABLE interactions; --",
    "$1 ?1 %s {}",
    "unicode: é ß 日本語 🎧",
    std::string(5000, 'x') + "\t" + std::string(5000, '\\'),
  };
  storage::batch b;
  std::uint64_t id = 1;
  for (auto& t : texts) {
    auto r = irow(id, 1, t);
    r.tenant = t;
    r.media = t;
    r.queue = t;
    r.workbin = t;
    r.agents = nlohmann::json::array({t, "a"}).dump();
    r.properties = nlohmann::json::array({{{"k", t}, {"t", t}}}).dump();
    b.interactions.push_back(r);
    auto e = erow(id, id);
    e.tenant = t;
    e.agent = t;
    e.queue = t;
    e.media = t;
    e.reason = t;
    b.events.push_back(e);
    auto se = srow(id, "agent " + t, 1);
    se.tenant = t;
    se.client = t;
    se.reason = t;
    b.sessions.push_back(se);
    ++id;
  }
  // Numbers in properties: integers, fractions, exponents, negatives.
  auto numbers = irow(id);
  numbers.properties =
    R"([{"k":"i","n":42},{"k":"f","n":0.1},{"k":"neg","n":-3.25},{"k":"big","n":1e20},)"
    R"({"k":"small","n":1.5e-7},{"k":"zero","n":0}])";
  b.interactions.push_back(numbers);
  s->write(b);

  for (auto& want : b.interactions)
    check_same(stored(*s, want.id), want);
  auto events = s->events(0, 1000);
  REQUIRE(events.size() == b.events.size());
  for (std::size_t i = 0; i < events.size(); ++i)
    check_same(events[i], b.events[i]);
  for (auto& want : b.sessions) {
    auto got = s->sessions(want.agent);
    REQUIRE(got.size() == 1);
    check_same(got[0], want);
  }
  for (std::size_t i = 1; i < texts.size(); ++i) {  // "" is everyone without an external id
    auto found = s->by_external_id(texts[i], texts[i]);
    REQUIRE(found.size() == 1);
    CHECK(found[0].id == i + 1);
  }
}

TEST_CASE_TEMPLATE("storage: empty JSON columns read back as empty arrays", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto r = irow(1);
  r.agents = "";
  r.properties = "";
  storage::batch b;
  b.interactions = {r};
  s->write(b);
  auto got = stored(*s, 1);
  CHECK_MESSAGE(same_json(got.agents, "[]"), got.agents);
  CHECK_MESSAGE(same_json(got.properties, "[]"), got.properties);
}

TEST_CASE_TEMPLATE("storage: a batch of 10,000 rows", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  storage::batch b;
  for (std::uint64_t i = 1; i <= 4000; ++i)
    b.interactions.push_back(irow(i, static_cast<std::uint8_t>(i % 6), "x" + std::to_string(i)));
  for (std::uint64_t seq = 1; seq <= 5000; ++seq)
    b.events.push_back(erow(seq, seq % 4000));
  for (std::uint64_t i = 1; i <= 1000; ++i)
    b.sessions.push_back(srow(i, "agent" + std::to_string(i % 10)));
  REQUIRE(b.size() == 10'000);
  s->write(b);

  CHECK(s->count_interactions() == 4000);
  for (std::uint64_t i : {1, 2, 1999, 4000})
    check_same(stored(*s, i), b.interactions[i - 1]);
  auto events = s->events(1, 20'000);
  REQUIRE(events.size() == 5000);
  for (std::size_t i = 0; i < events.size(); ++i)
    REQUIRE(events[i].seq == i + 1);
  check_same(events[4999], b.events[4999]);
  CHECK(s->sessions("agent3").size() == 100);
  auto rec = s->recover(10, 1);
  CHECK(rec.live.size() == 4000 - 4000 / 6);  // ids ≡ 5 (mod 6) are stopped
  CHECK(rec.finished.size() == 10);
  CHECK(rec.finished[0].id == 3995);
  CHECK(rec.max_seq == 5000);
  CHECK(rec.closed_sessions == 1000);
}

TEST_CASE_TEMPLATE("storage: ping() answers", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->open();
  CHECK(s->ping());
  s->migrate();
  CHECK(s->ping());
}

// -- SQLite only -------------------------------------------------------------------

TEST_CASE("storage/sqlite: a file that is not a database is refused") {
  for (auto& garbage : {std::string(4096, '\x5a'), std::string("hello, I am a text file\n")}) {
    auto path = temp_dir() + "/parley.db";
    std::ofstream{path, std::ios::binary} << garbage;
    storage::config c;
    c.path = path;
    auto what = storage_error_of([&] { storage::open_store(c); });
    CAPTURE(what);
    CHECK(contains(what, "not a database"));
    CHECK(contains(what, path));
  }
}

TEST_CASE("storage/sqlite: a missing parent directory is created") {
  storage::config c;
  c.path = temp_dir() + "/var/lib/parley/parley.db";
  auto s = storage::open_store(c);
  s->migrate();
  CHECK(s->describe() == "sqlite " + c.path);
  std::ifstream in{c.path};
  CHECK(in.good());
}

TEST_CASE("storage/sqlite: the database is in WAL mode") {
  auto db = fresh_sqlite();
  auto s = db->migrated();
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(db->config().path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr)
          == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string{reinterpret_cast<const char*>(sqlite3_column_text(st, 0))} == "wal");
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST_CASE("storage/sqlite: a read-only file is refused") {
  if (::geteuid() == 0) {
    MESSAGE("running as root (file permissions do not bind): covered by storage_startup_tests");
    return;
  }
  auto db = fresh_sqlite();
  db->migrated().reset();
  REQUIRE(::chmod(db->config().path.c_str(), 0444) == 0);
  auto what = storage_error_of([&] { db->open(); });
  CAPTURE(what);
  CHECK(contains(what, "read-only"));
  CHECK(contains(what, db->config().path));
}

// -- PostgreSQL only ---------------------------------------------------------------

namespace {

/// The value of `keyword` in a key=value connection string ("" when absent).
std::string dsn_value(const std::string& dsn, const std::string& keyword) {
  auto at = dsn.find(keyword + "=");
  if (at == std::string::npos)
    return "";
  auto from = at + keyword.size() + 1;
  return dsn.substr(from, dsn.find(' ', from) - from);
}

/// A loopback port nothing listens on (bound then released: nobody else takes it that fast).
std::uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

} // namespace

TEST_CASE("storage/postgresql: a wrong password is refused, naming the cause <postgresql>") {
  auto dsn = test_pg_dsn();
  if (!dsn)
    return;
  storage::config c;
  c.backend = storage::backend_kind::postgresql;
  c.dsn = *dsn + " password=not-the-password-7f3a";
  auto what = storage_error_of([&] { storage::open_store(c); });
  CAPTURE(what);
  CHECK(contains(what, "password authentication failed"));
  CHECK(!contains(what, "not-the-password-7f3a"));
}

TEST_CASE("storage/postgresql: an unreachable server is refused, naming the host") {
  auto port = std::to_string(closed_port());
  storage::config c;
  c.backend = storage::backend_kind::postgresql;
  c.dsn = "host=127.0.0.1 port=" + port + " dbname=x user=x password=secret-b41d";
  c.connect_timeout_s = 2;
  auto what = storage_error_of([&] { storage::open_store(c); });
  CAPTURE(what);
  CHECK(contains(what, "127.0.0.1"));
  CHECK(contains(what, port));
  CHECK(contains(what, "Connection refused"));
  CHECK(!contains(what, "secret-b41d"));
}

TEST_CASE("storage/postgresql: describe() and errors never show the password <postgresql>") {
  auto db = fresh_postgresql();
  if (!db)
    return;
  auto c = db->config();
  auto password = dsn_value(c.dsn, "password");
  REQUIRE(!password.empty());
  auto s = db->migrated();
  CAPTURE(s->describe());
  CHECK(contains(s->describe(), "postgresql "));
  CHECK(contains(s->describe(), "dbname=conf_"));
  CHECK(!contains(s->describe(), password));

  // A failing write reports the server's error, not the connection string.
  storage::batch b;
  b.events = {erow(1), erow(1)};
  auto what = storage_error_of([&] { s->write(b); });
  CAPTURE(what);
  CHECK(!contains(what, password));

  // The URI form of the same connection: the password is hidden there, too.
  auto host = dsn_value(c.dsn, "host");
  auto port = dsn_value(c.dsn, "port");
  auto user = dsn_value(c.dsn, "user");
  storage::config uri = c;
  uri.dsn = "postgresql://" + user + ":" + password + "@" + host + ":" + port + "/"
            + dsn_value(c.dsn.substr(c.dsn.rfind("dbname=")), "dbname");
  auto via_uri = storage::open_store(uri);
  CAPTURE(via_uri->describe());
  CHECK(!contains(via_uri->describe(), password));
  CHECK(via_uri->schema_version() > 0);
}
