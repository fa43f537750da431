// The lifecycle (closed loop) and latency (open loop) scenarios: gateways submit to one
// queue, a desk pool accepts and stops every interaction.
#include <cmath>
#include <cstdio>
#include <thread>

#include <pthread.h>

#include "bench/parley_bench/desks.hpp"
#include "bench/parley_bench/messages.hpp"
#include "bench/parley_bench/scenarios.hpp"

namespace parley::bench {

using namespace std::chrono_literals;
using M = wire::Message;

std::string p99_text(const histogram& h) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "p99 %.3f ms", h.quantile(0.99) / 1000.0);
  return buf;
}

namespace {

std::string pct(double part, double whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f %%", whole > 0 ? 100.0 * part / whole : 0.0);
  return buf;
}

} // namespace

std::vector<std::unique_ptr<gateway>> connect_gateways(harness& h, unsigned n) {
  std::vector<std::unique_ptr<gateway>> gws;
  for (unsigned i = 0; i < n; ++i) {
    auto g = std::make_unique<gateway>();
    g->cl = h.make_client("bench-gateway-" + std::to_string(i), wire::ClientType::media_gateway);
    gws.push_back(std::move(g));
  }
  return gws;
}

void start_all(harness& h, std::vector<std::unique_ptr<gateway>>& gws) {
  std::vector<std::shared_ptr<client::client>> cls;
  for (auto& g : gws) {
    g->cl->start();
    cls.push_back(g->cl);
  }
  if (!h.wait_registered(cls, 10s))
    throw std::runtime_error("the gateways did not register within 10 s: " + h.errors().first());
}

void login_desks(harness& h, desk_pool& desks) {
  if (!desks.login_all(h.opts().concurrency, 30s))
    throw std::runtime_error("only " + std::to_string(desks.ready()) + " of "
                             + std::to_string(desks.size()) + " agents became ready: "
                             + h.errors().first());
}

std::string bench_toml(const options& o, std::uint64_t queue_size, bool group) {
  std::string t;
  t += "[routing]\nmedia = [" + toml_string(o.media) + "]\noffer_timeout_ms = 60000\n";
  t += "max_no_answer = 0\n\n[[queues]]\nname = " + toml_string(o.queue) + "\n";
  t += "max_size = " + std::to_string(std::max<std::uint64_t>(queue_size, 1)) + "\n";
  if (group) {
    t += "\n[[agent_groups]]\nname = \"bench\"\nmembers = [" + toml_string(o.agent_prefix + "*")
         + "]\ncapacity = { " + o.media + " = 1 }\n";
  }
  return t;
}

void finish_result(harness& h, result& r) {
  r.target = h.target();
  r.embedded = h.embedded();
  r.errors = h.errors().total();
  r.errors_by_kind = h.errors().by_kind();
  r.first_error = h.errors().first();
  if (r.rss_bytes == 0)
    r.rss_bytes = rss_bytes();
}

// -- lifecycle ----------------------------------------------------------------------------

