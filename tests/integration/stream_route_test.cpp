// Routing over Redis Streams (docs/streams.md), against a real redis-server of each case's
// own and the example router (examples/stream-router/parley_stream_router.py, Debian's
// python3-redis): its decisions are carried out (an agent, another queue, stop, wait); a
// router killed holding requests leaves them to another member of its group; no answer in
// time, or no Redis, and the built-in router decides; stale and malformed instructions are
// refused, counted, dead-lettered; what another engine consumer left pending is claimed.
#include <doctest/doctest.h>

#include <cstdlib>
#include <map>

#include "outbound_support.hpp"
#include "engine/stream_route.hpp"
#include "support/redis_server.hpp"

using namespace parley;
using namespace parley::test;
using namespace parley::test::campaigns;
using engine::listener_kind;

namespace {

std::string routing_toml(std::uint16_t redis_port, std::int64_t router_timeout_ms) {
  return R"(
[redis]
host = "127.0.0.1"
port = )" + std::to_string(redis_port) + R"(

[streams]
claim_idle_ms = 300

[routing]
router_timeout_ms = )" + std::to_string(router_timeout_ms) + R"(

[[queues]]
name = "sales"
tenant = "acme"
router = "stream"

[[queues]]
name = "support"
tenant = "acme"

[[agent_groups]]
name = "floor"
tenant = "acme"
members = ["*"]
capacity = { voice = 1 }
)";
}

/// The example router for tenant acme, as consumer `name` of the group "routers".
std::unique_ptr<child> python_router(std::uint16_t redis_port, const std::string& name,
                                     std::vector<std::string> more = {}) {
  auto* src = std::getenv("PARLEY_SOURCE_DIR");
  REQUIRE(src);
  std::vector<std::string> argv{"/usr/bin/python3", std::string{src} + "/examples/stream-router/parley_stream_router.py",
                                "--redis-port", std::to_string(redis_port), "--tenant", "acme", "--consumer", name,
                                "--claim-idle-ms", "300"};
  argv.insert(argv.end(), more.begin(), more.end());
  return std::make_unique<child>(argv, temp_dir() + "/" + name + ".log");
}

/// A voice call for acme's sales queue with these properties.
std::uint64_t call(client::client& gw, const std::map<std::string, std::string>& props) {
  auto a = gw.request([&](protocol::encoder& e, std::uint64_t ref) {
              auto& fbb = e.start();
              std::vector<flatbuffers::Offset<wire::Property>> list;
              for (auto& [k, v] : props)
                list.push_back(wire::CreateProperty(fbb, fbb.CreateString(k), fbb.CreateString(v)));
              auto p = fbb.CreateVector(list);
              return e.finish(ref, wire::CreateSubmit(fbb, fbb.CreateString(""), fbb.CreateString("acme"),
                                                      fbb.CreateString("voice"), fbb.CreateString("sales"), 0, p));
            }).get();
  return id_of(a);
}

/// The interactions an agent was offered, and in which queue: iid -> queue.
std::map<std::string, std::string> offers(auto_agent& a) {
  std::lock_guard lock{a.mx};
  std::map<std::string, std::string> out;
  for (auto& o : a.offered)
    out[o.at("_iid")] = o.at("_queue");
  return out;
}

bool offered(auto_agent& a, std::uint64_t iid) {
  return offers(a).count(std::to_string(iid)) > 0;
}

std::uint64_t counted(const std::atomic<std::uint64_t>& n) {
  return n.load(std::memory_order_relaxed);
}

std::size_t length(runtime::redis_link& r, const std::string& stream) {
  return static_cast<std::size_t>(r.command({"XLEN", stream}).integer);
}

/// Entries read but not acknowledged in a group.
long long pending(runtime::redis_link& r, const std::string& stream, const std::string& group) {
  auto x = r.command({"XPENDING", stream, group});
  return x.elements.empty() ? -1 : x.elements[0].integer;
}

} // namespace

