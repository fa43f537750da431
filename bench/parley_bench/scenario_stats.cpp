// The statistics scenario: how many open statistics the engine holds (and what each costs),
// how many notifications per second it delivers, and how late: reporting event (its engine
// timestamp) -> StatInfo received here (same process, same clock).
#include <cstdio>
#include <thread>

#include "bench/parley_bench/messages.hpp"
#include "bench/parley_bench/scenarios.hpp"

namespace parley::bench {

using namespace std::chrono_literals;
using M = wire::Message;

namespace {

std::uint64_t system_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
}

std::string queue_name(const options& o, unsigned i) {
  return o.queue + std::to_string(i);
}

std::string stats_toml(const options& o) {
  std::string t = "[routing]\nmedia = [\"" + o.media + "\"]\n";
  for (unsigned i = 0; i < o.queues; ++i)
    t += "\n[[queues]]\nname = \"" + queue_name(o, i) + "\"\nmax_size = 10000000\n";
  return t;
}

} // namespace

result run_stats(harness& h) {
  auto& o = h.opts();
  if (!h.embedded())
    throw std::runtime_error("stats runs against the embedded engine only (it opens 2060 itself)");
  std::uint64_t n = o.count ? o.count : 100'000;
  unsigned ng = o.gateways ? o.gateways : 2;
  unsigned window = o.window ? o.window : 16;
  h.start_engine(stats_toml(o), o.boards + ng);
  std::vector<std::shared_ptr<client::client>> boards, gws;
  std::atomic<bool> measuring{false};
  std::atomic<std::uint64_t> notes_in{0}, notes_total{0};
  histogram latency;
  for (unsigned i = 0; i < o.boards; ++i) {
    boards.push_back(h.make_client("bench-board-" + std::to_string(i), wire::ClientType::stat_client, true));
    boards.back()->on_event([&](const client::answer& a) {
      auto* info = a.as<wire::StatInfo>();
      if (!info)
        return;
      ++notes_total;
      if (!measuring)
        return;
      ++notes_in;
      if (info->event_ms() > 0) {
        auto now = system_us(), ev = static_cast<std::uint64_t>(info->event_ms()) * 1000;
        latency.record(now > ev ? now - ev : 0);
      }
    });
    boards.back()->start();
  }
  for (unsigned i = 0; i < ng; ++i) {
    gws.push_back(h.make_client("bench-gateway-" + std::to_string(i), wire::ClientType::media_gateway));
    gws.back()->start();
  }
  if (!h.wait_registered(boards, 10s) || !h.wait_registered(gws, 10s))
    throw std::runtime_error("the clients did not register within 10 s: " + h.errors().first());
  clients_guard guard{h};

  // -- 1. open n statistics: on-change entered / current_in_queue over the queues -----------
  auto rss0 = rss_bytes();
  std::atomic<std::uint64_t> next{0}, opened{0}, failed{0};
  std::vector<std::unique_ptr<std::atomic<int>>> in_flight;
  for (unsigned i = 0; i < o.boards; ++i)
    in_flight.push_back(std::make_unique<std::atomic<int>>(0));
  std::function<void(unsigned)> open_more = [&](unsigned b) {
    while (in_flight[b]->load() < 512) {
      auto i = next.fetch_add(1);
      if (i >= n)
        return;
      ++*in_flight[b];
      auto queue = queue_name(o, static_cast<unsigned>(i % o.queues));
      auto metric = (i / o.queues) % 2 ? "current_in_queue" : "entered";
      boards[b]->request(msg::make([queue, metric](msg::fbb& fb) {
                           auto id = fb.CreateString(queue);
                           auto m = fb.CreateString(metric);
                           return wire::CreateOpenStat(fb, wire::StatObjectType::queue, id, m);
                         }),
                         [&, b](client::answer a) {
                           if (a.type() == M::StatOpened)
                             ++opened;
                           else {
                             h.errors().record(a);
                             ++failed;
                           }
                           --*in_flight[b];
                           open_more(b);
                         });
    }
  };
  auto t_open = steady::now();
  for (unsigned b = 0; b < o.boards; ++b)
    open_more(b);
  h.wait_until(after(std::max(o.duration_s * 20, 120.0)), [&] { return opened + failed >= n; }, [&] {
    auto e = std::chrono::duration<double>(steady::now() - t_open).count();
    h.progress().update(static_cast<double>(opened) / n, e, opened, opened / std::max(e, 1e-3),
                        h.errors().total(), "opening");
  });
  auto open_s = std::chrono::duration<double>(steady::now() - t_open).count();
  std::this_thread::sleep_for(200ms);  // let the opened values settle
  auto rss1 = rss_bytes();
  auto per_open = opened > 0 ? static_cast<double>(rss1 - std::min(rss1, rss0)) / opened : 0;

  // -- 2. submits drive notifications -------------------------------------------------------
  std::atomic<bool> running{true};
  std::atomic<std::uint64_t> submitted{0}, seq{0};
  std::vector<std::unique_ptr<std::atomic<int>>> gw_slots;
  for (unsigned i = 0; i < ng; ++i)
    gw_slots.push_back(std::make_unique<std::atomic<int>>(0));
  std::vector<std::string> names;
  for (unsigned i = 0; i < o.queues; ++i)
    names.push_back(queue_name(o, i));
  bool paced = o.stats_rate > 0;
  std::atomic<std::uint64_t> paced_sent{0};
  std::function<void(unsigned)> pump = [&](unsigned g) {
    while (running && (paced || gw_slots[g]->load() < static_cast<int>(window))) {
      ++*gw_slots[g];
      auto& q = names[seq.fetch_add(1) % names.size()];
      gws[g]->request(msg::submit(q, o.media, false), [&, g](client::answer a) {
        if (a.type() == M::Submitted)
          ++submitted;
        else
          h.errors().record(a);
        --*gw_slots[g];
        if (!paced)
          pump(g);
      });
      if (paced)
        return;  // one submit per call: the pacer decides how many
    }
  };
  auto& m = *h.engine_ptr()->domain()->metrics;
  auto coalesced0 = m.stats_coalesced.load();
  auto sent0 = m.stats_notifications.load();
  auto cpu0 = cpu_now();
  auto t0 = steady::now();
  measuring = true;
  auto elapsed = [&] { return std::chrono::duration<double>(steady::now() - t0).count(); };
  if (!paced)
    for (unsigned g = 0; g < ng; ++g)
      pump(g);
  h.wait_until(after(o.duration_s), [] { return false; }, [&] {
    auto e = elapsed();
    // Open loop: whatever the clock says is due, regardless of answers.
    for (auto due = static_cast<std::uint64_t>(e * o.stats_rate); paced && paced_sent < due; ++paced_sent)
      pump(static_cast<unsigned>(paced_sent % ng));
    h.progress().update(e / o.duration_s, e, notes_in, notes_in / std::max(e, 1e-3),
                        h.errors().total(), grouped(submitted) + " submits");
  });
  measuring = false;
  running = false;
  auto run_s = elapsed();
  auto cpu1 = cpu_now();
  auto in = notes_in.load();
  auto sent = m.stats_notifications.load() - sent0;
  auto coalesced = m.stats_coalesced.load() - coalesced0;
  auto open_now = m.stats_open.load();
  h.wait_until(after(o.drain_s), [&] {
    for (auto& s : gw_slots)
      if (*s > 0)
        return false;
    return true;
  }, {});
  h.progress().clear();
  h.finish_clients();

  result r;
  r.scenario = "stats";
  r.rss_bytes = rss1;
  r.count_what = "StatInfo notifications received by the wallboards";
  r.count = in;
  r.duration_s = run_s;
  r.throughput_per_s = run_s > 0 ? in / run_s : 0;
  r.latency_what = "reporting event (engine_ms) -> StatInfo received";
  r.latency = latency_summary::of(latency);
  r.extra = {
    {"open_held", static_cast<std::int64_t>(opened.load()), "statistics open", ""},
    {"open_failed", static_cast<std::int64_t>(failed.load()), "opens failed", ""},
    {"engine_open", static_cast<std::int64_t>(open_now), "engine: statistics open", ""},
    {"engine_calculations", static_cast<std::int64_t>(m.stats_calculations.load()),
     "engine: calculations behind them (identical statistics share one)", ""},
    {"open_time_s", open_s, "time to open them", "s"},
    {"open_per_s", open_s > 0 ? opened / open_s : 0.0, "opens per second", "/s"},
    {"rss_per_open_bytes", per_open, "rss per open statistic", "bytes (engine + client side)"},
    {"submits", static_cast<std::int64_t>(submitted.load()), "submits (the events)", ""},
    {"engine_notifications", static_cast<std::int64_t>(sent), "engine: notifications sent", ""},
    {"coalesced", static_cast<std::int64_t>(coalesced), "values coalesced (slow readers)", ""},
    {"boards", std::int64_t{o.boards}, "wallboard connections", ""},
    {"queues", std::int64_t{o.queues}, "queues", ""},
    {"gateways", std::int64_t{ng}, "gateways", ""},
    {"window", std::int64_t{window}, "submits in flight per gateway (closed loop)", ""},
    {"rate", o.stats_rate, "submits per second by the clock (0: closed loop)", "/s"},
  };
  add_cpu_fields(r, cpu0, cpu1);
  r.aim.text = "1,000,000 statistics open; >= 200,000 notifications/s; p99 <= 10 ms";
  r.aim.met = opened >= 1'000'000 && r.throughput_per_s >= 200'000 && r.latency.p99 <= 10000;
  char buf[300];
  std::snprintf(buf, sizeof buf,
                "%s open (%.1f %% of 1,000,000) at %s each; %s notifications/s (%.1f %% of 200,000); "
                "p99 %.2f ms (%s 10 ms)",
                grouped(opened).c_str(), 100.0 * opened / 1e6, human_bytes(per_open).c_str(),
                grouped(static_cast<std::uint64_t>(r.throughput_per_s)).c_str(),
                100.0 * r.throughput_per_s / 200'000, r.latency.p99 / 1000.0,
                r.latency.p99 <= 10000 ? "within" : "over");
  r.aim.verdict = buf;
  r.notes.push_back("latency uses the engine's millisecond event timestamp: each sample is "
                    "overstated by up to 1 ms");
  r.notes.push_back("rss per open statistic counts the engine's stat actor and index entry; the "
                    "client keeps nothing per statistic");
  finish_result(h, r);
  r.ran = opened > 0;
  return r;
}

} // namespace parley::bench
