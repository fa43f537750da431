// storage: rows per second through the persistence writer (the real group-commit actor and
// backend), next to the limit measured in the same run on the same database:
//   postgresql: a raw COPY of the very same rows (same bytes) into plain tables;
//   sqlite:     the very same rows written as one single transaction by the backend.
// The rows look like a lifecycle's: per interaction one current-state row (with two
// properties) and five reporting events.
#include <filesystem>
#include <thread>

#include <caf/all.hpp>
#include <libpq-fe.h>
#include <unistd.h>

#include "actors/persistence/rows.hpp"
#include "actors/persistence/writer.hpp"
#include "actors/runtime/types.hpp"
#include "bench/parley_bench/scenarios.hpp"
#include "engine/config.hpp"
#include "storage/pg_copy.hpp"

namespace parley::bench {

namespace {

storage::batch make_rows(std::uint64_t interactions) {
  storage::batch b;
  std::uint64_t seq = 0;
  for (std::uint64_t i = 1; i <= interactions; ++i) {
    storage::interaction_row r;
    r.id = i;
    r.external_id = "ext-" + std::to_string(i);
    r.tenant = "default";
    r.media = "voice";
    r.queue = "sales";
    r.state = 1;
    r.agents = "[]";
    r.properties = R"([{"k":"customer","t":"c-)" + std::to_string(i % 9973) + R"("},{"k":"amount","n":42.5}])";
    r.submitted_ms = r.changed_ms = r.entered_ms = 1'700'000'000'000 + static_cast<std::int64_t>(i);
    r.queue_seq = i;
    b.interactions.push_back(r);
    for (std::uint8_t k : {0, 1, 2, 3, 14}) {
      storage::event_row e;
      e.seq = ++seq;
      e.engine_ms = e.source_ms = r.changed_ms;
      e.kind = k;
      e.tenant = "default";
      e.iid = i;
      e.agent = k >= 2 ? "agent-" + std::to_string(i % 500) : "";
      e.queue = "sales";
      e.media = "voice";
      e.from_state = k == 0 ? -1 : static_cast<std::int16_t>(k - 1);
      e.state = k == 14 ? 5 : k;
      b.events.push_back(std::move(e));
    }
  }
  return b;
}

/// The writer at full speed: every row sent at once, then one sync; seconds until committed.
double through_writer(std::shared_ptr<storage::store> st, const storage::batch& rows,
                      const engine::storage_config& sc, std::uint64_t& batches) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 1);
  caf::actor_system sys{cfg};
  auto metrics = std::make_shared<domain_metrics>();
  writer_config wc;
  wc.batch_size = sc.batch_size;
  wc.batch_delay = sc.batch_delay;
  wc.max_pending = rows.size() + 1;
  auto w = spawn_writer(sys, std::move(st), wc, metrics);
  // Interaction actors send their state (the writer makes the row): the same, prepared here.
  std::vector<interaction_view> views;
  for (auto& row : rows.interactions)
    views.push_back(from_row(row));
  auto t0 = steady::now();
  caf::scoped_actor self{sys};
  // Interleaved as the engine produces them: a state, then its events.
  for (std::size_t i = 0; i < rows.interactions.size(); ++i) {
    auto& row = rows.interactions[i];
    self->send(w, persist_atom_v, views[i], row.queue_seq, row.entered_ms);
    for (std::size_t k = 0; k < 5; ++k)
      self->send(w, persist_atom_v, rows.events[i * 5 + k]);
  }
  std::string failure;
  self->request(w, std::chrono::minutes{10}, sync_atom_v)
    .receive([](caf::ok_atom) {}, [&](caf::error& e) { failure = caf::to_string(e); });
  auto s = std::chrono::duration<double>(steady::now() - t0).count();
  batches = metrics->storage.batches.load();
  self->send_exit(w, caf::exit_reason::user_shutdown);
  if (!failure.empty())
    throw std::runtime_error("the writer failed: " + failure);
  return s;
}