TEST_CASE("stream routing: the configuration, and what an instruction must hold") {
  auto bad = [](const std::string& toml) {
    CHECK_THROWS_AS(engine::parse_config(toml, "t.toml"), engine::config_error);
  };
  bad("[[queues]]\nname = \"q\"\nrouter = \"stream\"\n");               // no Redis
  bad("[redis]\nhost = \"h\"\n[[queues]]\nname = \"q\"\nrouter = \"ai\"\n");  // no such router
  auto cfg = engine::parse_config("[redis]\nhost = \"h\"\n[[queues]]\nname = \"q\"\nrouter = \"stream\"\n", "t.toml");
  CHECK(cfg.domain.queues.at(0).stream_routed());
  CHECK(engine::to_route_stream("parley:", "acme") == "parley:acme:to-route");
  CHECK(engine::instructions_stream("parley:", "acme") == "parley:acme:instructions");
  CHECK(engine::dead_letter_stream("parley:", "acme") == "parley:acme:instructions:dead");

  const std::uint64_t run = 0xabc;
  auto parse = [&](std::vector<std::string> fields, route_instruction& in, bool& stale) {
    return engine::parse_instruction(fields, run, in, stale);
  };
  route_instruction in;
  bool stale = true;
  CHECK(parse({"version", "abc.42", "iid", "7", "action", "route", "agent", "ann"}, in, stale).empty());
  CHECK(!stale);
  CHECK(in.request_id == 42);
  CHECK(in.iid == 7);
  CHECK(in.what == route_instruction::action::route);
  CHECK(in.target == "ann");
  CHECK(parse({"version", "abc.42", "iid", "7", "action", "queue", "queue", "support"}, in, stale).empty());
  CHECK(in.what == route_instruction::action::queue);
  CHECK(parse({"version", "abc.42", "iid", "7", "action", "stop"}, in, stale).empty());
  CHECK((in.what == route_instruction::action::stop && in.target.empty()));
  CHECK(parse({"version", "abc.42", "iid", "7", "action", "wait"}, in, stale).empty());
  // Another run's request: stale, not malformed.
  CHECK(parse({"version", "abd.42", "iid", "7", "action", "wait"}, in, stale).empty());
  CHECK(stale);
  // Malformed: each says why.
  CHECK(!parse({"iid", "7", "action", "wait"}, in, stale).empty());
  CHECK(!parse({"version", "42", "iid", "7", "action", "wait"}, in, stale).empty());
  CHECK(!parse({"version", "abc.x", "iid", "7", "action", "wait"}, in, stale).empty());
  CHECK(!parse({"version", "abc.42", "iid", "-7", "action", "wait"}, in, stale).empty());
  CHECK(!parse({"version", "abc.42", "iid", "7", "action", "dance"}, in, stale).empty());
  CHECK(!parse({"version", "abc.42", "iid", "7", "action", "route"}, in, stale).empty());
  CHECK(!parse({"version", "abc.42", "iid", "7", "action", "queue", "queue", ""}, in, stale).empty());
  CHECK(!parse({"version"}, in, stale).empty());
}

