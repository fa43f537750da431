// The export of the reporting and VQ events to Redis Streams (docs/streams.md), against a
// real redis-server each case starts on a free loopback port (so that it can stop it): every
// stored event in its tenant's stream (:events, :vq) exactly once and in order — across a kill -9 of
// parleyd, a Redis stopped under load (submits never wait for it) and a lost connection
// after which Redis already has what the exporter sends again.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <map>

#include <utility>

#include <boost/asio.hpp>

#include "outbound_support.hpp"
#include "actors/runtime/redis_link.hpp"
#include "engine/stream_export.hpp"
#include "storage/store.hpp"
#include "support/console_conn.hpp"
#include "support/parleyd_process.hpp"
#include "support/redis_server.hpp"
#include "support/storage_env.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::campaigns;
using engine::listener_kind;

namespace {

std::string center_toml(std::uint16_t redis_port, bool export_events = true) {
  return R"(
[redis]
host = "127.0.0.1"
port = )" + std::to_string(redis_port) + R"(

[streams]
export = )" + (export_events ? "true" : "false") + R"(
batch_events = 3
poll_ms = 10

[reporting]
enabled = false
events_days = 35
retention_cron = ""

[[queues]]
name = "sales"
tenant = "acme"

[[queues]]
name = "support"
tenant = "globex"

[[agent_groups]]
name = "floor"
tenant = "acme"
members = ["*"]
capacity = { voice = 1 }
)";
}

/// One call for each tenant: submitted, then stopped.
void two_calls(client::client& gw) {
  stop(gw, id_of(submit(gw, "acme", "sales")));
  stop(gw, id_of(submit(gw, "globex", "support")));
}

using engine::export_log;

/// What a log holds, as the streams should: per stream, "seq kind iid|agent" (reporting
/// events) or "seq kind iid vq" (VQ events) in order.
std::map<std::string, std::vector<std::string>> stored(const storage::config& sc, export_log log = export_log::events) {
  auto store = storage::open_store(sc);
  std::map<std::string, std::vector<std::string>> out;
  if (log == export_log::vq) {
    for (auto& e : store->vq_events(1, 1'000'000))
      out[engine::export_stream("parley:", e.tenant, log)].push_back(
        std::to_string(e.seq) + " " + wire::EnumNameVqEventKind(static_cast<wire::VqEventKind>(e.kind)) + " "
        + std::to_string(e.iid) + " " + e.vq);
    return out;
  }
  for (auto& e : store->events(1, 1'000'000))
    out[engine::export_stream("parley:", e.tenant)].push_back(
      std::to_string(e.seq) + " " + wire::EnumNameReportingKind(static_cast<wire::ReportingKind>(e.kind)) + " "
      + (e.iid ? std::to_string(e.iid) : e.agent));
  return out;
}

/// What the streams hold, as stored() puts it, checking each entry's id against its seq.
std::map<std::string, std::vector<std::string>> streamed(std::uint16_t port, const std::vector<std::string>& keys,
                                                         export_log log = export_log::events) {
  runtime::redis_link r{"127.0.0.1", port};
  std::map<std::string, std::vector<std::string>> out;
  for (auto& key : keys) {
    auto entries = r.command({"XRANGE", key, "-", "+"});
    for (auto& e : entries.elements) {
      std::map<std::string, std::string> f;
      auto& kv = e.elements.at(1).elements;
      for (std::size_t i = 0; i + 1 < kv.size(); i += 2)
        f[kv[i].str] = kv[i + 1].str;
      CHECK(e.elements.at(0).str == f["seq"] + "-0");
      out[key].push_back(f["seq"] + " " + f["kind"] + " "
                         + (log == export_log::vq ? f["iid"] + " " + f["vq"] : f.count("iid") ? f["iid"] : f["agent"]));
    }
  }
  return out;
}

/// The streams of what stored() holds.
std::vector<std::string> keys_of(const std::map<std::string, std::vector<std::string>>& logs) {
  std::vector<std::string> keys;
  for (auto& [key, events] : logs)
    keys.push_back(key);
  return keys;
}

std::uint64_t exported(std::uint16_t port, export_log log = export_log::events) {
  auto r = runtime::redis_link{"127.0.0.1", port}.command({"GET", engine::export_watermark_key("parley:", log)});
  return r.type == runtime::redis_reply::kind::string ? std::stoull(r.str) : 0;
}

std::uint64_t last_stored(const storage::config& sc, export_log log = export_log::events) {
  auto store = storage::open_store(sc);
  if (log == export_log::vq) {
    auto all = store->vq_events(1, 1'000'000);
    return all.empty() ? 0 : all.back().seq;
  }
  auto all = store->events(1, 1'000'000);
  return all.empty() ? 0 : all.back().seq;
}

