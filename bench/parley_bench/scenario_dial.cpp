// The dial scenario: dial attempts per second through the engine's whole outbound path.
//
// The embedded engine (real time by default, --scale 1) gets --campaigns predictive
// campaigns on one queue, each with a generated contact list of its own (written into the
// engine's import directory and imported through the admin console), and a simulated
// gateway whose calls end quickly and mostly without an answer (--answer 0 by default; busy
// and no answer half and half, ring time uniform 0.25..1.75 x --ring-s, no answer after
// --no-answer-s), so that dials are limited by the engine and not by agents. --agents desks
// are logged in and ready (a predictive campaign dials only while agents are); they accept
// and stop at once whatever is answered. lines_per_agent (20, the most the config allows)
// x agents is each campaign's line cap.
//
// Every attempt takes the real path: leased from storage (SQLite in the data_dir unless
// --set storage.* says otherwise), checked by the compliance actor, paced, dialed by its
// own dialer session actor through the gateway, two history rows and the record's
// treatment written by the list store. After --warmup-s the campaigns' `dialed` counters
// (console), parley_dials_total (/metrics) and the history rows committed (read from the
// database file) are taken, and again --duration real seconds later: throughput_per_s =
// dials / s. The reference, measured in the same run after the engine stopped, is the
// storage alone doing the same work on one thread with the list store's batching.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include <csignal>
#include <fstream>
#include <optional>
#include <thread>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/parley_bench/desks.hpp"
#include "bench/parley_bench/outbound.hpp"
#include "bench/parley_bench/parleyd_process.hpp"
#include "bench/parley_bench/scenarios.hpp"
#include "engine/config.hpp"
#include "storage/store.hpp"

