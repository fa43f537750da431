// Statistics on 2060 over the wire: open, on-change and periodic updates, peek, reset,
// close; invalid/valid; bad input and the per-connection limit; statistics end with their
// connection (counted in actors); a slow reader gets coalesced values; Redis publication.
#include <doctest/doctest.h>

#include <cstdlib>
#include <mutex>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <hiredis/hiredis.h>

#include "support/stat_client.hpp"
#include "support/storage_env.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;
using O = wire::StatObjectType;

namespace {

const char* contact_center = R"(
[[queues]]
name = "sales"
[[queues]]
name = "support"
[[agent_groups]]
name = "everyone"
members = ["*"]
capacity = { voice = 1 }
)";

client::answer submit(client::client& gw, const std::string& queue) {
  return gw.request([queue](protocol::encoder& e, std::uint64_t ref) {
    auto& fbb = e.start();
    auto ext = fbb.CreateString("");
    auto tenant = fbb.CreateString("");
    auto media = fbb.CreateString("voice");
    auto q = fbb.CreateString(queue);
    return e.finish(ref, wire::CreateSubmit(fbb, ext, tenant, media, q, 0));
  }).get();
}

/// The console's answer to one command (the connection is closed with `quit`).
std::string console(std::uint16_t port, const std::string& command) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket sock{io};
  sock.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(sock, boost::asio::buffer(command + "\nquit\n"));
  std::string out;
  boost::system::error_code ec;
  boost::asio::read(sock, boost::asio::dynamic_buffer(out), ec);  // until the engine closes
  return out;
}

} // namespace

TEST_CASE("a wallboard opens statistics, gets on-change and periodic values, peeks, resets, closes") {
  auto eng = start_engine_toml(contact_center);
  events_client board{eng->port(listener_kind::stat), wire::ClientType::stat_client};
  connected_client gw{eng->port(listener_kind::interaction), wire::ClientType::media_gateway};
  auto opened = board.open({});
  REQUIRE(opened.ok());
  auto* o = opened.as<wire::StatOpened>();
  REQUIRE(o);
  CHECK(o->value() == 0);
  CHECK(o->valid());
  auto in_queue = o->stat_id();
  open_args periodic;
  periodic.metric = "entered";
  periodic.notify = wire::StatNotify::periodic;
  periodic.period_ms = 50;
  auto p = board.open(periodic);
  REQUIRE(p.ok());
  auto entered = p.as<wire::StatOpened>()->stat_id();
  CHECK(entered != in_queue);
  REQUIRE(submit(*gw.cl, "sales").ok());
  REQUIRE(submit(*gw.cl, "sales").ok());
  REQUIRE(submit(*gw.cl, "support").ok());
  CHECK(eventually([&] { return board.values(in_queue) == std::vector<double>{1, 2}; }));
  {
    std::lock_guard lock{board.mx};
    for (auto& ev : board.events)
      if (auto* i = ev.as<wire::StatInfo>(); i && i->stat_id() == in_queue) {
        CHECK(i->seq() > 0);       // the reporting event behind it
        CHECK(i->event_ms() > 0);
      }
  }
  // Periodic: the value every 50 ms, whether it changed or not.
  CHECK(eventually([&] { return board.values(entered).size() >= 4; }));
  CHECK(board.values(entered).back() == 2);
  auto peek = board.ask([&](auto& fbb) { return wire::CreatePeekStat(fbb, in_queue); });
  REQUIRE(peek.ok());
  CHECK(peek.as<wire::StatInfo>()->value() == 2);
  REQUIRE(board.ask([&](auto& fbb) { return wire::CreateResetStat(fbb, entered); }).ok());
  CHECK(eventually([&] { return board.values(entered).back() == 0; }));
  REQUIRE(board.ask([&](auto& fbb) { return wire::CreateCloseStat(fbb, in_queue); }).ok());
  auto gone = board.ask([&](auto& fbb) { return wire::CreatePeekStat(fbb, in_queue); });
  CHECK(gone.error_code() == wire::ErrorCode::unknown_id);
  REQUIRE(submit(*gw.cl, "sales").ok());
  CHECK(eventually([&] { return board.values(entered).back() == 1; }));
  CHECK(board.values(in_queue).size() == 2);  // closed: nothing more
  CHECK(eng->domain()->metrics->stats_open.load() == 1);
}