/// Both logs are in Redis up to their last stored event.
bool caught_up(std::uint16_t port, const storage::config& sc) {
  return exported(port) == last_stored(sc) && exported(port, export_log::vq) == last_stored(sc, export_log::vq);
}

storage::config sqlite_at(const std::string& path) {
  storage::config c;
  c.path = path;
  return c;
}

const std::vector<std::string> both{"parley:acme:events", "parley:globex:events"};
const std::vector<std::string> both_vq{"parley:acme:vq", "parley:globex:vq"};

} // namespace

TEST_CASE("stream export: needs a Redis; one stream per tenant") {
  CHECK_THROWS_AS(engine::parse_config("[streams]\nexport = true\n", "t.toml"), engine::config_error);
  auto cfg = engine::parse_config("[redis]\nhost = \"127.0.0.1\"\n[streams]\nexport = true\n", "t.toml");
  CHECK(cfg.streams.export_events);
  CHECK(cfg.streams.prefix == "parley:");
  CHECK(engine::export_stream(cfg.streams.prefix, "acme") == "parley:acme:events");
  CHECK(engine::export_stream(cfg.streams.prefix, "") == "parley:_:events");
  CHECK(engine::export_watermark_key(cfg.streams.prefix) == "parley:export:events");
  CHECK(engine::export_stream(cfg.streams.prefix, "acme", engine::export_log::vq) == "parley:acme:vq");
  CHECK(engine::export_watermark_key(cfg.streams.prefix, engine::export_log::vq) == "parley:export:vq");
}

TEST_CASE("stream export <redis>: kill -9 of parleyd mid-export: every stored event is in its tenant's stream "
          "once, in order") {
  redis_server redis;
  if (!redis.start())
    return;
  auto toml = center_toml(redis.port());
  auto first = parleyd_process::with_toml(toml);
  auto dir = first->dir();
  {
    connected_client gw{first->port("interaction")};
    auto ann = std::make_unique<auto_agent>(first->port("interaction"), "ann");
    ann->ready();
    for (int i = 0; i < 15; ++i)
      two_calls(*gw.cl);
    // Redis freezes with the exporter's appends in flight, more calls come, and parleyd
    // dies: some of what it sent lands when Redis thaws, unconfirmed.
    redis.freeze();
    for (int i = 0; i < 5; ++i)  // left waiting
      id_of(submit(*gw.cl, "globex", "support"));
    std::this_thread::sleep_for(200ms);
    first->proc().signal(SIGKILL);
    REQUIRE(first->proc().wait(5s));
    redis.thaw();
  }
  auto sc = sqlite_at(dir + "/var/parley.db");
  auto killed_at = exported(redis.port());
  CHECK(killed_at < last_stored(sc));
  MESSAGE("exported when killed: " << killed_at << " of " << last_stored(sc));
  auto again = parleyd_process::with_toml(toml, {}, dir);
  {
    connected_client gw{again->port("interaction")};
    for (int i = 0; i < 5; ++i)
      two_calls(*gw.cl);
  }
  REQUIRE(eventually([&] { return caught_up(redis.port(), sc); }, 30s));
  auto want = stored(sc);
  CHECK(want.size() >= 2);  // acme's and globex's (ann's agent events are her tenant's)
  CHECK(streamed(redis.port(), keys_of(want)) == want);
  // The VQ events as well, in their own streams and sequence.
  auto want_vq = stored(sc, export_log::vq);
  CHECK(keys_of(want_vq) == both_vq);
  CHECK(want_vq["parley:globex:vq"].size() >= 25);  // an `entered` per globex call at least
  CHECK(streamed(redis.port(), both_vq, export_log::vq) == want_vq);
}

