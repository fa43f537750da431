// local_engine and local_session on CAF's test coordinator: in-process clients registered
// through the directory, the session's frame checks, a call on virtual time, the writer
// on an SQLite file, and what a local engine refuses.
#include <doctest/doctest.h>

#include <filesystem>

#include <caf/all.hpp>

#include "engine/engine.hpp"
#include "support/local_fixture.hpp"

using namespace parley;
using namespace std::chrono_literals;
using test::local_client;

namespace {

const char* call_center = R"(
[routing]
offer_timeout_ms = 300
max_no_answer = 5

[auth]
agent_desktop = "desk-secret"

[[queues]]
name = "sales"

[[agent_groups]]
name = "team"
members = ["a1"]
capacity = { voice = 1 }
)";

struct local_session_fixture : test::local_fixture {
  explicit local_session_fixture(storage_mode storage = storage_mode::none)
      : local_fixture(call_center, storage) {}

  std::size_t registered_clients() {
    auto counts = std::make_shared<client_counts>();
    sys.spawn([=, d = eng->directory()](caf::event_based_actor* self) {
      self->request(d, 5s, count_atom_v).then([=](const client_counts& c) { *counts = c; });
    });
    vt.run();
    std::size_t n = 0;
    for (auto c : *counts)
      n += c;
    return n;
  }
};

} // namespace

TEST_CASE_FIXTURE(local_session_fixture, "a local session registers through the directory") {
  local_client r;
  connect(r);
  auto& s = r.s;
  auto* reg = register_as(r, wire::ClientType::media_gateway);
  REQUIRE(reg);
  auto* ok = reg->message_as_Registered();
  REQUIRE(ok);
  CHECK(ok->session_id() == s->id());
  CHECK(ok->heartbeat_interval_ms() == 0);  // no heartbeats in-process
  CHECK(s->registered());
  CHECK(registered_clients() == 1);

  // A request the connection actor dispatches: an unknown interaction.
  s->send(enc.finish(2, wire::CreateGetInteraction(enc.start(), 999)));
  vt.run();
  REQUIRE(r.answer(2));
  CHECK(r.answer(2)->message_as_Error()->code() == wire::ErrorCode::unknown_id);
  // Pings are answered in place, a request without a reference is refused.
  s->send(enc.ping(3, 42));
  REQUIRE(r.answer(3));
  CHECK(r.answer(3)->message_as_Pong()->payload() == 42);
  s->send(enc.finish(0, wire::CreateGetInteraction(enc.start(), 999)));
  CHECK(r.last().message_as_Error()->code() == wire::ErrorCode::missing_reference);
  s->send(enc.register_client(4, "again", wire::ClientType::media_gateway, ""));
  CHECK(r.answer(4)->message_as_Error()->code() == wire::ErrorCode::already_registered);

  // Closing tells the connection actor, which tells the directory.
  s->close();
  CHECK(s->closed());
  CHECK_FALSE(s->send(enc.ping(5, 0)));
  CHECK(registered_clients() == 0);
}