namespace parley::bench {

using namespace std::chrono_literals;

namespace {

std::string name_of(unsigned k) { return "dial" + std::to_string(k); }

/// max(id) of the attempts table in the engine's SQLite file: history rows committed so
/// far (ids are assigned in commit order). -1 when it cannot be read.
std::int64_t attempts_committed(const std::string& path) {
  sqlite3* db = nullptr;
  std::int64_t out = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM attempts", -1, &s, nullptr) == SQLITE_OK
        && sqlite3_step(s) == SQLITE_ROW)
      out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

/// The storage alone, one thread, the same work per dial as the engine's list store:
/// leases of `chunk` records, then per record a history row at dial, one with the result
/// and the record written back (retry later), committed in groups of `batch` rows.
/// Returns dials per second over `n` records.
double storage_alone(const std::string& dir, const engine::storage_config& sc, std::uint64_t n,
                     std::uint32_t chunk, std::size_t batch) {
  storage::config db;
  db.path = dir + "/reference.db";
  db.synchronous = sc.synchronous;
  auto st = storage::open_store(db);
  st->migrate();
  auto& ob = st->outbound();
  auto list = ob.create_list("reference", 0);
  {
    std::vector<storage::record_row> rows;
    for (std::uint64_t i = 0; i < n; ++i) {
      storage::record_row r;
      r.phone = "+1555" + std::to_string(10'000'000 + i);
      r.record_status = 1;  // ready
      r.daily_till_s = 86'400;
      r.tz = "UTC";
      r.customer_id = "c" + std::to_string(i);
      rows.push_back(std::move(r));
      if (rows.size() == 10'000 || i + 1 == n) {
        ob.insert_records(list.id, rows);
        rows.clear();
      }
    }
  }
  std::vector<storage::attempt_row> attempts;
  std::vector<storage::record_row> updates;
  auto flush = [&] {
    if (!attempts.empty())
      ob.insert_attempts(attempts);
    attempts.clear();
    if (!updates.empty())
      ob.update_records(updates);
    updates.clear();
  };
  // One instant, as in the engine's short window: a record written back is due again
  // 5 minutes later, so it is never leased twice here.
  const std::int64_t now = 1'700'000'000'000;
  std::uint64_t dialed = 0;
  auto t0 = steady::now();
  for (;;) {
    flush();  // the list store commits what waits before it leases
    auto rows = ob.lease(list.id, chunk, now);
    if (rows.empty() || dialed >= n)  // every record once: the run stops by itself
      break;
    for (auto& r : rows) {
      storage::attempt_row a{r.id, r.list_id, r.chain_id, r.customer_id, r.phone, "reference", now, 0};
      attempts.push_back(a);
      a.call_result = 3;  // busy
      attempts.push_back(std::move(a));
      r.record_status = 1;
      r.call_result = 3;
      ++r.attempts;
      r.call_time_ms = now;
      r.dial_sched_ms = now + 300'000;
      updates.push_back(std::move(r));
      if (attempts.size() + updates.size() >= batch)
        flush();
      ++dialed;
    }
  }
  flush();
  auto s = std::chrono::duration<double>(steady::now() - t0).count();
  return s > 0 ? dialed / s : 0;
}

struct sample {
  steady::time_point at;
  std::uint64_t dialed = 0, buffered = 0, in_flight = 0;
  unsigned dry = 0;  ///< campaigns that dialed (nearly) every record of their list
  double metric_dials = 0, metric_done = 0;
  std::int64_t history = -1;
};

/// An external gateway process (parley-dial-gateway beside parley-bench) for one pass: it
/// connects to `port`, offers `lines` lines and answers calls as the simulated gateway's
/// mix `g` would; its output goes to DIR/dial-gateway.log. It stops by itself (1 s idle
/// after the campaigns stopped, or at its --duration-s); the destructor kills one still
/// running.
class gateway_process {
public:
  gateway_process(const std::string& dir, std::uint16_t port, const gateway_mix& g,
                  const std::string& media, double run_s)
    : log_(dir + "/dial-gateway.log") {
    auto exe = exe_dir() + "/parley-dial-gateway";
    auto mix = "answered=" + fmt("%.6f", g.answer) + ",busy=" + fmt("%.6f", g.busy)
               + ",no_answer=" + fmt("%.6f", g.no_answer);
    std::vector<std::string> args{exe, "--port", std::to_string(port), "--lines", "100000",
                                  "--media", media,
                                  "--message-mix", "delivered=0.95,undeliverable=0.04,opted_out=0.01",
                                  "--mix", mix, "--ring-ms", std::to_string(g.ring_mean_ms),
                                  "--no-answer-ms", std::to_string(g.no_answer_after_ms),
                                  "--talk-ms", std::to_string(g.talk_mean_ms),
                                  "--seed", std::to_string(g.seed),
                                  "--duration-s", fmt("%.0f", run_s), "--idle-exit-s", "1"};
    pid_ = spawn_logged(args, log_);
  }
  ~gateway_process() { finish(0s); }
  gateway_process(const gateway_process&) = delete;
  gateway_process& operator=(const gateway_process&) = delete;