TEST_CASE("agent statistics go invalid on logout and valid on login") {
  auto eng = start_engine_toml(contact_center);
  events_client board{eng->port(listener_kind::stat), wire::ClientType::stat_client};
  open_args a;
  a.type = O::agent;
  a.id = "ann";
  a.metric = "agent_state";
  auto opened = board.open(a);
  REQUIRE(opened.ok());
  auto id = opened.as<wire::StatOpened>()->stat_id();
  CHECK_FALSE(opened.as<wire::StatOpened>()->valid());  // not logged in
  auto login = [&] {
    auto desk = std::make_unique<connected_client>(eng->port(listener_kind::interaction),
                                                   wire::ClientType::agent_desktop);
    auto r = desk->cl->request([](protocol::encoder& e, std::uint64_t ref) {
      auto& fbb = e.start();
      auto agent = fbb.CreateString("ann");
      auto place = fbb.CreateString("p1");
      return e.finish(ref, wire::CreateAgentLogin(fbb, agent, place));
    }).get();
    REQUIRE(r.ok());
    return desk;
  };
  auto desk = login();
  CHECK(eventually([&] { return board.count(wire::Message::StatValid, id) == 1; }));
  CHECK(eventually([&] {
    auto v = board.values(id);
    return !v.empty() && v.back() == static_cast<double>(wire::AgentState::not_ready);
  }));
  desk.reset();  // the desktop goes away: ann is logged out
  CHECK(eventually([&] { return board.count(wire::Message::StatInvalid, id) == 1; }));
  desk = login();
  CHECK(eventually([&] { return board.count(wire::Message::StatValid, id) == 2; }));
}

TEST_CASE("bad statistics requests get clear errors; a per-connection limit holds") {
  auto eng = start_engine_toml(contact_center, {"limits.max_stats_per_connection=50"});
  events_client board{eng->port(listener_kind::stat), wire::ClientType::stat_client};
  open_args a;
  a.metric = "no_such_metric";
  CHECK(board.open(a).error_code() == wire::ErrorCode::invalid_argument);
  a = {};
  a.id = "nowhere";
  CHECK(board.open(a).error_code() == wire::ErrorCode::unknown_id);
  a = {};
  a.type = O::agent;
  a.id = "ann";  // a queue metric on an agent
  CHECK(board.open(a).error_code() == wire::ErrorCode::invalid_argument);
  a = {};
  a.interval = wire::StatInterval::sliding;  // no window
  CHECK(board.open(a).error_code() == wire::ErrorCode::invalid_argument);
  a.window_s = 1'000'000;
  CHECK(board.open(a).error_code() == wire::ErrorCode::invalid_argument);
  a = {};
  a.metric = "service_level";  // no T
  CHECK(board.open(a).error_code() == wire::ErrorCode::invalid_argument);
  a = {};
  a.notify = wire::StatNotify::periodic;  // no period
  CHECK(board.open(a).error_code() == wire::ErrorCode::invalid_argument);
  auto peek = board.ask([](auto& fbb) { return wire::CreatePeekStat(fbb, 12345); });
  CHECK(peek.error_code() == wire::ErrorCode::unknown_id);
  // Floods: the limit answers, the engine stays fine.
  std::vector<std::future<client::answer>> answers;
  for (int i = 0; i < 20000; ++i)
    answers.push_back(board.cl->request([](protocol::encoder& e, std::uint64_t ref) {
      auto& fbb = e.start();
      auto id = fbb.CreateString("sales");
      auto metric = fbb.CreateString("entered");
      return e.finish(ref, wire::CreateOpenStat(fbb, O::queue, id, metric));
    }));
  std::size_t ok = 0, limited = 0;
  for (auto& f : answers) {
    auto r = f.get();
    ok += r.ok();
    limited += r.error_code() == wire::ErrorCode::limit_exceeded;
  }
  CHECK(ok == 50);
  CHECK(limited == 19950);
  // Other connections have their own budget; the wrong port and client type are refused.
  events_client other{eng->port(listener_kind::stat), wire::ClientType::stat_client};
  CHECK(other.open({}).ok());
  events_client gw_on_stat{eng->port(listener_kind::stat), wire::ClientType::media_gateway};
  CHECK(gw_on_stat.open({}).error_code() == wire::ErrorCode::wrong_client_type);
  events_client on_7120{eng->port(listener_kind::interaction), wire::ClientType::stat_client};
  CHECK(on_7120.open({}).error_code() == wire::ErrorCode::wrong_port);
}