result run_lifecycle(harness& h) {
  auto& o = h.opts();
  unsigned ng = o.gateways ? o.gateways : 4;
  unsigned window = o.window ? o.window : 64;
  h.start_engine(bench_toml(o, 10'000'000, true), ng + o.agents);
  auto gws = connect_gateways(h, ng);
  desk_pool desks{h, o.agents};
  std::atomic<bool> running{false};

  // The window: a slot is freed by the ProcessingStopped event (the gateway owns the
  // interaction) or by a failed Submit.
  std::function<void(gateway&)> pump = [&](gateway& g) {
    while (running) {
      int cur = g.in_flight.load();
      if (cur >= static_cast<int>(window))
        return;
      if (!g.in_flight.compare_exchange_weak(cur, cur + 1))
        continue;
      ++g.submitted;
      g.cl->request(msg::submit(o.queue, o.media, true), [&h, &g, &pump](client::answer a) {
        if (a.type() == M::Submitted)
          return;
        h.errors().record(a);
        --g.in_flight;
        pump(g);
      });
    }
  };
  for (auto& g : gws)
    g->cl->on_event([&pump, g = g.get()](const client::answer& a) {
      if (a.type() == M::ProcessingStopped) {
        --g->in_flight;
        pump(*g);
      }
    });
  clients_guard guard{h};
  start_all(h, gws);
  login_desks(h, desks);

  auto t0 = steady::now();
  auto end = t0 + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.duration_s));
  desks.window_end_us = now_us() + static_cast<std::uint64_t>(o.duration_s * 1e6);
  auto cpu0 = cpu_now();
  running = true;
  for (auto& g : gws)
    pump(*g);
  auto elapsed = [&] { return std::chrono::duration<double>(steady::now() - t0).count(); };
  bool hopeless = false;
  h.wait_until(
    end,
    [&] {  // a target that refuses everything: stop early and say why
      hopeless = h.errors().total() > 1000 && desks.completed() == 0;
      return hopeless;
    },
    [&] {
      auto e = elapsed();
      h.progress().update(e / o.duration_s, e, desks.completed(), desks.completed() / std::max(e, 1e-3),
                          h.errors().total());
    });
  auto measured_s = std::min(elapsed(), o.duration_s);
  auto cpu1 = cpu_now();
  running = false;
  auto in_flight = [&] {
    long n = 0;
    for (auto& g : gws)
      n += g->in_flight;
    return n;
  };
  auto drain_end = steady::now() + std::chrono::milliseconds(static_cast<long>(o.drain_s * 1000));
  h.wait_until(drain_end, [&] { return in_flight() == 0; }, {});
  h.progress().clear();

  result r;
  r.scenario = "lifecycle";
  r.rss_bytes = rss_bytes();
  auto unfinished = in_flight();
  auto actors = h.engine_ptr() ? static_cast<std::int64_t>(h.engine_ptr()->running_actors()) : -1;
  std::uint64_t submitted = 0;
  for (auto& g : gws)
    submitted += g->submitted;
  h.finish_clients();
  r.count_what = "lifecycles (submit -> invite -> accept -> stop acked)";
  r.count = desks.completed();
  r.duration_s = measured_s;
  r.throughput_per_s = measured_s > 0 ? r.count / measured_s : 0;
  r.latency_what = "submit sent -> stop acked";
  r.latency = latency_summary::of(desks.lifecycle_latency());
  r.extra = {
    {"gateways", std::int64_t{ng}, "gateways", ""},
    {"window", std::int64_t{window}, "window per gateway", "lifecycles in flight"},
    {"agents", std::int64_t{o.agents}, "agents (capacity 1 each)", ""},
    {"submitted", static_cast<std::int64_t>(submitted), "submits sent", ""},
    {"completed_in_drain", static_cast<std::int64_t>(desks.completed_late()),
     "completed in the drain", "(not in count)"},
    {"unfinished", static_cast<std::int64_t>(unfinished), "unfinished after the drain", ""},
    {"client_io_threads", std::int64_t{o.io_threads}, "client io threads", ""},
  };
  if (actors >= 0)  // only an embedded engine can be counted
    r.extra.push_back({"engine_actors", actors, "engine actors at the end", ""});
  add_cpu_fields(r, cpu0, cpu1);
  r.aim.text = ">= 25,000 lifecycles/s on this 2-core machine";
  r.aim.met = r.throughput_per_s >= 25'000;
  r.aim.verdict = grouped(static_cast<std::uint64_t>(std::llround(r.throughput_per_s))) + "/s = "
                  + pct(r.throughput_per_s, 25'000) + " of the goal";
  if (hopeless)
    r.notes.push_back("stopped early: more than 1,000 errors and no lifecycle completed");
  if (!h.embedded())
    r.notes.push_back("the target needs queue '" + o.queue + "' (media " + o.media
                      + ") and an agent group for '" + o.agent_prefix
                      + "*' with capacity 1 and wrap_up_ms = 0");
  finish_result(h, r);
  r.ran = r.count > 0;
  return r;
}

// -- latency ------------------------------------------------------------------------------