  /// CPU seconds the process used so far (0 when gone).
  double cpu_s() const { return pid_ > 0 ? stat_cpu_s("/proc/" + std::to_string(pid_) + "/stat") : 0; }
  /// Waits up to `limit` for it to exit (then kills it); its last output line.
  std::string finish(std::chrono::milliseconds limit) {
    if (pid_ > 0) {
      int status = 0;
      auto until = steady::now() + limit;
      while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (steady::now() >= until) {
          ::kill(pid_, SIGKILL);
          ::waitpid(pid_, &status, 0);
          break;
        }
        std::this_thread::sleep_for(20ms);
      }
      pid_ = 0;
    }
    std::ifstream in{log_};
    std::string line, last;
    while (std::getline(in, line))
      if (!line.empty())
        last = line;
    return last;
  }

private:
  pid_t pid_ = 0;
  std::string log_;
};

/// One pass of the scenario: an engine, its lists and desks, dialing through the
/// simulated gateway or an external one in its own process.
struct pass {
  std::uint64_t dials = 0;
  double secs = 0, slice_min = 0, slice_max = 0, metric_dials = 0, finished = 0;
  double history = std::nan("");
  cpu_times cpu0, cpu1;
  sample s1, s2;
  double import_s = 0;
  double gateway_cpu_s = 0;     ///< external: the gateway process's CPU in the window
  std::string gateway_summary;  ///< external: the gateway's summary line
  std::uint64_t rss = 0;
  engine::storage_config storage;
};

pass run_pass(harness& h, bool external, const gateway_mix& g, unsigned ncamp,
              std::uint64_t per_list, std::uint32_t chunk, double lines) {
  auto& o = h.opts();
  h.new_round();  // the clients of an earlier pass are finished
  const unsigned agents = o.agents;
  std::string toml = "[engine]\nclock_scale = " + std::to_string(o.scale) + "\n\n"
                     + bench_toml(o, 1'000'000, true) + "wrap_up_ms = 0\n\n" + gateway_toml(g)
                     + (external ? "kind = \"external\"\n" : "");
  // SMS and email campaigns send at most 10,000 messages a second each (the config's cap).
  std::string message;
  if (o.media == "sms" || o.media == "email")
    message = "message = \"Your order for {customer_id} ships today.\"\nmessages_per_second = 10000.0\n"
              + std::string{o.media == "email" ? "subject = \"Your order\"\n" : ""};
  for (unsigned k = 0; k < ncamp; ++k)
    toml += predictive_campaign_toml(
      name_of(k), name_of(k), o.queue,
      "media = " + toml_string(o.media) + "\nlines_per_agent = " + fmt("%.3f", lines)
        + "\nlease_chunk = " + std::to_string(chunk) + "\nmax_in_flight = "
        + std::to_string(o.max_in_flight) + "\n" + message);
  h.start_engine(toml, agents + 8);
  auto* eng = h.engine_ptr();
  console_link con{h.host(), eng->console_port()};
  const auto db_path = eng->cfg().storage.path.empty() ? h.data_dir() + "/parley.db"
                                                        : eng->cfg().storage.path;
  const std::string label = external ? "external gateway: " : "";

  auto import_t0 = steady::now();
  for (unsigned k = 0; k < ncamp; ++k) {
    auto file = name_of(k) + ".csv";
    write_contact_list(h.data_dir() + "/import", file, per_list, k * per_list, o.media == "email");
    h.progress().update(double(k) / ncamp, 0, k * per_list, 0, 0, label + "importing lists");
    import_list(con, name_of(k), file, per_list, 600s);
  }
  pass p;
  p.import_s = std::chrono::duration<double>(steady::now() - import_t0).count();

  const double run_s = o.warmup_s + o.duration_s;
  std::unique_ptr<gateway_process> gw;
  if (external) {
    gw = std::make_unique<gateway_process>(h.data_dir(), h.port(), g, o.media, run_s + o.drain_s + 60);
    auto until = steady::now() + 10s;
    while (metric_sum(h.host(), eng->metrics_port(), "parley_dial_gateway_lines") <= 0
           && steady::now() < until)
      std::this_thread::sleep_for(20ms);
    if (steady::now() >= until)
      throw std::runtime_error("the external gateway did not register its lines within 10 s: "
                               + gw->finish(0s));
  }
  desk_pool desks{h, agents};  // accept and stop at once whatever is answered
  clients_guard guard{h};
  if (!desks.login_all(o.concurrency, 30s))
    throw std::runtime_error("only " + std::to_string(desks.ready()) + " of "
                             + std::to_string(desks.size()) + " agents became ready: "
                             + h.errors().first());

  auto take = [&] {
    sample s;
    for (unsigned k = 0; k < ncamp; ++k) {
      auto st = campaign_status_of(con, name_of(k));
      s.dialed += st.dialed;
      s.buffered += st.buffered;
      s.in_flight += st.in_flight;
      s.dry += st.dialed + chunk >= per_list;
    }
    s.metric_dials = metric_sum(h.host(), eng->metrics_port(), "parley_dials_total");
    s.metric_done = metric_sum(h.host(), eng->metrics_port(), "parley_dial_attempts_total");
    s.history = attempts_committed(db_path);
    s.at = steady::now();
    return s;
  };

  for (unsigned k = 0; k < ncamp; ++k) {
    auto started = con.ask("campaign start " + name_of(k));
    if (started.find(" running ") == std::string::npos)
      throw std::runtime_error("campaign start: " + started);
  }
  const auto r0 = steady::now();
  sample last{r0};
  // Dials/s per ~0.5 s slice inside the measured window: how steady the rate is.
  double slice_min = std::numeric_limits<double>::infinity(), slice_max = 0;
  bool measuring = false;
  auto show = [&] {
    auto now = steady::now();
    if (now - last.at < 500ms)
      return;
    auto prev = last;
    last = take();
    auto dt = std::chrono::duration<double>(last.at - prev.at).count();
    if (measuring && dt > 0) {
      slice_min = std::min(slice_min, (last.dialed - prev.dialed) / dt);
      slice_max = std::max(slice_max, (last.dialed - prev.dialed) / dt);
    }
    auto e = std::chrono::duration<double>(now - r0).count();
    h.progress().update(e / run_s, e, last.dialed, dt > 0 ? (last.dialed - prev.dialed) / dt : 0,
                        h.errors().total(), label + "in flight " + grouped(last.in_flight)
                                              + "  buffered " + grouped(last.buffered));
  };
  auto sec = [](double s) { return std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(s)); };
  h.wait_until(r0 + sec(o.warmup_s), nullptr, show);
  auto s0 = take();
  last = s0;
  measuring = true;
  p.cpu0 = cpu_now();
  double gw_cpu0 = gw ? gw->cpu_s() : 0;
  h.wait_until(s0.at + sec(o.duration_s), nullptr, show);
  p.s1 = take();
  measuring = false;
  p.cpu1 = cpu_now();
  if (gw)
    p.gateway_cpu_s = gw->cpu_s() - gw_cpu0;
  for (unsigned k = 0; k < ncamp; ++k)
    con.ask("campaign stop " + name_of(k));
  // Calls under way finish (milliseconds); the history of the window is committed by then.
  p.s2 = p.s1;
  h.wait_until(steady::now() + sec(std::max(o.drain_s, 0.5)),
               [&] {
                 p.s2 = take();
                 return p.s2.in_flight == 0;
               },
               nullptr);
  h.progress().clear();
  p.rss = rss_bytes();
  h.finish_clients();
  if (gw)
    p.gateway_summary = gw->finish(10s);
  p.secs = std::chrono::duration<double>(p.s1.at - s0.at).count();
  p.dials = p.s1.dialed - s0.dialed;
  p.metric_dials = p.s1.metric_dials - s0.metric_dials;
  p.finished = p.s1.metric_done - s0.metric_done;
  if (s0.history >= 0 && p.s1.history >= 0)
    p.history = double(p.s1.history - s0.history);
  p.slice_min = std::isfinite(slice_min) ? slice_min : 0.0;
  p.slice_max = slice_max;
  p.storage = eng->cfg().storage;
  h.stop_engine();
  return p;
}

} // namespace

