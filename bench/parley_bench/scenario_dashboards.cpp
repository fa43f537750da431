// The dashboards scenario: Pulse's rated collector capacity (docs/pulse.md) on the engine's
// own data path — statistics on the live stream (GET /api/v1/live?stats=, docs/web.md).
//
// --count dashboards, each one SSE stream with --per statistics: one on-change
// current_in_queue of the first queue (the latency probe) and --per − 1 periodic ones
// refreshed every --refresh seconds, spread over --queues queues and eight queue metrics
// (identical statistics share one calculation, as on 2060). Displayed values = count × per.
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

namespace parley::bench {

using namespace std::chrono_literals;

namespace {

std::uint64_t system_us() {
  return static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

steady::time_point after(double seconds) {
  return steady::now() + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(seconds));
}

std::string url_encoded(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s)
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
      out += static_cast<char>(c);
    else
      out += {'%', hex[c >> 4], hex[c & 15]};
  return out;
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

/// Dashboard `b`'s stream target: the probe ("m") and per − 1 periodic statistics.
std::string dashboard_target(unsigned b, unsigned per, unsigned queues, const std::string& prefix, unsigned period_ms) {
  nlohmann::json stats = nlohmann::json::array();
  stats.push_back({{"key", "m"}, {"type", "queue"}, {"id", prefix + "0"}, {"metric", "current_in_queue"}});
  for (unsigned j = 1; j < per; ++j) {
    auto& k = kpis[j % std::size(kpis)];
    nlohmann::json s{{"type", "queue"}, {"id", prefix + std::to_string((b + j) % queues)}, {"metric", k.metric},
                     {"notify", "periodic"}, {"period_ms", period_ms}};
    if (std::string{k.interval} != "growing")
      s["interval"] = k.interval;
    if (k.range_to_s)
      s["range_to_s"] = k.range_to_s;
    stats.push_back(std::move(s));
  }
  return "/api/v1/live?stats=" + url_encoded(stats.dump());
}

/// What one dashboard saw: the last time each statistic's value was read (steady µs).
struct board_seen {
  std::vector<std::uint64_t> last_us;
};

/// The statistic's index in its stream ("m" is 0) from the data line; -1 when none.
long key_index(std::string_view data) {
  auto at = data.find("\"key\":\"");
  if (at == std::string_view::npos)
    return -1;
  at += 7;
  auto end = data.find('"', at);
  auto key = data.substr(at, end - at);
  if (key == "m")
    return 0;
  long i = 0;
  for (char c : key)
    i = c >= '0' && c <= '9' ? i * 10 + (c - '0') : -1;
  return i;
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

  // -- 1. open the dashboards: every statistic's first value read --------------------------
  if (!o.json)
    std::fprintf(stderr, "%u dashboards x %u statistics (%s values), refresh %.0f s ...\n", boards, per,
                 grouped(std::uint64_t{boards} * per).c_str(), refresh);
  std::vector<board_seen> seen(boards);
  histogram latency;  // on the io thread only until the pool is gone
  std::atomic<bool> measuring{false};
  std::atomic<std::uint64_t> read_in_window{0}, errors_seen{0}, first_values{0};
  auto rss0 = rss_bytes();
  auto pool = std::make_unique<sse_pool>();
  auto period_ms = static_cast<unsigned>(refresh * 1000);
  auto t_open = steady::now();
  for (unsigned b = 0; b < boards; ++b) {
    seen[b].last_us.assign(per, 0);
    pool->open(port, dashboard_target(b, per, nq, o.queue, period_ms), token,
               [&, b](std::string_view type, std::string_view data, std::uint64_t now) {
                 if (type != "stat")
                   return;
                 auto i = key_index(data);
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
