// The dashboards scenario: Pulse's rated collector capacity (docs/pulse.md) on the engine's
// own data path — stored dashboards on the live stream (GET /api/v1/live?dashboard=ID).
//
// --count dashboards stored for one user, each opened as one SSE stream, with --per values:
// a KPI widget of the first queue's on-change current_in_queue (the latency probe) and
// --per − 1 periodic values refreshed every --refresh seconds — a grid of queues × eight
// queue metrics and a KPI widget of the rest — spread over --queues queues (identical
// statistics share one calculation, as on 2060). Displayed values = count × per.
// A gateway submits --rate interactions a second round the queues meanwhile (open loop;
// nobody answers them, so the queues grow). Measured: stat events read per second, the
// share of displayed values refreshed within the last refresh period (+ 2 s) at the end,
// and the probe's reporting event (engine time) -> event read here.
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "bench/parley_bench/messages.hpp"
#include "bench/parley_bench/scenarios.hpp"
#include "bench/parley_bench/sse.hpp"
#include "engine/config.hpp"
#include "engine/web/users.hpp"
#include "storage/store.hpp"

namespace parley::bench {

using namespace std::chrono_literals;

namespace {

std::uint64_t system_us() {
  return static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

/// The queue metrics a Queue KPIs widget shows, with the interval that shares calculations.
struct kpi {
  const char* metric;
  const char* interval;
  unsigned range_to_s;
};
constexpr kpi kpis[] = {
  {"current_in_queue", "growing", 0},     {"entered", "growing_reset", 0},
  {"distributed", "growing_reset", 0},    {"abandoned", "growing_reset", 0},
  {"longest_waiting", "growing", 0},      {"max_wait", "growing_reset", 0},
  {"service_level", "growing_reset", 20}, {"average_speed_of_answer", "growing_reset", 0},
};

nlohmann::json kpi_statistic(const kpi& k) {
  nlohmann::json s{{"alias", k.metric}, {"metric", k.metric}, {"interval", k.interval}, {"format", "number"}};
  if (k.range_to_s)
    s["range_to_s"] = k.range_to_s;
  return s;
}

nlohmann::json queue_object(const std::string& name) {
  return {{"type", "queue"}, {"id", name}};
}

/// One stored widget of a dashboard: its id and where its values start in the dashboard's
/// list of values (object-major, as the stream keys them).
struct placed {
  std::int64_t id = 0;
  unsigned base = 0;
  unsigned stats = 0;  ///< statistics per object
};

/// One stored dashboard and what its stream saw: the last time each value was read (steady µs).
struct board_seen {
  std::int64_t id = 0;
  std::vector<placed> widgets;
  std::vector<std::uint64_t> last_us;
};

/// Stores dashboard `b` for the user "bench": the probe (a KPI of the first queue's waiting
/// count, on change) and per − 1 periodic values: a grid of ⌊(per − 1) / 8⌋ queues × the
/// eight queue metrics and a KPI widget of the rest on one more queue — identical
/// statistics across dashboards, as on a real floor, so they share calculations.
void store_dashboard(storage::pulse_store& ps, board_seen& board, unsigned b, unsigned per, unsigned queues,
                     const std::string& prefix, unsigned refresh_s, std::int64_t now) {
  using nlohmann::json;
  auto id = board.id = ps.add_dashboard({0, "bench " + std::to_string(b), "bench", false, "", "{}", now, now});
  auto periodic = json{{"mode", "periodic"}, {"every_s", refresh_s}};
  auto& out = board.widgets;
  auto add = [&](json w, unsigned base, unsigned stats) {
    out.push_back({ps.add_widget({0, id, "", w.dump(), now}), base, stats});
  };
  add({{"kind", "kpi"},
       {"objects", {queue_object(prefix + "0")}},
       {"statistics", {{{"alias", "Waiting"}, {"metric", "current_in_queue"}, {"format", "integer"}}}},
       {"refresh", {{"mode", "on_change"}, {"sensitivity", 0}}}},
      0, 1);
  unsigned rest = per - 1, rows = rest / std::size(kpis), left = rest % std::size(kpis), q = b;
  if (rows) {
    json objects = json::array(), statistics = json::array();
    for (unsigned i = 0; i < rows; ++i)
      objects.push_back(queue_object(prefix + std::to_string(++q % queues)));
    for (auto& k : kpis)
      statistics.push_back(kpi_statistic(k));
    add({{"kind", "grid"}, {"objects", objects}, {"statistics", statistics}, {"refresh", periodic}}, 1,
        std::size(kpis));
  }
  if (left) {
    json statistics = json::array();
    for (unsigned i = 0; i < left; ++i)
      statistics.push_back(kpi_statistic(kpis[i]));
    add({{"kind", "kpi"}, {"objects", {queue_object(prefix + std::to_string(++q % queues))}},
         {"statistics", statistics}, {"refresh", periodic}},
        1 + rows * static_cast<unsigned>(std::size(kpis)), left);
  }
}


/// The value's index in its dashboard from the data line's key "widget.object.statistic";
/// -1 when none.
long key_index(const board_seen& board, std::string_view data) {
  auto at = data.find("\"key\":\"");
  if (at == std::string_view::npos)
    return -1;
  at += 7;
  long part[3] = {0, 0, 0};
  std::size_t n = 0;
  for (; at < data.size() && data[at] != '"' && n < 3; ++at) {
    char c = data[at];
    if (c == '.')
      ++n;
    else if (c >= '0' && c <= '9')
      part[n] = part[n] * 10 + (c - '0');
    else
      return -1;
  }
  if (n != 2)
    return -1;
  for (auto& w : board.widgets)
    if (w.id == part[0])
      return static_cast<long>(w.base) + part[1] * static_cast<long>(w.stats) + part[2];
  return -1;
}

} // namespace

result run_dashboards(harness& h) {
  auto& o = h.opts();
  if (!h.embedded())
    throw std::runtime_error("dashboards runs on its own embedded engine (no --connect)");
  unsigned boards = o.count ? o.count : 3000;
  unsigned per = std::clamp(o.window ? o.window : 100u, 2u, 100u);
  unsigned nq = std::max(1u, o.queues);
  double refresh = o.refresh_s > 0 ? o.refresh_s : 10;
  std::string toml = "[http]\nmax_connections = " + std::to_string(boards + 256) + "\n";
  for (unsigned i = 0; i < nq; ++i)
    toml += "[[queues]]\nname = \"" + o.queue + std::to_string(i) + "\"\nmax_size = 100000000\n";
  h.start_engine(toml, 64);
  auto* eng = h.engine_ptr();
  auto token = bench_token(eng->cfg());
  auto port = eng->http_port();
  raise_fd_limit();
  auto period_s = static_cast<unsigned>(std::max(1.0, std::round(refresh)));
  std::vector<board_seen> seen(boards);
  {
    // The dashboards, stored as the API stores them (without an fsync per row: a fast start).
    auto sc = engine::store_config(eng->cfg());
    sc.synchronous = storage::sync_mode::normal;
    auto store = storage::open_store(sc);
    auto now = engine::web::now_ms();
    for (unsigned b = 0; b < boards; ++b) {
      store_dashboard(store->pulse(), seen[b], b, per, nq, o.queue, period_s, now);
      seen[b].last_us.assign(per, 0);
    }
  }

  // -- 1. open the dashboards: every statistic's first value read --------------------------
  if (!o.json)
    std::fprintf(stderr, "%u dashboards x %u statistics (%s values), refresh %.0f s ...\n", boards, per,
                 grouped(std::uint64_t{boards} * per).c_str(), refresh);
  histogram latency;  // on the io thread only until the pool is gone
  std::atomic<bool> measuring{false};
  std::atomic<std::uint64_t> read_in_window{0}, errors_seen{0}, first_values{0};
  auto rss0 = rss_bytes();
  auto pool = std::make_unique<sse_pool>();
  auto t_open = steady::now();
  for (unsigned b = 0; b < boards; ++b) {
    pool->open(port, "/api/v1/live?dashboard=" + std::to_string(seen[b].id), token,
               [&, b](std::string_view type, std::string_view data, std::uint64_t now) {
                 if (type != "stat")
                   return;
                 auto i = key_index(seen[b], data);
                 if (i < 0 || static_cast<unsigned long>(i) >= seen[b].last_us.size())
                   return;
                 if (data.find("\"error\"") != std::string_view::npos) {
                   ++errors_seen;
                   return;
                 }
                 auto& last = seen[b].last_us[static_cast<std::size_t>(i)];
                 if (last == 0)
                   ++first_values;
                 last = now;
                 if (!measuring)
                   return;
                 ++read_in_window;
                 if (i == 0) {
                   auto j = nlohmann::json::parse(data, nullptr, false);
                   auto ev = j.is_discarded() ? 0 : j.value("event_ms", std::int64_t{0});
                   auto sys = system_us();
                   if (ev > 0)
                     latency.record(sys > static_cast<std::uint64_t>(ev) * 1000 ? sys - ev * 1000 : 0);
                 }
               });
  }
  std::uint64_t wanted = std::uint64_t{boards} * per;
  auto opened = [&] { return first_values.load(); };
  h.wait_until(after(std::max(120.0, boards / 20.0)), [&] { return opened() >= wanted; }, [&] {
    auto e = std::chrono::duration<double>(steady::now() - t_open).count();
    h.progress().update(static_cast<double>(opened()) / wanted, e, opened(), opened() / std::max(e, 1e-3),
                        h.errors().total(), "opening");
  });
  auto open_s = std::chrono::duration<double>(steady::now() - t_open).count();
  auto opened_n = opened();
  auto answered = pool->answered();

  // -- 2. interactions flow while the dashboards refresh ----------------------------------
  auto gw = h.make_client("bench-dashboards-gateway", wire::ClientType::media_gateway);
  gw->start();
  if (!h.wait_registered({gw}, 10s))
    throw std::runtime_error("the gateway did not register: " + h.errors().first());
  clients_guard guard{h};
  std::atomic<std::uint64_t> submitted{0}, sent{0};
  std::vector<std::string> names;  // msg::submit keeps a reference to its queue name
  for (unsigned i = 0; i < nq; ++i)
    names.push_back(o.queue + std::to_string(i));
  auto& m = *eng->domain()->metrics;
  auto cpu0 = cpu_now();
  auto t0 = steady::now();
  measuring = true;
  auto elapsed = [&] { return std::chrono::duration<double>(steady::now() - t0).count(); };
  h.wait_until(after(o.duration_s), [] { return false; }, [&] {
    auto e = elapsed();
    for (auto due = static_cast<std::uint64_t>(e * o.rate); sent < due; ++sent)
      gw->request(msg::submit(names[sent % nq], o.media, false), [&](client::answer a) {
        if (a.ok())
          ++submitted;
        else
          h.errors().record(a);
      });
    h.progress().update(e / o.duration_s, e, read_in_window, read_in_window / std::max(e, 1e-3), h.errors().total(),
                        grouped(submitted) + " submits");
  });
  measuring = false;
  auto run_s = elapsed();
  auto cpu1 = cpu_now();
  auto end_us = now_us();
  auto rss1 = rss_bytes();
  auto calculations = m.stats_calculations.load();
  auto open_now = m.stats_open.load();
  h.progress().clear();
  auto streams = pool->streams;
  pool.reset();  // every stream closed: `seen`, `latency` and failures stand still
  for (auto& st : streams)
    if (!st->failure.empty()) {
      h.errors().record_other("sse_stream", st->failure);
      break;  // one says why; the count of streams answered says how many
    }
  std::uint64_t fresh = 0;
  auto fresh_after = end_us - static_cast<std::uint64_t>((refresh + 2) * 1e6);
  for (auto& s : seen)
    for (std::size_t i = 1; i < s.last_us.size(); ++i)  // the probe changes on events only
      fresh += s.last_us[i] >= fresh_after;
  std::uint64_t periodic = std::uint64_t{boards} * (per - 1);
  h.finish_clients();

  result r;
  r.scenario = "dashboards";
  r.rss_bytes = rss1;
  r.count_what = "stat events read by the dashboards' streams";
  r.count = read_in_window;
  r.duration_s = run_s;
  r.throughput_per_s = run_s > 0 ? read_in_window / run_s : 0;
  r.latency_what = "reporting event (engine_ms) -> the probe's stat event read";
  r.latency = latency_summary::of(latency);
  double fresh_pct = periodic ? 100.0 * fresh / periodic : 0;
  double submit_rate = run_s > 0 ? submitted / run_s : 0;
  r.extra = {
    {"dashboards", std::int64_t{boards}, "dashboards (SSE streams)", ""},
    {"streams_answered", static_cast<std::int64_t>(answered), "streams answered 200", ""},
    {"per_dashboard", std::int64_t{per}, "statistics per dashboard", ""},
    {"displayed", static_cast<std::int64_t>(wanted), "displayed values", ""},
    {"opened", static_cast<std::int64_t>(opened_n), "values with a first value", ""},
    {"open_time_s", open_s, "time to open them all", "s"},
    {"refresh_s", refresh, "refresh period", "s"},
    {"fresh_pct", fresh_pct, "periodic values fresh at the end", "%"},
    {"stat_errors", static_cast<std::int64_t>(errors_seen.load()), "statistics refused", ""},
    {"engine_open", static_cast<std::int64_t>(open_now), "engine: statistics open", ""},
    {"engine_calculations", static_cast<std::int64_t>(calculations), "engine: calculations behind them", ""},
    {"submits_per_s", submit_rate, "interactions submitted per second", "/s"},
    {"queues", std::int64_t{nq}, "queues", ""},
    {"rss_growth_bytes", static_cast<double>(rss1 - std::min(rss1, rss0)), "rss growth (engine + streams)", "bytes"},
  };
  add_cpu_fields(r, cpu0, cpu1);
  r.aim.text = "300,000 displayed values at a 10 s refresh while 1,000 interactions/s flow; p99 event -> SSE <= 1 s";
  r.aim.met = wanted >= 300'000 && refresh <= 10 && opened_n == wanted && fresh_pct >= 99.9 && submit_rate >= 950
              && r.latency.p99 <= 1'000'000;
  char buf[300];
  std::snprintf(buf, sizeof buf, "%s values (%.1f %% of 300,000), %.2f %% fresh at %.0f s; %.0f submits/s; p99 %.0f ms (%s 1 s)",
                grouped(opened_n).c_str(), 100.0 * opened_n / 300'000, fresh_pct, refresh, submit_rate,
                r.latency.p99 / 1000.0, r.latency.p99 <= 1'000'000 ? "within" : "over");
  r.aim.verdict = buf;
  r.notes.push_back("latency uses the engine's millisecond event timestamp: each sample is overstated by up to 1 ms");
  r.notes.push_back("the streams' client runs in this process on one io thread: its CPU is in cpu_loadgen_pct");
  finish_result(h, r);
  r.ran = opened_n > 0;
  return r;
}

} // namespace parley::bench