TEST_CASE("closing the connection frees every statistic actor") {
  auto eng = start_engine_toml(contact_center);
  auto base = eng->running_actors();
  {
    events_client board{eng->port(listener_kind::stat), wire::ClientType::stat_client};
    std::vector<std::future<client::answer>> answers;
    for (int i = 0; i < 500; ++i)
      answers.push_back(board.cl->request([i](protocol::encoder& e, std::uint64_t ref) {
        auto& fbb = e.start();
        auto id = fbb.CreateString(i % 2 ? "sales" : "support");
        auto metric = fbb.CreateString(i % 3 ? "entered" : "longest_waiting");
        return e.finish(ref, wire::CreateOpenStat(fbb, O::queue, id, metric));
      }));
    for (auto& f : answers)
      REQUIRE(f.get().ok());
    // 333 `entered` since their own open: a calculation each; 167 `longest_waiting` (a
    // gauge): one calculation per queue.
    CHECK(eng->running_actors() >= base + 335);
    CHECK(eng->domain()->metrics->stats_open.load() == 500);
    CHECK(eng->domain()->metrics->stats_calculations.load() == 335);
    auto shown = console(eng->console_port(), "show stats limit=1");
    CHECK(shown.find("statistics: 500 open") != std::string::npos);
    CHECK(shown.find("q:sales") != std::string::npos);  // 250 each: sales sorts first
    CHECK(shown.find("q:support") == std::string::npos);  // limit=1
    CHECK(shown.find("2 object(s) with open statistics") != std::string::npos);
  }
  CHECK(eventually([&] { return eng->running_actors() == base; }));
  CHECK(eventually([&] { return eng->domain()->metrics->stats_open.load() == 0; }));
  CHECK(eng->domain()->metrics->stats_calculations.load() == 0);
}

TEST_CASE("identical statistics share one calculation; a reset one gets its own") {
  auto eng = start_engine_toml(contact_center);
  auto& m = *eng->domain()->metrics;
  connected_client gw{eng->port(listener_kind::interaction), wire::ClientType::media_gateway};
  std::vector<std::unique_ptr<events_client>> boards;
  std::vector<std::uint64_t> ids;
  open_args today;  // what a wallboard shows: entered since the daily reset
  today.metric = "entered";
  today.interval = wire::StatInterval::growing_reset;
  for (int i = 0; i < 3; ++i) {
    boards.push_back(std::make_unique<events_client>(eng->port(listener_kind::stat),
                                                     wire::ClientType::stat_client));
    for (int j = 0; j < 2; ++j) {
      auto o = boards.back()->open(today);
      REQUIRE(o.ok());
      ids.push_back(o.as<wire::StatOpened>()->stat_id());
    }
  }
  auto own = today;  // `growing`: since its own open, so its own calculation
  own.interval = wire::StatInterval::growing;
  auto since_open = boards[0]->open(own);
  REQUIRE(since_open.ok());
  auto own_id = since_open.as<wire::StatOpened>()->stat_id();
  CHECK(m.stats_open.load() == 7);
  CHECK(m.stats_calculations.load() == 2);
  REQUIRE(submit(*gw.cl, "sales").ok());
  REQUIRE(submit(*gw.cl, "sales").ok());
  for (int b = 0; b < 3; ++b)
    for (int j = 0; j < 2; ++j)
      CHECK(eventually([&] { return boards[b]->values(ids[b * 2 + j]) == std::vector<double>{1, 2}; }));
  CHECK(eventually([&] { return boards[0]->values(own_id) == std::vector<double>{1, 2}; }));
  // Resetting one shared statistic restarts its interval alone.
  REQUIRE(boards[1]->ask([&](auto& fbb) { return wire::CreateResetStat(fbb, ids[2]); }).ok());
  CHECK(m.stats_calculations.load() == 3);
  CHECK(eventually([&] { return boards[1]->values(ids[2]).back() == 0; }));
  REQUIRE(submit(*gw.cl, "sales").ok());
  CHECK(eventually([&] { return boards[1]->values(ids[2]).back() == 1; }));
  CHECK(eventually([&] { return boards[1]->values(ids[3]).back() == 3; }));
  CHECK(eventually([&] { return boards[2]->values(ids[4]).back() == 3; }));
  auto peek = boards[1]->ask([&](auto& fbb) { return wire::CreatePeekStat(fbb, ids[2]); });
  REQUIRE(peek.ok());
  CHECK(peek.as<wire::StatInfo>()->value() == 1);
  // Closing and disconnecting take statistics off; the last one off stops the calculation.
  REQUIRE(boards[2]->ask([&](auto& fbb) { return wire::CreateCloseStat(fbb, ids[4]); }).ok());
  CHECK(eventually([&] { return m.stats_open.load() == 6; }));
  CHECK(m.stats_calculations.load() == 3);
  boards[2].reset();
  CHECK(eventually([&] { return m.stats_open.load() == 5; }));
  boards[0].reset();
  CHECK(eventually([&] { return m.stats_open.load() == 2; }));
  CHECK(m.stats_calculations.load() == 2);  // boards[1]: one shared, one reset
  REQUIRE(submit(*gw.cl, "sales").ok());
  CHECK(eventually([&] { return boards[1]->values(ids[3]).back() == 4; }));
  boards[1].reset();
  CHECK(eventually([&] { return m.stats_open.load() == 0 && m.stats_calculations.load() == 0; }));
}

