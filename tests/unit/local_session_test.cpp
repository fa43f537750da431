// local_engine and local_session on CAF's test coordinator: in-process clients registered
// through the directory, the session's frame checks, a call on virtual time, the writer
// on an SQLite file, and what a local engine refuses.
#include <doctest/doctest.h>

#include <filesystem>

#include <caf/all.hpp>

#include "actors/runtime/virtual_clock.hpp"
#include "actors/runtime/virtual_time.hpp"
#include "engine/engine.hpp"
#include "engine/local_engine.hpp"
#include "support/child.hpp"

using namespace parley;
using namespace std::chrono_literals;
using engine::listener_kind;

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

/// What one in-process client received, frame by frame.
struct received {
  std::vector<std::vector<std::uint8_t>> frames;

  void take(std::span<const std::uint8_t> bytes) {
    while (!bytes.empty()) {
      std::uint32_t n = bytes[0] | bytes[1] << 8 | bytes[2] << 16 | std::uint32_t(bytes[3]) << 24;
      frames.emplace_back(bytes.begin(), bytes.begin() + 4 + n);
      bytes = bytes.subspan(4 + n);
    }
  }
  const wire::Envelope& at(std::size_t i) const { return *protocol::envelope_of(frames.at(i)); }
  const wire::Envelope& last() const { return at(frames.size() - 1); }
  /// The frame answering `ref`, or null.
  const wire::Envelope* answer(std::uint64_t ref) const {
    for (auto& f : frames)
      if (protocol::envelope_of(f)->ref() == ref)
        return protocol::envelope_of(f);
    return nullptr;
  }
};

struct fixture {
  std::string dir = test::temp_dir();
  bool keep_dir = false;
  engine::config cfg;
  caf::actor_system_config caf_cfg;
  caf::actor_system sys;
  virtual_time vt;
  std::shared_ptr<virtual_clock> clk;
  std::unique_ptr<engine::local_engine> eng;
  protocol::encoder enc;

  explicit fixture(engine::local_engine::storage_mode storage = engine::local_engine::storage_mode::none)
    : cfg(engine::parse_config(call_center, "test", {"engine.data_dir=" + dir + "/var"})),
      sys(testing_config(engine::prepare_actor_system(caf_cfg, cfg))), vt(sys),
      clk(std::make_shared<virtual_clock>(sys.clock(), parley::clock::time_point{1'700'000'000s})),
      eng(std::make_unique<engine::local_engine>(sys, cfg, clk, storage)) {
    vt.run();
  }

  ~fixture() {
    eng->stop();
    vt.run_until([&] { return sys.registry().running() == 0; }, 10s);
    CHECK(sys.registry().running() == 0);
    eng.reset();
    if (!keep_dir)
      std::filesystem::remove_all(dir);
  }

  std::shared_ptr<engine::local_session> open(received& r, listener_kind k = listener_kind::interaction) {
    return eng->connect(k, [&r](std::span<const std::uint8_t> f) { r.take(f); });
  }

  /// Registers and waits for the outcome; the answer to ref 1.
  const wire::Envelope* register_as(engine::local_session& s, received& r, wire::ClientType t,
                                    const std::string& credential = "") {
    s.send(enc.register_client(1, "test", t, credential));
    vt.run_until([&] { return r.answer(1) != nullptr; }, 5s);
    return r.answer(1);
  }

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

TEST_CASE_FIXTURE(fixture, "a local session registers through the directory") {
  received r;
  auto s = open(r);
  auto* reg = register_as(*s, r, wire::ClientType::media_gateway);
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

TEST_CASE_FIXTURE(fixture, "the first frame must be a registration, with a good credential") {
  received r1;
  auto s1 = open(r1);
  s1->send(enc.finish(7, wire::CreateGetInteraction(enc.start(), 1)));
  CHECK(s1->closed());
  REQUIRE(r1.frames.size() == 1);
  CHECK(r1.at(0).message_as_Error()->code() == wire::ErrorCode::not_registered);

  received r2;
  auto s2 = open(r2);
  std::vector<std::uint8_t> junk{8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  s2->send(junk);
  CHECK(s2->closed());
  CHECK(r2.at(0).message_as_Error());

  received r3;
  auto s3 = open(r3);
  auto* refused = register_as(*s3, r3, wire::ClientType::agent_desktop, "wrong");
  REQUIRE(refused);
  CHECK(refused->message_as_Error()->code() == wire::ErrorCode::bad_credential);
  CHECK(s3->closed());

  received r4;
  auto s4 = open(r4);
  REQUIRE(register_as(*s4, r4, wire::ClientType::agent_desktop, "desk-secret")->message_as_Registered());
  CHECK(registered_clients() == 1);
}

TEST_CASE_FIXTURE(fixture, "a call on virtual time: the offer times out exactly on time") {
  received g, d;
  auto gw = open(g);
  auto desk = open(d);
  REQUIRE(register_as(*gw, g, wire::ClientType::media_gateway)->message_as_Registered());
  REQUIRE(register_as(*desk, d, wire::ClientType::agent_desktop, "desk-secret")->message_as_Registered());
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
  auto count = [&](wire::Message type) {
    std::size_t n = 0;
    for (auto& f : d.frames)
      n += protocol::envelope_of(f)->message_type() == type;
    return n;
  };
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
    fixture f{engine::local_engine::storage_mode::store};
    f.keep_dir = true;
    cfg = f.cfg;
    db = engine::store_config(f.cfg).path;
    received g;
    auto gw = f.open(g);
    REQUIRE(f.register_as(*gw, g, wire::ClientType::media_gateway)->message_as_Registered());
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