TEST_CASE("stream routing <redis>: the example router's instructions are carried out once: an agent, another "
          "queue, stop, wait; stale and malformed ones are refused and counted") {
  redis_server redis;
  if (!redis.start())
    return;
  auto eng = start_engine_toml(routing_toml(redis.port(), 20'000));
  auto& m = *eng->domain()->metrics;
  connected_client gw{eng->port(listener_kind::interaction)};
  auto ann = std::make_unique<auto_agent>(eng->port(listener_kind::interaction), "ann");
  ann->ready();
  auto bob = std::make_unique<auto_agent>(eng->port(listener_kind::interaction), "bob");
  bob->ready();
  auto router = python_router(redis.port(), "r1");
  runtime::redis_link r{"127.0.0.1", redis.port()};

  // Bob, though Ann has been idle longer (the built-in router's choice).
  auto to_bob = call(*gw.cl, {{"route_to_agent", "bob"}});
  REQUIRE(eventually([&] { return offered(*bob, to_bob); }, 10s));
  CHECK(offers(*bob)[std::to_string(to_bob)] == "sales");
  REQUIRE(eventually([&] { return counted(m.stream_instructions[0]) == 1; }, 5s));

  // Another queue: support is routed built-in, to Ann, the one free.
  auto moved = call(*gw.cl, {{"route_to_queue", "support"}});
  REQUIRE(eventually([&] { return offered(*ann, moved); }, 10s));
  CHECK(offers(*ann)[std::to_string(moved)] == "support");
  REQUIRE(eventually([&] { return counted(m.stream_instructions[1]) == 1; }, 5s));

  // Stopped by the router: nobody is offered it.
  call(*gw.cl, {{"stop", "spam"}});
  REQUIRE(eventually([&] { return counted(m.stream_instructions[3]) == 1; }, 10s));

  // Wait for Cat, who is not here: asked again when she is ready, then routed to her.
  auto for_cat = call(*gw.cl, {{"route_to_agent", "cat"}});
  REQUIRE(eventually([&] { return counted(m.stream_instructions[2]) >= 1; }, 10s));
  auto cat = std::make_unique<auto_agent>(eng->port(listener_kind::interaction), "cat");
  cat->ready();
  REQUIRE(eventually([&] { return offered(*cat, for_cat); }, 10s));
  REQUIRE(eventually([&] { return counted(m.stream_instructions[0]) == 2; }, 5s));
  CHECK(counted(m.router_fallbacks) == 0);
  std::uint64_t trips = 0;  // every instruction applied was timed
  for (std::size_t i = 0; i <= m.stream_round_trip.bounds.size(); ++i)
    trips += m.stream_round_trip.bucket(i);
  CHECK(trips >= 5);

  // Every request answered and acknowledged on both sides.
  REQUIRE(eventually([&] { return pending(r, "parley:acme:to-route", "routers") == 0; }, 5s));
  REQUIRE(eventually([&] { return pending(r, "parley:acme:instructions", "parley") == 0; }, 5s));
  CHECK(counted(m.stream_requests) == length(r, "parley:acme:to-route"));

  // The instruction that routed Bob's call, once more: stale (applied at most once).
  auto first = r.command({"XRANGE", "parley:acme:instructions", "-", "+", "COUNT", "1"}).elements.at(0);
  std::vector<std::string> again{"XADD", "parley:acme:instructions", "*"};
  for (auto& f : first.elements.at(1).elements)
    again.push_back(f.str);
  auto stale_before = counted(m.stream_instructions[4]);
  r.command(again);
  REQUIRE(eventually([&] { return counted(m.stream_instructions[4]) == stale_before + 1; }, 5s));
  // Malformed: moved to the dead letters with why, and counted.
  r.command({"XADD", "parley:acme:instructions", "*", "version", "1.2", "iid", "3", "action", "dance"});
  REQUIRE(eventually([&] { return counted(m.stream_instructions[6]) == 1; }, 5s));
  REQUIRE(eventually([&] { return length(r, "parley:acme:instructions:dead") == 1; }, 5s));
  auto dead = r.command({"XRANGE", "parley:acme:instructions:dead", "-", "+"}).elements;
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].elements.at(1).elements.at(0).str == "error");
  CHECK(dead[0].elements.at(1).elements.at(1).str.find("dance") != std::string::npos);
  REQUIRE(eventually([&] { return pending(r, "parley:acme:instructions", "parley") == 0; }, 5s));
  CHECK(offers(*bob).size() == 1);  // nothing applied twice
  CHECK(offers(*cat).size() == 1);
  router->signal(SIGTERM);
  CHECK(router->wait(5s));
}