result run_latency(harness& h) {
  auto& o = h.opts();
  unsigned ng = o.gateways ? o.gateways : 4;
  if (!(o.rate > 0))
    throw std::runtime_error("--rate must be above 0");
  h.start_engine(bench_toml(o, 10'000'000, true), ng + o.agents);
  auto gws = connect_gateways(h, ng);
  desk_pool desks{h, o.agents};
  histogram submit_latency;
  std::atomic<std::uint64_t> acked{0}, acked_late{0}, sent{0}, skipped{0}, late_sends{0};
  std::atomic<std::uint64_t> max_lag_us{0};
  std::atomic<long> outstanding{0};
  std::atomic<bool> stop_pacer{false};
  clients_guard guard{h};
  start_all(h, gws);
  login_desks(h, desks);
  // Beyond this many unanswered submits the engine is hopelessly behind: skip (and count).
  const long cap = static_cast<long>(std::max(10'000.0, o.rate * 2));
  auto t0 = steady::now();
  auto end = t0 + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.duration_s));
  auto t0_us = now_us();
  auto end_us = t0_us + static_cast<std::uint64_t>(o.duration_s * 1e6);
  desks.window_end_us = end_us;

  // The pacer sends by the clock, whatever the answers do; latency is measured from the
  // intended send time, so a late send (a busy CPU, a slow client) counts against us.
  auto cpu0 = cpu_now();
  std::thread pacer([&] {
    ::pthread_setname_np(::pthread_self(), "bench.pacer");
    const double period_us = 1e6 / o.rate;
    for (std::uint64_t k = 0; !stop_pacer; ++k) {
      auto intended_us = t0_us + static_cast<std::uint64_t>(std::llround(k * period_us));
      if (intended_us >= end_us)
        break;
      auto intended = t0 + std::chrono::microseconds(intended_us - t0_us);
      if (steady::now() < intended)
        std::this_thread::sleep_until(intended);
      auto lag = now_us() - intended_us;
      if (lag > 1000)
        ++late_sends;
      auto m = max_lag_us.load();
      while (lag > m && !max_lag_us.compare_exchange_weak(m, lag)) {
      }
      if (outstanding >= cap) {
        ++skipped;
        continue;
      }
      ++outstanding;
      ++sent;
      auto& g = *gws[k % gws.size()];
      g.cl->request(msg::submit(o.queue, o.media, false), [&, intended_us](client::answer a) {
        --outstanding;
        if (a.type() != M::Submitted) {
          h.errors().record(a);
          return;
        }
        auto now = now_us();
        submit_latency.record(now - intended_us);
        ++(now <= end_us ? acked : acked_late);
      });
    }
  });
  auto elapsed = [&] { return std::chrono::duration<double>(steady::now() - t0).count(); };
  h.wait_until(end, {}, [&] {
    auto e = elapsed();
    h.progress().update(e / o.duration_s, e, acked, acked / std::max(e, 1e-3), h.errors().total(),
                        p99_text(submit_latency));
  });
  stop_pacer = true;
  pacer.join();
  auto measured_s = std::min(elapsed(), o.duration_s);
  auto cpu1 = cpu_now();
  auto drain_end = steady::now() + std::chrono::milliseconds(static_cast<long>(o.drain_s * 1000));
  h.wait_until(drain_end, [&] { return outstanding == 0; }, {});
  h.progress().clear();

  result r;
  r.scenario = "latency";
  r.rss_bytes = rss_bytes();
  auto unanswered = outstanding.load();
  h.finish_clients();
  r.count_what = "submits acked (Submitted)";
  r.count = acked;
  r.duration_s = measured_s;
  r.throughput_per_s = measured_s > 0 ? r.count / measured_s : 0;
  r.latency_what = "intended send time -> Submitted";
  r.latency = latency_summary::of(submit_latency);
  auto p99_ms = submit_latency.quantile(0.99) / 1000.0;
  r.extra = {
    {"rate", o.rate, "target rate", "/s"},
    {"sent", static_cast<std::int64_t>(sent), "submits sent", ""},
    {"acked_in_drain", static_cast<std::int64_t>(acked_late), "acked in the drain", "(not in count)"},
    {"unanswered", static_cast<std::int64_t>(unanswered), "unanswered after the drain", ""},
    {"skipped", static_cast<std::int64_t>(skipped), "skipped (engine far behind)", ""},
    {"late_sends", static_cast<std::int64_t>(late_sends), "sends > 1 ms late", ""},
    {"max_send_lag_ms", max_lag_us / 1000.0, "max send lag", "ms"},
    {"lifecycles_stopped", static_cast<std::int64_t>(desks.completed() + desks.completed_late()),
     "lifecycles stopped by agents", ""},
    {"gateways", std::int64_t{ng}, "gateways", ""},
    {"agents", std::int64_t{o.agents}, "agents", ""},
  };
  add_cpu_fields(r, cpu0, cpu1);
  r.aim.text = "p99 submit -> ack <= 2 ms at 10,000 submits/s";
  r.aim.met = p99_ms <= 2.0 && o.rate >= 10'000 && r.throughput_per_s >= 0.99 * o.rate;
  char buf[64];
  std::snprintf(buf, sizeof buf, "p99 %.3f ms at ", p99_ms);
  r.aim.verdict = buf + grouped(static_cast<std::uint64_t>(o.rate)) + "/s offered, "
                  + grouped(static_cast<std::uint64_t>(std::llround(r.throughput_per_s))) + "/s acked"
                  + (o.rate < 10'000 ? " (the goal is stated at 10,000/s)" : "");
  if (skipped > 0 || r.throughput_per_s < 0.99 * o.rate)
    r.notes.push_back("the engine did not keep up with the offered rate");
  auto stopped = desks.completed() + desks.completed_late();
  if (o.agents > 0 && stopped < 0.95 * sent)
    r.notes.push_back("the agents stopped only " + grouped(stopped) + " of " + grouped(sent)
                      + " interactions: the whole lifecycle at this rate saturates the engine "
                        "and the queue grew");
  if (o.agents == 0)
    r.notes.push_back("--agents 0: submits only, the queue grows by the rate");
  finish_result(h, r);
  r.ran = r.count > 0;
  return r;
}

} // namespace parley::bench