TEST_CASE("a client that does not read gets coalesced values, not an unbounded queue") {
  // A small output limit: notifications hold at 8 KiB instead of 1 MiB (less to fill).
  auto eng = start_engine_toml(contact_center, {"limits.max_output_bytes=65536"});
  raw_conn slow{eng->port(listener_kind::stat)};
  REQUIRE(slow.register_as(wire::ClientType::stat_client) > 0);
  protocol::encoder e;
  for (std::uint64_t i = 1; i <= 300; ++i) {
    auto& fbb = e.start();
    auto id = fbb.CreateString("sales");
    auto metric = fbb.CreateString("entered");
    slow.send(e.finish(i, wire::CreateOpenStat(fbb, O::queue, id, metric, wire::StatInterval::growing,
                                               0, 0, 0, 0, wire::StatNotify::periodic, 0, 10)));
  }
  auto& m = *eng->domain()->metrics;
  CHECK(eventually([&] { return m.stats_coalesced.load() > 300; }, 30s));
  // Still connected: nothing piled up to the output limit.
  CHECK(eng->open_sessions() == 1);
  CHECK(eng->stats().errors[static_cast<std::size_t>(wire::ErrorCode::output_overflow)].load() == 0);
}

TEST_CASE("values are published to Redis when configured <redis>") {
  auto redis = test_redis_port();
  if (!redis)
    return;
  auto port = std::to_string(*redis);
  auto eng = start_engine_toml(contact_center, {"stats.redis_port=" + port,
                                                "stats.redis_flush_ms=20",
                                                "stats.redis_prefix=\"wt-test:\""});
  auto* ctx = redisConnect("127.0.0.1", *redis);
  REQUIRE(ctx);
  REQUIRE(ctx->err == 0);
  freeReplyObject(redisCommand(ctx, "DEL wt-test:q:sales"));  // nothing left from a run before
  events_client board{eng->port(listener_kind::stat), wire::ClientType::stat_client};
  connected_client gw{eng->port(listener_kind::interaction), wire::ClientType::media_gateway};
  REQUIRE(board.open({}).ok());
  REQUIRE(submit(*gw.cl, "sales").ok());
  CHECK(eventually([&] {
    auto* r = static_cast<redisReply*>(redisCommand(ctx, "HGET wt-test:q:sales current_in_queue:growing"));
    bool ok = r && r->type == REDIS_REPLY_STRING && std::string{r->str, r->len} == "1";
    if (r)
      freeReplyObject(r);
    return ok;
  }));
  redisFree(ctx);
  CHECK(eventually([&] { return eng->domain()->metrics->stats_redis_writes.load() > 0; }));
}

TEST_CASE("Redis down: publication counts errors and the statistics go on") {
  auto eng = start_engine_toml(contact_center, {"stats.redis_port=1", "stats.redis_flush_ms=20"});
  events_client board{eng->port(listener_kind::stat), wire::ClientType::stat_client};
  connected_client gw{eng->port(listener_kind::interaction), wire::ClientType::media_gateway};
  auto opened = board.open({});
  REQUIRE(opened.ok());
  REQUIRE(submit(*gw.cl, "sales").ok());
  auto id = opened.as<wire::StatOpened>()->stat_id();
  CHECK(eventually([&] { return board.values(id) == std::vector<double>{1}; }));
  CHECK(eventually([&] { return eng->domain()->metrics->stats_redis_errors.load() > 0; }));
}

TEST_CASE("a graceful stop is not held up by statistics that notify all the time") {
  auto eng = start_engine_toml(contact_center);
  events_client board{eng->port(listener_kind::stat), wire::ClientType::stat_client};
  open_args a;
  a.notify = wire::StatNotify::periodic;
  a.period_ms = 10;
  for (int i = 0; i < 100; ++i)
    REQUIRE(board.open(a).ok());
  CHECK(eventually([&] { return board.values(1).size() >= 3; }));
  auto t0 = std::chrono::steady_clock::now();
  eng->stop();
  // The drain closes the session once its output is written; the periodic timers stop
  // with the connection.
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  CHECK(eng->running_actors() == 0);
}
