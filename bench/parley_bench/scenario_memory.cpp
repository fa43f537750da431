// The scale scenarios: how many agents (one desktop connection each) and how many waiting
// interactions the engine holds, and what each one costs in resident memory.
#include <cstdio>
#include <functional>
#include <thread>

#include "bench/parley_bench/desks.hpp"
#include "bench/parley_bench/messages.hpp"
#include "bench/parley_bench/scenarios.hpp"

namespace parley::bench {

using namespace std::chrono_literals;
using M = wire::Message;

namespace {

std::string pct(double part, double whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", whole > 0 ? 100.0 * part / whole : 0.0);
  return buf;
}

} // namespace

// -- agents -------------------------------------------------------------------------------

result run_agents(harness& h) {
  auto& o = h.opts();
  std::uint64_t wanted = o.count ? o.count : 10'000;
  result r;
  r.scenario = "agents";
  // Embedded, every connection costs two descriptors in this process (client and engine).
  auto fds = raise_fd_limit();
  std::uint64_t per = h.embedded() ? 2 : 1, spare = 256;
  std::uint64_t n = wanted;
  if (fds < wanted * per + spare) {
    n = fds > spare ? (fds - spare) / per : 0;
    r.notes.push_back("file-descriptor limit " + grouped(fds) + " (RLIMIT_NOFILE, raised to its hard limit) "
                      "fits only " + grouped(n) + " of the " + grouped(wanted) + " agents asked for"
                      + (h.embedded() ? " (2 descriptors per agent in-process)" : ""));
  }
  if (n == 0)
    throw std::runtime_error("the file-descriptor limit leaves no room for agents");
  h.start_engine(bench_toml(o, 1000, true), n);
  auto rss0 = rss_bytes();
  desk_pool desks{h, n};
  clients_guard guard{h};
  auto cpu0 = cpu_now();
  auto t0 = steady::now();
  auto t0_us = now_us();
  auto end = after(o.duration_s);
  std::size_t next = 0;
  auto elapsed = [&] { return std::chrono::duration<double>(steady::now() - t0).count(); };
  while (steady::now() < end && desks.ready() + desks.failed() < n) {
    auto settled = desks.ready() + desks.failed();
    while (next < n && next - settled < o.concurrency)
      desks.begin(next++);
    auto e = elapsed();
    h.progress().update(static_cast<double>(desks.ready()) / n, e, desks.ready(),
                        desks.ready() / std::max(e, 1e-3), h.errors().total());
    std::this_thread::sleep_for(1ms);
  }
  h.progress().clear();
  auto cpu1 = cpu_now();
  auto ready = desks.ready();
  auto login_s = ready > 0 ? (desks.last_ready_us() - t0_us) / 1e6 : elapsed();
  r.rss_bytes = rss_bytes();
  auto per_agent = ready > 0 ? static_cast<double>(r.rss_bytes - std::min(r.rss_bytes, rss0)) / ready : 0;
  auto connections_open = h.embedded() && h.engine_ptr() ? h.engine_ptr()->open_sessions() : 0;
  h.finish_clients();

  r.count_what = "agents logged in and ready (one desktop connection each)";
  r.count = ready;
  r.duration_s = login_s;
  r.throughput_per_s = login_s > 0 ? ready / login_s : 0;
  r.latency_what = "connect -> login -> ready acked, per agent";
  r.latency = latency_summary::of(desks.login_latency());
  r.extra = {
    {"requested", static_cast<std::int64_t>(wanted), "agents asked for", ""},
    {"attempted", static_cast<std::int64_t>(desks.begun()), "agents attempted", ""},
    {"logged_in", static_cast<std::int64_t>(desks.logged_in()), "logged in", ""},
    {"failed", static_cast<std::int64_t>(desks.failed()), "failed", ""},
    {"login_time_s", login_s, "time to log in all", "s"},
    {"rss_before_bytes", static_cast<std::int64_t>(rss0), "rss before the agents", "bytes"},
    {"rss_per_agent_bytes", per_agent, "rss per agent", "bytes (engine + client side)"},
    {"engine_sessions", static_cast<std::int64_t>(connections_open), "engine sessions open", ""},
    {"fd_limit", static_cast<std::int64_t>(fds), "file-descriptor limit", ""},
    {"concurrency", std::int64_t{o.concurrency}, "logins in progress at once", ""},
  };
  add_cpu_fields(r, cpu0, cpu1);
  r.aim.text = "100,000 agents logged in (one connection each)";
  r.aim.met = ready >= 100'000;
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s agents ready (%s of 100,000) in %.2f s, %s per agent",
                grouped(ready).c_str(), pct(ready, 100'000).c_str(), login_s,
                human_bytes(per_agent).c_str());
  r.aim.verdict = buf;
  if (h.embedded())
    r.notes.push_back("rss per agent counts both ends: the engine's agent and session, and this "
                      "process's client object for it");
  finish_result(h, r);
  r.ran = ready > 0;
  return r;
}

// -- capacity -----------------------------------------------------------------------------

result run_capacity(harness& h) {
  auto& o = h.opts();
  std::uint64_t n = o.count ? o.count : 100'000;
  unsigned ng = o.gateways ? o.gateways : 1;
  unsigned window = o.window ? o.window : 256;
  h.start_engine(bench_toml(o, n + 1000, false), ng);
  std::vector<std::shared_ptr<client::client>> gws;
  for (unsigned i = 0; i < ng; ++i) {
    gws.push_back(h.make_client("bench-gateway-" + std::to_string(i), wire::ClientType::media_gateway));
    gws.back()->start();
  }
  if (!h.wait_registered(gws, 10s))
    throw std::runtime_error("the gateways did not register within 10 s: " + h.errors().first());
  // Whose memory the interactions cost: the embedded engine's (this process), or a running
  // engine's named by --engine-pid. Without it a --connect run cannot tell.
  bool measured = h.embedded() || o.engine_pid > 0;
  auto engine_rss = [&] { return measured ? rss_bytes(o.engine_pid) : 0; };
  auto rss0 = engine_rss();

  histogram submit_latency;
  std::atomic<std::uint64_t> issued{0}, held{0}, failed{0};
  std::vector<std::unique_ptr<std::atomic<int>>> in_flight;
  for (unsigned i = 0; i < ng; ++i)
    in_flight.push_back(std::make_unique<std::atomic<int>>(0));
  std::atomic<bool> running{true};
  std::function<void(unsigned)> pump = [&](unsigned gi) {
    auto& slots = *in_flight[gi];
    while (running) {
      int cur = slots.load();
      if (cur >= static_cast<int>(window))
        return;
      if (!slots.compare_exchange_weak(cur, cur + 1))
        continue;
      if (issued.fetch_add(1) >= n) {
        --issued;
        --slots;
        return;
      }
      auto sent = now_us();
      gws[gi]->request(msg::submit(o.queue, o.media, false), [&, gi, sent](client::answer a) {
        if (a.type() == M::Submitted) {
          submit_latency.record(now_us() - sent);
          ++held;
        } else {
          h.errors().record(a);
          ++failed;
        }
        --*in_flight[gi];
        pump(gi);
      });
    }
  };
  clients_guard guard{h};
  auto cpu0 = cpu_now();
  auto t0 = steady::now();
  auto elapsed = [&] { return std::chrono::duration<double>(steady::now() - t0).count(); };
  for (unsigned i = 0; i < ng; ++i)
    pump(i);
  h.wait_until(
    after(o.duration_s), [&] { return held + failed >= n; },
    [&] {
      auto e = elapsed();
      h.progress().update(static_cast<double>(held) / n, e, held, held / std::max(e, 1e-3),
                          h.errors().total(), human_bytes(static_cast<double>(rss_bytes())));
    });
  running = false;
  auto submit_s = elapsed();
  auto cpu1 = cpu_now();
  auto in_flight_sum = [&] {
    long s = 0;
    for (auto& f : in_flight)
      s += *f;
    return s;
  };
  h.wait_until(after(o.drain_s), [&] { return in_flight_sum() == 0; }, {});
  h.progress().clear();

  // What the engine says it holds, independent of our count.
  std::int64_t queue_total = -1;
  auto fut = gws[0]->request(msg::queue_snapshot(o.queue));
  if (fut.wait_for(10s) == std::future_status::ready) {
    auto a = fut.get();
    if (auto* snap = a.as<wire::QueueSnapshotData>())
      queue_total = snap->total();
    else
      h.errors().record(a);
  }
  auto rss1 = engine_rss();
  auto per = held > 0 ? static_cast<double>(rss1 - std::min(rss1, rss0)) / held : 0;
  h.finish_clients();

  result r;
  r.scenario = "capacity";
  r.rss_bytes = rss_bytes();
  r.count_what = "interactions held in queue '" + o.queue + "' (Submitted acked, no agents)";
  r.count = held;
  r.duration_s = submit_s;
  r.throughput_per_s = submit_s > 0 ? held / submit_s : 0;
  r.latency_what = "submit requested -> Submitted";
  r.latency = latency_summary::of(submit_latency);
  r.extra = {
    {"requested", static_cast<std::int64_t>(n), "interactions asked for", ""},
    {"queue_total", queue_total, "queue total (QueueSnapshot)", ""},
    {"failed", static_cast<std::int64_t>(failed), "submits failed", ""},
    {"engine_rss_before_bytes", static_cast<std::int64_t>(rss0), "engine rss before the submits",
     "bytes"},
    {"engine_rss_after_bytes", static_cast<std::int64_t>(rss1), "engine rss with them held",
     "bytes"},
    {"rss_per_interaction_bytes", per, "engine rss per interaction", "bytes"},
    {"projected_rss_1m_bytes", per * 1e6, "projected rss for 1,000,000", "bytes"},
    {"gateways", std::int64_t{ng}, "gateways", ""},
    {"window", std::int64_t{window}, "submits in flight per gateway", ""},
  };
  add_cpu_fields(r, cpu0, cpu1);
  r.aim.text = "1,000,000 interactions held at <= 1.5 KB (1,536 bytes) each";
  r.aim.met = measured && held >= 1'000'000 && per <= 1536;
  char buf[220];
  if (measured)
    std::snprintf(buf, sizeof buf, "%s held (%s of 1,000,000) at %s bytes each (%s the 1,536-byte bound)",
                  grouped(held).c_str(), pct(held, 1e6).c_str(),
                  grouped(static_cast<std::uint64_t>(per)).c_str(), per <= 1536 ? "within" : "over");
  else
    std::snprintf(buf, sizeof buf, "%s held (%s of 1,000,000); memory not measured (--engine-pid)",
                  grouped(held).c_str(), pct(held, 1e6).c_str());
  r.aim.verdict = buf;
  if (queue_total >= 0 && static_cast<std::uint64_t>(queue_total) != held)
    r.notes.push_back("the queue reports " + grouped(queue_total) + " waiting, not "
                      + grouped(held));
  r.notes.push_back("rss delta / held: the engine's interaction actors and queue entries (the "
                    "client keeps nothing per interaction); freed memory the allocator keeps counts too");
  finish_result(h, r);
  r.ran = held > 0;
  return r;
}

} // namespace parley::bench
