// history: historical reporting's capacity (docs/reporting.md, issue 18's figures).
//   1. --count facts (default 10,000,000: about a month of a 2,000-agent site) written into
//      an empty database through the reporting store, then aggregated from scratch (every
//      15-minute interval of the month recomputed from the facts, as `report rebuild`
//      does), next to a plain GROUP BY over the same facts in the same run;
//   2. a month of one queue at 15-minute grain read as a report (goal <= 200 ms);
//   3. retention: the facts of the month's first half deleted in the retention job's chunks
//      (their rate, and the longest chunk: what the engine's writers may wait);
//   4. the continuous lag: the lifecycle load (closed loop, the embedded engine with its
//      fact writer and aggregator) for --duration s, the engine's reporting lag sampled
//      every 100 ms, then the time until the aggregates have everything (goal <= 60 s).
#include <algorithm>
#include <filesystem>
#include <thread>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include "bench/parley_bench/scenarios.hpp"
#include "engine/config.hpp"
#include "engine/engine.hpp"
#include "engine/reports.hpp"
#include "engine/retention.hpp"
#include "storage/store.hpp"

namespace parley::bench {

namespace {

using storage::interval_ms;
constexpr std::int64_t month_start = 1'775'001'600'000;  // 2026-04-01T00:00Z
constexpr std::int64_t month_ms = 30LL * 24 * 3600 * 1000;
constexpr int queues = 100;
constexpr int agents = 2'000;

double seconds_since(steady::time_point t0) {
  return std::chrono::duration<double>(steady::now() - t0).count();
}

/// Lifecycle k of `total` spread over the month: its wait, offer, handling and the agent's
/// two state pieces (idle before, busy during) — five facts. One handling in 17 ends in a
/// transfer.
void add_lifecycle(storage::fact_batch& b, std::uint64_t k, std::uint64_t total) {
  auto t = month_start + static_cast<std::int64_t>(k * static_cast<std::uint64_t>(month_ms) / total);
  auto wait = static_cast<std::int64_t>((k * 7'919) % 60'000);
  auto handle = 180'000 + static_cast<std::int64_t>((k * 104'729) % 240'000);
  auto queue = "q" + std::to_string(k % queues);
  auto agent = "a" + std::to_string(k % agents);
  auto group = "g" + std::to_string(k % 20);
  auto entered = t - wait;
  b.entries.push_back({k + 1, k + 1, "acme", queue, "voice", entered, t, k % 13 == 0 ? "abandoned" : "distributed",
                       k % 13 == 0 ? "" : agent, 20'000, 5'000});
  if (k % 13 == 0)
    return;
  b.offers.push_back({k + 1, k + 1, "acme", agent, group, queue, t - 2'000, t, "accepted"});
  b.handlings.push_back(
    {k + 1, k + 1, "acme", agent, group, queue, "voice", t, t + handle, handle / 10, k % 17 == 0, false});
  auto piece = [&](std::int64_t from, std::int64_t to, bool busy) {
    auto start = storage::interval_of(from);
    b.states.push_back({k + 1, "acme", agent, group, "ready", "", busy, from, to, start, from,
                        std::min(to, start + interval_ms)});
  };
  piece(t - 60'000, t, false);
  piece(t, t + handle, true);
}

struct timed {
  double write_s = 0, aggregate_s = 0, group_by_s = 0;
  std::uint64_t facts = 0, intervals = 0;
  std::vector<double> query_ms;
  std::size_t query_rows = 0;
  double purge_s = 0, purge_chunk_max_ms = 0;
  std::uint64_t purged = 0;
};

/// The plain GROUP BY: the same queue and agent sums over every fact at once.
double plain_group_by(const storage::config& sc) {
  const char* queue_sql =
    "CREATE TEMP TABLE ref_queue AS SELECT (left_ms / 900000) * 900000 AS interval_ms, queue, media, count(*) AS n, "
    "sum(CASE WHEN why = 'distributed' THEN 1 ELSE 0 END) AS d, sum(CASE WHEN why = 'distributed' AND left_ms - "
    "entered_ms < sl_ms THEN 1 ELSE 0 END) AS dw, sum(CASE WHEN why = 'abandoned' THEN 1 ELSE 0 END) AS a, "
    "sum(left_ms - entered_ms) AS w, max(left_ms - entered_ms) AS mw FROM fact_queue_entry GROUP BY 1, 2, 3";
  const char* agent_sql =
    "CREATE TEMP TABLE ref_agent AS SELECT interval_ms, agent, grp, sum(to_ms - from_ms) AS li, "
    "sum(CASE WHEN busy = 1 THEN to_ms - from_ms ELSE 0 END) AS b FROM fact_agent_state GROUP BY 1, 2, 3";
  auto t0 = steady::now();
  if (sc.backend == storage::backend_kind::postgresql) {
    auto* c = PQconnectdb(sc.dsn.c_str());
    for (auto* sql : {queue_sql, agent_sql}) {
      auto* r = PQexec(c, sql);
      auto ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      if (!ok) {
        std::string why = PQerrorMessage(c);
        PQfinish(c);
        throw std::runtime_error("GROUP BY reference: " + why);
      }
    }
    PQfinish(c);
  } else {
    sqlite3* db = nullptr;
    sqlite3_open(sc.path.c_str(), &db);
    for (auto* sql : {queue_sql, agent_sql})
      if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::string why = sqlite3_errmsg(db);
        sqlite3_close(db);
        throw std::runtime_error("GROUP BY reference: " + why);
      }
    sqlite3_close(db);
  }
  return seconds_since(t0);
}

timed from_scratch(harness& h, const storage::config& sc, std::uint64_t facts) {
  auto& o = h.opts();
  timed out;
  auto store = storage::open_store(sc);
  store->migrate();
  auto& rep = store->reporting();
  auto lifecycles = facts / 5;
  auto t0 = steady::now();
  for (std::uint64_t k = 0; k < lifecycles;) {
    storage::fact_batch b;
    for (auto end = std::min(lifecycles, k + 20'000); k < end; ++k)
      add_lifecycle(b, k, lifecycles);
    out.facts += b.entries.size() + b.offers.size() + b.handlings.size() + b.states.size();
    b.watermark = k;
    rep.write(b);
    if (!o.no_progress)
      h.progress().update(static_cast<double>(k) / static_cast<double>(lifecycles), seconds_since(t0), out.facts,
                          static_cast<double>(out.facts) / std::max(seconds_since(t0), 1e-3), 0);
  }
  out.write_s = seconds_since(t0);
  h.progress().clear();

  t0 = steady::now();
  out.intervals = rep.mark_dirty(month_start - 3'600'000, month_start + month_ms + 3'600'000);
  for (auto dirty = rep.dirty(1'000); !dirty.empty(); dirty = rep.dirty(1'000))
    for (auto d : dirty)
      rep.aggregate(d);
  out.aggregate_s = seconds_since(t0);
  out.group_by_s = plain_group_by(sc);

  // A month of one queue at 15-minute grain, as the console and the API ask for it.
  auto cfg = engine::parse_config("", "parley-bench", {});
  engine::report_request r;
  r.name = "queue-summary";
  r.from = "2026-04-01";
  r.to = "2026-05-01";
  r.tz = "UTC";
  r.by = "15m";
  r.object = "q7";
  for (int i = 0; i < 10; ++i) {
    auto q0 = steady::now();
    auto table = engine::run_report(rep, r, cfg);
    out.query_ms.push_back(seconds_since(q0) * 1000.0);
    out.query_rows = table.rows.size();
  }
  std::sort(out.query_ms.begin(), out.query_ms.end());

  // Retention: the facts of the month's first 15 days, in the job's chunks.
  storage::retention_cut cut;
  cut.facts_ms = month_start + month_ms / 2;
  t0 = steady::now();
  for (std::size_t n = engine::retention_chunk_rows; n == engine::retention_chunk_rows;) {
    auto c0 = steady::now();
    n = rep.purge(storage::retention_family::facts, cut, engine::retention_chunk_rows);
    out.purge_chunk_max_ms = std::max(out.purge_chunk_max_ms, seconds_since(c0) * 1000.0);
    out.purged += n;
  }
  out.purge_s = seconds_since(t0);
  return out;
}

struct lag_run {
  double max_lag_s = 0, catch_up_s = 0;
  std::uint64_t facts = 0, lifecycles = 0;
  double lifecycles_per_s = 0;
};

/// The lifecycle load with the engine's fact writer and aggregator on; their lag sampled.
lag_run under_load(harness& h) {
  lag_run out;
  std::atomic<bool> done{false};
  std::atomic<std::int64_t> max_lag{0};
  std::thread sampler{[&] {
    while (!done) {
      if (auto* e = h.engine_ptr())
        max_lag = std::max(max_lag.load(), e->stats().reporting_lag_ms.load());
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
  }};
  result lr;
  try {
    lr = run_lifecycle(h);
  } catch (...) {
    done = true;
    sampler.join();
    throw;
  }
  done = true;
  sampler.join();
  out.lifecycles = lr.count;
  out.lifecycles_per_s = lr.throughput_per_s;
  out.max_lag_s = static_cast<double>(max_lag.load()) / 1000.0;
  if (auto* e = h.engine_ptr()) {
    // The load has stopped: how long until the aggregates have every event?
    auto t0 = steady::now();
    auto last = e->stats().reporting_watermark.load();
    while (seconds_since(t0) < 120) {
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
      auto now = e->stats().reporting_watermark.load();
      if (now == last && e->stats().reporting_lag_ms.load() == 0 && seconds_since(t0) > 1.5)
        break;
      last = now;
    }
    out.catch_up_s = seconds_since(t0);
    out.facts = e->stats().reporting_facts.load();
  }
  return out;
}

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

} // namespace

result run_history(harness& h) {
  auto& o = h.opts();
  result r;
  r.scenario = "history";
  storage::config sc;
  std::string dir;
  if (o.backend == "postgresql") {
    if (o.dsn.empty())
      throw std::runtime_error("--backend postgresql needs --dsn (an EMPTY database)");
    sc.backend = storage::backend_kind::postgresql;
    sc.dsn = o.dsn;
  } else {
    char tmpl[] = "/tmp/parley-bench-history-XXXXXX";
    if (!::mkdtemp(tmpl))
      throw std::runtime_error("cannot create a directory under /tmp");
    dir = tmpl;
    sc.path = dir + "/history.db";
    sc.synchronous = storage::sync_mode::normal;
  }
  auto facts = o.count ? o.count : 10'000'000u;
  auto t = from_scratch(h, sc, facts);
  if (!dir.empty())
    std::filesystem::remove_all(dir);
  auto lag = under_load(h);

  r.count_what = "facts aggregated from scratch";
  r.count = t.facts;
  r.duration_s = t.aggregate_s;
  r.throughput_per_s = static_cast<double>(t.facts) / std::max(t.aggregate_s, 1e-9);
  r.ref = reference{"one plain GROUP BY over the same facts (queue and agent tables)",
                    static_cast<double>(t.facts) / std::max(t.group_by_s, 1e-9), "CREATE TEMP TABLE ... GROUP BY"};
  auto p50 = t.query_ms[t.query_ms.size() / 2], worst = t.query_ms.back();
  r.extra = {
    {"backend", o.backend, "backend", ""},
    {"facts_written_s", t.write_s, "facts written", " s"},
    {"intervals", static_cast<std::int64_t>(t.intervals), "intervals recomputed", ""},
    {"aggregate_s", t.aggregate_s, "aggregation", " s"},
    {"group_by_s", t.group_by_s, "plain GROUP BY", " s"},
    {"month_query_p50_ms", p50, "month query p50", " ms"},
    {"month_query_max_ms", worst, "month query max", " ms"},
    {"month_query_rows", static_cast<std::int64_t>(t.query_rows), "month query rows", ""},
    {"retention_facts", static_cast<std::int64_t>(t.purged), "retention: facts deleted", ""},
    {"retention_s", t.purge_s, "retention: took", " s"},
    {"retention_chunk_max_ms", t.purge_chunk_max_ms, "retention: longest chunk", " ms"},
    {"load_lifecycles_per_s", lag.lifecycles_per_s, "load lifecycles/s", ""},
    {"load_max_lag_s", lag.max_lag_s, "load lag max", " s"},
    {"catch_up_s", lag.catch_up_s, "caught up after", " s"},
    {"load_facts", static_cast<std::int64_t>(lag.facts), "load facts", ""},
  };
  bool met = worst <= 200.0 && lag.max_lag_s <= 60.0;
  r.aim = {"a month of one queue at 15 min <= 200 ms; lag <= 60 s under the lifecycle load", met,
           "query " + ms_text(worst) + " (slowest of 10); lag max " + ms_text(lag.max_lag_s * 1000.0) + " at "
             + grouped(static_cast<std::uint64_t>(lag.lifecycles_per_s)) + " lifecycles/s"};
  r.notes.push_back("aggregation recomputes each interval from the facts (DELETE + INSERT ... SELECT, one "
                    "transaction each), so it can run again at any time and give the same rows; the GROUP "
                    "BY computes the same sums in one pass, once");
  finish_result(h, r);
  return r;
}

} // namespace parley::bench
