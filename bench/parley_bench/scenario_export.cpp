// export: the stream export's rate (docs/streams.md, issue 19). --count events (default
// 1,000,000: five a call, four tenants) stored in an event log (SQLite in /tmp, or
// --backend postgresql with --dsn), then the engine's exporter (its actor, on an actor system
// of its own, as parleyd runs it) appends them all to a throwaway redis-server, timed until
// its watermark has the last one. The reference, in the same run on the same server:
// redis-benchmark sending XADD of an entry of the same fields, one connection, as deep a
// pipeline as the exporter's batch (--pipeline, default 1,000). Goal: >= 50 % of its rate.
#include <filesystem>
#include <thread>

#include <caf/all.hpp>

#include "actors/runtime/clock.hpp"
#include "bench/parley_bench/reference.hpp"
#include "bench/parley_bench/scenarios.hpp"
#include "engine/config.hpp"
#include "engine/counters.hpp"
#include "engine/engine.hpp"
#include "engine/stream_export.hpp"
#include "storage/store.hpp"

namespace parley::bench {

namespace {

constexpr const char* export_tenants[] = {"acme", "globex", "initech", "umbrella"};

/// Event k of the synthetic log: call k/5's submitted, queued, offered, accepted or stopped.
storage::event_row export_event(std::uint64_t k, std::int64_t t0) {
  using K = wire::ReportingKind;
  using S = wire::InteractionState;
  static constexpr std::pair<K, S> steps[] = {{K::submitted, S::submitted},
                                              {K::queued, S::queued},
                                              {K::offered, S::offered},
                                              {K::accepted, S::handled},
                                              {K::stopped, S::stopped}};
  auto call = k / 5, step = k % 5;
  storage::event_row e;
  e.seq = k + 1;
  e.engine_ms = t0 + static_cast<std::int64_t>(k);
  e.kind = static_cast<std::uint8_t>(steps[step].first);
  e.tenant = export_tenants[call % 4];
  e.iid = 1'000'000 + call;
  e.queue = "q" + std::to_string(call % 100);
  e.media = "voice";
  e.from_state = step == 0 ? -1 : static_cast<std::int16_t>(steps[step - 1].second);
  e.state = static_cast<std::uint8_t>(steps[step].second);
  if (step == 2 || step == 3)
    e.agent = "a" + std::to_string(call % 2'000);
  return e;
}

} // namespace

result run_export(harness& h) {
  auto& o = h.opts();
  result r;
  r.scenario = "export";
  throwaway_redis redis;
  if (redis.port() == 0)
    throw std::runtime_error("export needs a redis-server: " + redis.why());
  std::string dir;
  auto sc = scratch_store(o, "export", dir);
  std::uint64_t events = o.count ? o.count : 1'000'000u;
  unsigned depth = o.pipeline > 1 ? o.pipeline : 1'000;
  auto t0_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  {
    auto store = storage::open_store(sc);
    store->migrate();
    for (std::uint64_t k = 0; k < events;) {
      storage::batch b;
      for (auto end = std::min(events, k + 10'000); k < end; ++k)
        b.events.push_back(export_event(k, t0_ms));
      store->write(b);
    }
  }

  engine::counters stats;
  auto& exported = stats.exported(engine::export_log::events);
  engine::config ecfg;
  caf::actor_system_config caf_cfg;
  caf::actor_system sys{engine::prepare_actor_system(caf_cfg, ecfg)};
  auto clk = make_clock(1.0, t0_ms);
  auto t0 = steady::now();
  auto exporter = engine::spawn_exporter(
    sys, {sc, "127.0.0.1", redis.port(), "parley:", 0, 0, depth, std::chrono::milliseconds{100}, clk, &stats});
  while (exported.watermark.load() < events && std::chrono::duration<double>(steady::now() - t0).count() < 600) {
    if (!o.no_progress) {
      auto s = std::chrono::duration<double>(steady::now() - t0).count();
      auto n = exported.watermark.load();
      h.progress().update(static_cast<double>(n) / static_cast<double>(events), s, n,
                          static_cast<double>(n) / std::max(s, 1e-3), 0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  auto took = std::chrono::duration<double>(steady::now() - t0).count();
  h.progress().clear();
  caf::anon_send_exit(exporter, caf::exit_reason::user_shutdown);
  auto appended = exported.watermark.load();
  if (!dir.empty())
    std::filesystem::remove_all(dir);

  // The reference: one connection, the same pipeline, an entry of the fields the exporter
  // writes for an offered call (the longest of the five).
  auto sample = export_event(2, t0_ms);
  std::vector<std::string> xadd{"XADD", "bench:reference", "*", "seq", std::to_string(sample.seq), "engine_ms",
                                std::to_string(sample.engine_ms), "kind", "offered", "tenant", sample.tenant, "iid",
                                std::to_string(sample.iid), "from_state", "queued", "state", "offered", "agent",
                                sample.agent, "queue", sample.queue, "media", "voice"};
  std::string why;
  if (auto ref = redis_command_reference(redis.port(), xadd, 1, depth, events, why))
    r.ref = *ref;
  else
    r.notes.push_back("no reference: " + why);

  r.count_what = "events appended";
  r.count = appended;
  r.duration_s = took;
  r.throughput_per_s = static_cast<double>(appended) / std::max(took, 1e-9);
  r.errors = exported.errors.load();
  r.extra = {
    {"backend", o.backend, "backend", ""},
    {"events", static_cast<std::int64_t>(events), "events stored", ""},
    {"pipeline", static_cast<std::int64_t>(depth), "pipeline (streams.batch_events)", ""},
    {"duplicates", static_cast<std::int64_t>(exported.duplicates.load()), "duplicates", ""},
  };
  double ratio = r.ref ? r.throughput_per_s / r.ref->throughput_per_s : 0;
  r.aim = {"events appended/s >= 50 % of redis-benchmark XADD (one connection, the same pipeline)",
           appended == events && ratio >= 0.5,
           std::to_string(static_cast<int>(ratio * 100 + 0.5)) + " % of redis-benchmark"};
  r.notes.push_back("the exporter reads the stored events (" + o.backend + "), builds each entry and appends "
                    "them in pipelines of " + std::to_string(depth) + ", then moves its watermark; redis-benchmark "
                    "sends one fixed XADD");
  finish_result(h, r);
  return r;
}

} // namespace parley::bench