TEST_CASE("stream export <redis>: Redis frozen or stopped under load: calls never wait, the streams catch up; "
          "after a lost connection what Redis has is not appended twice") {
  redis_server redis;
  if (!redis.start())
    return;
  auto dir = temp_dir();
  auto eng = start_engine_toml(center_toml(redis.port()), {"engine.data_dir=" + dir});
  auto sc = sqlite_at(dir + "/parley.db");
  connected_client gw{eng->port(listener_kind::interaction)};
  for (int i = 0; i < 10; ++i)
    two_calls(*gw.cl);
  REQUIRE(eventually([&] { return exported(redis.port()) == last_stored(sc); }, 10s));
  CHECK(eng->stats().exported(engine::export_log::events).errors.load() == 0);

  // Frozen: the exporter's commands time out (1 s each); the calls go on as before. (What
  // it had sent when Redis froze is appended when it thaws: sent again, duplicates.)
  redis.freeze();
  auto slowest = std::chrono::steady_clock::duration::zero();
  for (int i = 0; i < 20; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    two_calls(*gw.cl);
    slowest = std::max(slowest, std::chrono::steady_clock::now() - t0);
  }
  CHECK(slowest < 1s);  // no request waited for Redis
  REQUIRE(eventually([&] { return eng->stats().exported(engine::export_log::events).errors.load() > 0; }, 10s));
  redis.thaw();
  REQUIRE(eventually([&] { return caught_up(redis.port(), sc); }, 20s));
  CHECK(streamed(redis.port(), both) == stored(sc));
  CHECK(streamed(redis.port(), both_vq, export_log::vq) == stored(sc, export_log::vq));

  // Stopped, and started again on its file: the export goes on from its watermark.
  redis.stop();
  for (int i = 0; i < 10; ++i)
    two_calls(*gw.cl);
  REQUIRE(redis.start());
  for (int i = 0; i < 5; ++i)
    two_calls(*gw.cl);
  REQUIRE(eventually([&] { return caught_up(redis.port(), sc); }, 20s));
  CHECK(streamed(redis.port(), both) == stored(sc));
  CHECK(streamed(redis.port(), both_vq, export_log::vq) == stored(sc, export_log::vq));
  CHECK(eng->stats().exported(export_log::vq).errors.load() > 0);  // it was down for the VQ export too

  // The connection breaks after Redis took entries it did not confirm: the exporter's
  // watermark in Redis is behind, as if the SET were lost. Sent again, they are refused,
  // found there and counted, not appended.
  auto last = exported(redis.port());
  auto duplicates = eng->stats().exported(engine::export_log::events).duplicates.load();
  {
    runtime::redis_link r{"127.0.0.1", redis.port()};
    r.command({"SET", "parley:export:events", std::to_string(last - 6)});
    r.command({"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"});
  }
  two_calls(*gw.cl);
  REQUIRE(eventually([&] { return exported(redis.port()) == last_stored(sc); }, 10s));
  CHECK(eng->stats().exported(engine::export_log::events).duplicates.load() - duplicates == 6);
  CHECK(streamed(redis.port(), both) == stored(sc));
}

TEST_CASE("stream export <redis>: retention keeps the events (reporting and VQ) the streams do not have yet") {
  redis_server redis;
  if (!redis.start())  // the engine's suppression lists need it at start-up
    return;
  auto dir = temp_dir();
  auto run_at = [&](const std::string& start, bool export_events) {
    return start_engine_toml(center_toml(redis.port(), export_events),
                             {"engine.data_dir=" + dir, "engine.clock_start=\"" + start + "\""});
  };
  auto sc = sqlite_at(dir + "/parley.db");
  auto count = [&] { return storage::open_store(sc)->events(1, 100'000).size(); };
  auto count_vq = [&] { return storage::open_store(sc)->vq_events(1, 100'000).size(); };
  {  // January, before the export was switched on
    auto eng = run_at("2026-01-09T14:00:00Z", false);
    connected_client gw{eng->port(listener_kind::interaction)};
    two_calls(*gw.cl);
  }
  auto january = count(), january_vq = count_vq();
  REQUIRE(january >= 6);  // two calls: submitted, queued, stopped
  REQUIRE(january_vq >= 4);  // entered, abandoned
  // March, the export on but its Redis stopped: retention cannot know what the streams have,
  // so it deletes no event.
  auto eng = run_at("2026-03-10T14:00:00Z", true);
  redis.stop();
  connected_client gw{eng->port(listener_kind::interaction)};
  two_calls(*gw.cl);
  console_conn con{eng->console_port()};
  CHECK(con.ask("report retention", 30s).find("error") == std::string::npos);
  auto all = count(), all_vq = count_vq();
  CHECK(all == 2 * january);  // March's two calls, as many
  CHECK(all_vq == 2 * january_vq);
  // Redis is back: everything is appended, January's events with the rest; now they may go.
  REQUIRE(redis.start());
  REQUIRE(eventually([&] { return caught_up(redis.port(), sc); }, 20s));
  con.ask("report retention", 30s);
  CHECK(count() == all - january);
  CHECK(count_vq() == all_vq - january_vq);
  auto streams = streamed(redis.port(), both);
  CHECK(streams["parley:acme:events"].size() + streams["parley:globex:events"].size() == all);
}