TEST_CASE("stream routing <redis>: a router killed holding requests: another member of its group takes them") {
  redis_server redis;
  if (!redis.start())
    return;
  // 30 s: any call routed before that was routed by a router, never by the fallback.
  auto eng = start_engine_toml(routing_toml(redis.port(), 30'000));
  auto& m = *eng->domain()->metrics;
  connected_client gw{eng->port(listener_kind::interaction)};
  std::vector<std::unique_ptr<auto_agent>> agents;
  for (int i = 0; i < 6; ++i) {
    agents.push_back(std::make_unique<auto_agent>(eng->port(listener_kind::interaction), "a" + std::to_string(i)));
    agents.back()->ready();
  }
  // The first router answers two requests and dies holding the third (and whatever else it
  // read): exit code 3.
  auto first = python_router(redis.port(), "first", {"--die-after", "2"});
  std::vector<std::uint64_t> calls;
  for (int i = 5; i >= 0; --i)  // to the agents idle the shortest first: not the built-in choice
    calls.push_back(call(*gw.cl, {{"route_to_agent", "a" + std::to_string(i)}}));
  REQUIRE(first->wait(10s) == 3);
  runtime::redis_link r{"127.0.0.1", redis.port()};
  CHECK(pending(r, "parley:acme:to-route", "routers") >= 1);
  auto routed = [&] {
    int n = 0;
    for (int i = 0; i < 6; ++i)
      n += offered(*agents[static_cast<std::size_t>(i)], calls[static_cast<std::size_t>(5 - i)]);
    return n;
  };
  CHECK(routed() == 2);
  auto second = python_router(redis.port(), "second");
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(eventually([&] { return routed() == 6; }, 10s));
  MESSAGE("the second router routed the rest in "
          << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count()
          << " ms");
  CHECK(counted(m.router_fallbacks) == 0);
  REQUIRE(eventually([&] { return counted(m.stream_instructions[0]) == 6; }, 5s));
  CHECK(eventually([&] { return pending(r, "parley:acme:to-route", "routers") == 0; }, 5s));
  second->signal(SIGTERM);
  CHECK(second->wait(5s));
}

TEST_CASE("stream routing <redis>: no router answers in time, or Redis is gone: the built-in router decides; "
          "what another engine left pending is claimed") {
  redis_server redis;
  if (!redis.start())
    return;
  // Before the engine starts: an instruction another consumer of "parley" (an engine that
  // died) read and left pending.
  runtime::redis_link r{"127.0.0.1", redis.port()};
  r.command({"XGROUP", "CREATE", "parley:acme:instructions", "parley", "$", "MKSTREAM"});
  r.command({"XADD", "parley:acme:instructions", "*", "version", "1.5", "iid", "5", "action", "wait"});
  r.command({"XREADGROUP", "GROUP", "parley", "ghost", "COUNT", "10", "STREAMS", "parley:acme:instructions", ">"});
  REQUIRE(pending(r, "parley:acme:instructions", "parley") == 1);
  auto eng = start_engine_toml(routing_toml(redis.port(), 300));
  auto& m = *eng->domain()->metrics;
  // Claimed after claim_idle_ms, found stale (that run's request), acknowledged.
  REQUIRE(eventually([&] { return counted(m.stream_claimed) == 1; }, 5s));
  REQUIRE(eventually([&] { return pending(r, "parley:acme:instructions", "parley") == 0; }, 5s));
  CHECK(counted(m.stream_instructions[4]) == 1);

  connected_client gw{eng->port(listener_kind::interaction)};
  auto ann = std::make_unique<auto_agent>(eng->port(listener_kind::interaction), "ann");
  ann->ready();
  auto bob = std::make_unique<auto_agent>(eng->port(listener_kind::interaction), "bob");
  bob->ready();

  // No router runs: after router_timeout_ms the longest idle agent (Ann) gets it.
  auto t0 = std::chrono::steady_clock::now();
  auto one = call(*gw.cl, {{"route_to_agent", "bob"}});
  REQUIRE(eventually([&] { return offered(*ann, one); }, 5s));
  CHECK(std::chrono::steady_clock::now() - t0 >= 300ms);
  CHECK(counted(m.router_fallbacks) == 1);
  CHECK(counted(m.stream_requests) == 1);

  // Redis stops: Bob gets the next call at once, not after the timeout.
  redis.stop();
  t0 = std::chrono::steady_clock::now();
  auto two = call(*gw.cl, {{"route_to_agent", "ann"}});
  REQUIRE(eventually([&] { return offered(*bob, two); }, 5s));
  CHECK(std::chrono::steady_clock::now() - t0 < 300ms);
  CHECK(counted(m.stream_post_errors) >= 1);
  CHECK(counted(m.router_fallbacks) == 2);
}