/// The same bytes COPYed into plain tables: PostgreSQL's own limit for these rows.
double raw_copy(const std::string& dsn, const storage::batch& rows) {
  auto* c = PQconnectdb(dsn.c_str());
  if (PQstatus(c) != CONNECTION_OK)
    throw std::runtime_error(std::string{"reference COPY: "} + PQerrorMessage(c));
  auto exec = [&](const char* sql) {
    auto* r = PQexec(c, sql);
    auto ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    if (!ok)
      throw std::runtime_error(std::string{"reference COPY: "} + PQerrorMessage(c));
  };
  exec("CREATE TABLE ref_events (LIKE events INCLUDING ALL)");
  exec("CREATE TABLE ref_interactions (LIKE interactions INCLUDING ALL)");
  std::string ev, in;
  storage::copy_events(ev, rows.events);
  storage::copy_interactions(in, rows.interactions);
  auto t0 = steady::now();
  for (auto [sql, text] : {std::pair{"COPY ref_events FROM STDIN", &ev},
                           std::pair{"COPY ref_interactions FROM STDIN", &in}}) {
    exec(sql);
    if (PQputCopyData(c, text->data(), static_cast<int>(text->size())) != 1
        || PQputCopyEnd(c, nullptr) != 1)
      throw std::runtime_error(std::string{"reference COPY: "} + PQerrorMessage(c));
    auto* r = PQgetResult(c);
    auto ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    while (auto* more = PQgetResult(c))
      PQclear(more);
    if (!ok)
      throw std::runtime_error(std::string{"reference COPY: "} + PQerrorMessage(c));
  }
  auto s = std::chrono::duration<double>(steady::now() - t0).count();
  PQfinish(c);
  return s;
}

} // namespace

result run_storage(harness& h) {
  auto& o = h.opts();
  result r;
  r.scenario = "storage";
  std::uint64_t interactions = o.count ? o.count : 50'000;
  auto rows = make_rows(interactions);
  auto total = rows.size();
  // The storage settings come from --set like the engine's (batch size, synchronous, ...).
  auto sets = o.engine_set;
  storage::config db;
  std::filesystem::path dir;
  if (o.backend == "postgresql") {
    if (o.dsn.empty())
      throw std::runtime_error("--backend postgresql needs --dsn (an empty database)");
    db.backend = storage::backend_kind::postgresql;
    db.dsn = o.dsn;
  } else {
    dir = std::filesystem::temp_directory_path() / ("parley-storage-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    db.path = (dir / "parley.db").string();
  }
  auto sc = engine::parse_config("", "parley-bench storage", sets).storage;
  db.synchronous = sc.synchronous;
  auto st = std::shared_ptr<storage::store>(storage::open_store(db));
  st->migrate();
  std::uint64_t batches = 0;
  auto writer_s = through_writer(st, rows, sc, batches);
  double ref_s = 0;
  std::string ref_name, ref_cmd;
  if (o.backend == "postgresql") {
    ref_s = raw_copy(o.dsn, rows);
    ref_name = "raw COPY of the same rows";
    ref_cmd = "COPY ref_events / ref_interactions FROM STDIN (same bytes, two COPYs)";
  } else {
    // A second database: the same rows as one transaction through the same backend.
    storage::config other = db;
    other.path = (dir / "reference.db").string();
    auto ref = storage::open_store(other);
    ref->migrate();
    auto t0 = steady::now();
    ref->write(rows);
    ref_s = std::chrono::duration<double>(steady::now() - t0).count();
    ref_name = "the same rows in one single transaction";
    ref_cmd = "sqlite_store::write(all rows)";
  }
  r.target = st->describe();
  r.embedded = false;
  r.count = total;
  r.count_what = "rows committed through the writer (1 interaction row + 5 events each)";
  r.duration_s = writer_s;
  r.throughput_per_s = double(total) / writer_s;
  r.ref = reference{ref_name, double(total) / ref_s, ref_cmd};
  r.extra = {{"batches", std::int64_t(batches), "transactions", ""},
             {"rows_per_batch", batches ? double(total) / double(batches) : 0.0, "rows per transaction", ""},
             {"batch_size", std::int64_t(sc.batch_size), "storage.batch_size", ""},
             {"backend", o.backend, "backend", ""}};
  r.aim = {"close to the database's own limit for the same rows",
           r.throughput_per_s >= 0.5 * r.ref->throughput_per_s,
           "writer at " + std::to_string(int(100 * r.throughput_per_s / r.ref->throughput_per_s))
             + " % of the reference"};
  finish_result(h, r);
  r.target = st->describe();
  r.embedded = false;
  st.reset();
  if (!dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  return r;
}

} // namespace parley::bench
