// The ping scenario: Ping round trips over many registered connections, and in the same
// run the same load on redis-server (redis-benchmark PING) as the reference.
#include <cmath>
#include <cstdio>
#include <functional>

#include "bench/parley_bench/reference.hpp"
#include "bench/parley_bench/scenarios.hpp"

namespace parley::bench {

using namespace std::chrono_literals;
using M = wire::Message;

namespace {

/// One outstanding ping, re-sent as soon as its Pong arrives.
struct chain {
  client::client* cl = nullptr;
  std::uint64_t sent_us = 0;
};

} // namespace

result run_ping(harness& h) {
  auto& o = h.opts();
  unsigned nc = std::max(1u, o.clients);
  unsigned depth = std::max(1u, o.pipeline);
  h.start_engine(bench_toml(o, 1000, false), nc);
  std::vector<std::shared_ptr<client::client>> cls;
  for (unsigned i = 0; i < nc; ++i) {
    cls.push_back(h.make_client("bench-ping-" + std::to_string(i), wire::ClientType::media_gateway));
    cls.back()->start();
  }
  if (!h.wait_registered(cls, 10s))
    throw std::runtime_error("the ping clients did not register within 10 s: " + h.errors().first());

  std::vector<chain> chains(static_cast<std::size_t>(nc) * depth);
  histogram rtt;
  std::atomic<std::uint64_t> pongs{0}, pongs_late{0};
  std::atomic<long> outstanding{0};
  std::atomic<bool> running{true};
  auto t0 = steady::now();
  auto end = t0 + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.duration_s));
  auto end_us = now_us() + static_cast<std::uint64_t>(o.duration_s * 1e6);

  std::function<void(chain&)> fire = [&](chain& ch) {
    ++outstanding;
    ch.cl->request(
      [&ch](protocol::encoder& e, std::uint64_t ref) {
        ch.sent_us = now_us();  // on the strand, right before the write
        return e.ping(ref, ref);
      },
      [&](client::answer a) {
        --outstanding;
        if (a.type() == M::Pong) {
          auto now = now_us();
          rtt.record(now - ch.sent_us);
          ++(now <= end_us ? pongs : pongs_late);
        } else {
          h.errors().record(a);
        }
        if (running)
          fire(ch);
      });
  };
  clients_guard guard{h};
  auto cpu0 = cpu_now();
  for (std::size_t i = 0; i < chains.size(); ++i) {
    chains[i].cl = cls[i % nc].get();
    fire(chains[i]);
  }
  auto elapsed = [&] { return std::chrono::duration<double>(steady::now() - t0).count(); };
  h.wait_until(end, {}, [&] {
    auto e = elapsed();
    h.progress().update(e / o.duration_s, e, pongs, pongs / std::max(e, 1e-3), h.errors().total());
  });
  running = false;
  auto measured_s = std::min(elapsed(), o.duration_s);
  auto cpu1 = cpu_now();
  h.wait_until(steady::now() + std::chrono::milliseconds(static_cast<long>(o.drain_s * 1000)),
               [&] { return outstanding == 0; }, {});
  h.progress().clear();

  result r;
  r.scenario = "ping";
  r.rss_bytes = rss_bytes();
  h.finish_clients();
  h.stop_engine();  // the reference gets the machine to itself, as parley-bench had
  r.count_what = "Ping -> Pong round trips";
  r.count = pongs;
  r.duration_s = measured_s;
  r.throughput_per_s = measured_s > 0 ? r.count / measured_s : 0;
  r.latency_what = "Ping written -> Pong handled";
  r.latency = latency_summary::of(rtt);
  r.extra = {
    {"clients", std::int64_t{nc}, "connections", ""},
    {"pipeline", std::int64_t{depth}, "pings in flight per connection", ""},
    {"pongs_in_drain", static_cast<std::int64_t>(pongs_late), "pongs in the drain", "(not in count)"},
  };
  add_cpu_fields(r, cpu0, cpu1);
  r.aim.text = "ratio parley / redis-benchmark PING >= 0.8 (same clients and pipeline)";
  if (!o.no_reference) {
    std::string why;
    if (!h.opts().json)
      std::fprintf(stderr, "running the reference: redis-benchmark ping -c %u -P %u ...\n", nc, depth);
    r.ref = redis_ping_reference(nc, depth, o.duration_s, why);
    if (!r.ref)
      r.notes.push_back("no reference: " + why);
  } else {
    r.notes.push_back("reference skipped (--no-reference)");
  }
  if (r.ref && r.ref->throughput_per_s > 0) {
    auto ratio = r.throughput_per_s / r.ref->throughput_per_s;
    r.aim.met = ratio >= 0.8;
    char buf[160];
    std::snprintf(buf, sizeof buf, "ratio %.3f (%s/s vs %s/s)", ratio,
                  grouped(static_cast<std::uint64_t>(std::llround(r.throughput_per_s))).c_str(),
                  grouped(static_cast<std::uint64_t>(std::llround(r.ref->throughput_per_s))).c_str());
    r.aim.verdict = buf;
  } else {
    r.aim.verdict = "no reference measured, no ratio";
  }
  r.notes.push_back("the engine answers Ping in its session (no actor): this is the transport path");
  finish_result(h, r);
  r.ran = r.count > 0;
  return r;
}

} // namespace parley::bench