result run_dial(harness& h) {
  auto& o = h.opts();
  if (!h.embedded())
    throw std::runtime_error("dial runs on the embedded engine only: it writes the engine's "
                             "import directory and reads its database");
  const bool external = o.gateway == "external";
  const unsigned ncamp = std::max(1u, o.campaigns);
  const unsigned agents = o.agents;
  // Enough records for 40,000 dials/s over the whole run (a list that runs dry ends the
  // dialing early, and the scenario says so).
  const std::uint64_t total =
    o.count ? o.count : static_cast<std::uint64_t>(40'000 * (o.warmup_s + o.duration_s)) + 10'000;
  const std::uint64_t per_list = (total + ncamp - 1) / ncamp;
  gateway_mix g;
  g.answer = o.answer_share >= 0 ? o.answer_share : 0.0;
  g.busy = g.no_answer = (1 - g.answer) / 2;
  g.ring_mean_ms = std::max<std::int64_t>(1, std::llround((o.ring_s > 0 ? o.ring_s : 0.002) * 1000));
  g.no_answer_after_ms = std::max<std::int64_t>(1, std::llround((o.no_answer_s > 0 ? o.no_answer_s : 0.002) * 1000));
  g.talk_mean_ms = 60'000;  // answered calls: the desk stops them at once
  g.seed = o.seed;
  const double lines = o.lines_per_agent > 0 ? o.lines_per_agent : 20.0;
  const std::uint32_t chunk = o.lease_chunk ? o.lease_chunk : 2000;

  // With --gateway external the embedded gateway goes first, in the same run: the
  // reference the external one is compared with.
  std::optional<pass> embedded;
  if (external)
    embedded = run_pass(h, false, g, ncamp, per_list, chunk, lines);
  auto p = run_pass(h, external, g, ncamp, per_list, chunk, lines);

  result r;
  r.scenario = "dial";
  r.rss_bytes = p.rss;
  const double secs = p.secs;
  const auto dials = p.dials;
  const double history = p.history;
  auto cpu_engine_s = p.cpu1.engine_s - p.cpu0.engine_s;
  auto& sc = p.storage;
  auto& s1 = p.s1;
  auto& s2 = p.s2;

  r.count_what = "dial attempts placed in the measured window (campaign `dialed`)";
  r.count = dials;
  r.duration_s = secs;
  r.throughput_per_s = secs > 0 ? dials / secs : 0;
  r.extra = {
    {"media", o.media, "campaign media (sms, email: messages at 10,000/s per campaign at most)", ""},
    {"gateway", std::string{external ? "external (parley-dial-gateway, its own process)" : "simulated (embedded)"}, "gateway", ""},
    {"dials_metric", p.metric_dials, "parley_dials_total, same window", ""},
    {"attempts_finished", p.finished, "attempts finished (metrics)", ""},
    {"history_rows", history, "history rows committed", ""},
    {"history_rows_per_dial", dials ? history / dials : std::nan(""), "  per dial (2: storage keeps up)", ""},
    {"slice_min_per_s", p.slice_min, "dials/s, slowest 0.5 s slice", ""},
    {"slice_max_per_s", p.slice_max, "dials/s, fastest 0.5 s slice", ""},
    {"dialed_end", static_cast<std::int64_t>(s1.dialed), "dialed since the start, at the end", ""},
    {"lists_dry", static_cast<std::int64_t>(s1.dry), "lists dialed through by the end", ""},
    {"in_flight_end", static_cast<std::int64_t>(s1.in_flight), "calls in flight at the end", ""},
    {"unfinished_after_drain", static_cast<std::int64_t>(s2.in_flight), "calls not ended after the drain", ""},
    {"buffered_end", static_cast<std::int64_t>(s1.buffered), "leased, undialed at the end", ""},
    {"cpu_us_per_dial", dials ? 1e6 * cpu_engine_s / dials : 0.0, "engine CPU per dial", "µs"},
    {"campaigns", static_cast<std::int64_t>(ncamp), "campaigns", ""},
    {"agents", static_cast<std::int64_t>(agents), "agents (ready desks)", ""},
    {"lines_per_agent", lines, "lines per agent (cap)", ""},
    {"max_in_flight", static_cast<std::int64_t>(o.max_in_flight), "max_in_flight (0: none)", ""},
    {"lease_chunk", static_cast<std::int64_t>(chunk), "lease chunk", ""},
    {"answer_share", g.answer, "gateway answer share", ""},
    {"ring_mean_ms", static_cast<std::int64_t>(g.ring_mean_ms), "ring time mean (domain)", "ms"},
    {"no_answer_ms", static_cast<std::int64_t>(g.no_answer_after_ms), "no answer after (domain)", "ms"},
    {"scale", o.scale, "clock scale", "x"},
    {"records", static_cast<std::int64_t>(per_list * ncamp), "records imported", ""},
    {"import_s", p.import_s, "lists written + imported in", "s"},
    {"import_rows_per_s", p.import_s > 0 ? per_list * ncamp / p.import_s : 0.0, "  rows/s", ""},
    {"backend", std::string{storage::to_string(sc.backend)}, "storage backend", ""},
    {"synchronous", std::string{storage::to_string(sc.synchronous)}, "storage.synchronous", ""},
  };
  if (external) {
    r.extra.push_back({"gateway_cpu_us_per_dial", dials ? 1e6 * p.gateway_cpu_s / dials : 0.0,
                       "gateway process CPU/dial", "µs"});
    r.extra.push_back({"gateway_summary", p.gateway_summary, "the gateway's own count", ""});
    auto& e = *embedded;
    r.extra.push_back({"embedded_dials_per_s", e.secs > 0 ? e.dials / e.secs : 0.0,
                       "embedded gateway: dials/s", ""});
    r.extra.push_back({"embedded_cpu_us_per_dial",
                       e.dials ? 1e6 * (e.cpu1.engine_s - e.cpu0.engine_s) / e.dials : 0.0,
                       "  its engine CPU per dial", "µs"});
    r.ref = reference{"the embedded simulated gateway, same engine set-up, the pass before this one",
                      e.secs > 0 ? e.dials / e.secs : 0.0, "outbound.gateway.kind = \"simulated\""};
    if (p.gateway_summary.find(" errors 0 ") == std::string::npos)
      r.notes.push_back("the external gateway reported errors: " + p.gateway_summary);
  }
  add_cpu_fields(r, p.cpu0, p.cpu1);
  if (s2.in_flight > 0)
    r.notes.push_back(grouped(s2.in_flight) + " calls had not ended " + fmt("%.1f", std::max(o.drain_s, 0.5))
                      + " s after the campaigns stopped, though every call rings for milliseconds: "
                        "calls lost between a dialer session and the gateway");
  const bool dry = s1.dry > 0;
  if (dry)
    r.notes.push_back(std::to_string(s1.dry) + " of " + std::to_string(ncamp) + " lists ran (nearly) "
                      "dry before the end of the window, which slows dialing down: the figure is a "
                      "lower bound; raise --count");
  if (dials > 0 && std::fabs(p.metric_dials - double(dials)) > 0.01 * dials + 10)
    r.notes.push_back("parley_dials_total moved by " + fmt("%.0f", p.metric_dials) + ", the campaigns "
                      "counted " + grouped(dials));
  if (!external && !o.no_reference && sc.backend == storage::backend_kind::sqlite && dials > 0) {
    // The same number of dials (at least 20,000 for a stable figure, at most 500,000).
    auto n = std::clamp<std::uint64_t>(dials, 20'000, 500'000);
    auto dir = std::filesystem::temp_directory_path() / ("parley-dial-ref-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    try {
      auto per_s = storage_alone(dir.string(), sc, n, chunk, 2000);
      r.ref = reference{"storage alone, one thread: the same lease, 2 history rows and the record "
                          "update per dial, same batching (" + grouped(n) + " dials)",
                        per_s, "sqlite_outbound lease/insert_attempts/update_records"};
    } catch (const std::exception& e) {
      r.notes.push_back(std::string{"reference not measured: "} + e.what());
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  r.aim.text = ">= 10,000 dial attempts/s through compliance and pacing";
  r.aim.met = r.throughput_per_s >= 10'000;
  r.aim.verdict = "reached " + grouped(static_cast<std::uint64_t>(r.throughput_per_s)) + "/s = "
                  + fmt("%.0f %%", r.throughput_per_s / 100) + " of the goal"
                  + (dry ? " (lists ran dry: a lower bound)" : "");
  finish_result(h, r);
  r.ran = dials > 0;
  return r;
}

} // namespace parley::bench