TEST_CASE_FIXTURE(local_session_fixture, "the first frame must be a registration, with a good credential") {
  local_client r1;
  connect(r1);
  auto& s1 = r1.s;
  s1->send(enc.finish(7, wire::CreateGetInteraction(enc.start(), 1)));
  CHECK(s1->closed());
  REQUIRE(r1.frames.size() == 1);
  CHECK(r1.at(0).message_as_Error()->code() == wire::ErrorCode::not_registered);

  local_client r2;
  connect(r2);
  auto& s2 = r2.s;
  std::vector<std::uint8_t> junk{8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  s2->send(junk);
  CHECK(s2->closed());
  CHECK(r2.at(0).message_as_Error());

  local_client r3;
  connect(r3);
  auto& s3 = r3.s;
  auto* refused = register_as(r3, wire::ClientType::agent_desktop, "wrong");
  REQUIRE(refused);
  CHECK(refused->message_as_Error()->code() == wire::ErrorCode::bad_credential);
  CHECK(s3->closed());

  local_client r4;
  connect(r4);
  REQUIRE(register_as(r4, wire::ClientType::agent_desktop, "desk-secret")->message_as_Registered());
  CHECK(registered_clients() == 1);
}

TEST_CASE_FIXTURE(local_session_fixture, "a call on virtual time: the offer times out exactly on time") {
  local_client g, d;
  connect(g);
  connect(d);
  auto& gw = g.s;
  auto& desk = d.s;
  REQUIRE(register_as(g, wire::ClientType::media_gateway)->message_as_Registered());
  REQUIRE(register_as(d, wire::ClientType::agent_desktop, "desk-secret")->message_as_Registered());
  // One request at a time, each answered before the next (as a client waits for answers).
  desk->send(enc.finish(2, wire::CreateAgentLoginDirect(enc.start(), "a1")));
  vt.run();
  desk->send(enc.finish(3, wire::CreateAgentReady(enc.start())));
  vt.run();
  REQUIRE(d.answer(3));
  REQUIRE(d.answer(3)->message_as_AgentStatus());
  gw->send(enc.finish(2, wire::CreateSubmitDirect(enc.start(), nullptr, nullptr, "voice", "sales")));
  vt.run();
  REQUIRE(g.answer(2));
  REQUIRE(g.answer(2)->message_as_Submitted());
  auto count = [&](wire::Message type) { return d.count(type); };
  CHECK(count(wire::Message::Invite) == 1);
  vt.advance(299ms);
  CHECK(count(wire::Message::Revoked) == 0);
  // offer_timeout_ms = 300: revoked at 300 ms, offered again at once.
  vt.advance(1ms);
  CHECK(count(wire::Message::Revoked) == 1);
  CHECK(count(wire::Message::Invite) == 2);
}

TEST_CASE("a local engine writes through the real writer to its SQLite file") {
  engine::config cfg;
  std::string db;
  {
    local_session_fixture f{engine::local_engine::storage_mode::store};
    f.keep_dir = true;
    cfg = f.cfg;
    db = engine::store_config(f.cfg).path;
    local_client g;
    f.connect(g);
    auto& gw = g.s;
    REQUIRE(f.register_as(g, wire::ClientType::media_gateway)->message_as_Registered());
    gw->send(f.enc.finish(2, wire::CreateSubmitDirect(f.enc.start(), nullptr, nullptr, "voice", "sales")));
    f.vt.run();
    REQUIRE(g.answer(2));  // acknowledged once committed (storage.durability = commit)
    CHECK(g.answer(2)->message_as_Submitted());
  }
  CHECK(std::filesystem::file_size(db) > 0);
  // Another local engine on that store is refused: it holds an interaction, and a local
  // engine does not recover.
  caf::actor_system_config c;
  caf::actor_system sys{testing_config(engine::prepare_actor_system(c, cfg))};
  auto clk = std::make_shared<virtual_clock>(sys.clock(), parley::clock::time_point{1'700'000'000s});
  CHECK_THROWS_WITH_AS(engine::local_engine(sys, cfg, clk), doctest::Contains("starts on an empty store"),
                       std::runtime_error);
  std::filesystem::remove_all(std::filesystem::path{cfg.data_dir}.parent_path());
}

TEST_CASE("a local engine refuses what only parleyd can run") {
  auto cfg = engine::parse_config(std::string{call_center} + R"(
[stats]
redis_port = 6379
)",
                                  "test", {});
  caf::actor_system_config c;
  caf::actor_system sys{testing_config(engine::prepare_actor_system(c, cfg))};
  auto clk = std::make_shared<virtual_clock>(sys.clock(), parley::clock::time_point{1'700'000'000s});
  CHECK_THROWS_WITH_AS(engine::local_engine(sys, cfg, clk, engine::local_engine::storage_mode::none),
                       doctest::Contains("Redis"), std::runtime_error);
}

TEST_CASE("a local engine runs campaigns only on a store, and no [[schedule]] jobs") {
  auto with_campaign = std::string{call_center} + R"(
[[campaigns]]
name = "spring"
lists = ["spring"]
queue = "sales"
)";
  auto cfg = engine::parse_config(with_campaign, "test", {});
  caf::actor_system_config c;
  caf::actor_system sys{testing_config(engine::prepare_actor_system(c, cfg))};
  auto clk = std::make_shared<virtual_clock>(sys.clock(), parley::clock::time_point{1'700'000'000s});
  CHECK_THROWS_WITH_AS(engine::local_engine(sys, cfg, clk, engine::local_engine::storage_mode::none),
                       doctest::Contains("campaigns without a store"), std::runtime_error);
  auto scheduled = engine::parse_config(with_campaign + R"(
[[schedule]]
cron = "0 8 * * *"
action = "start"
campaign = "spring"
)", "test", {});
  CHECK_THROWS_WITH_AS(engine::local_engine(sys, scheduled, clk),
                       doctest::Contains("[[schedule]]"), std::runtime_error);
}
