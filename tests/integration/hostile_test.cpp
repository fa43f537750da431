// Bad input over real TCP: each gets its error or close, the engine keeps serving the
// other connections, and nothing is left behind.
#include <doctest/doctest.h>

#include <random>

#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;

namespace {

/// A registered bystander that must keep getting answers while others misbehave.
void bystander_still_served(raw_conn& c, std::uint64_t ref) {
  protocol::encoder enc;
  c.send(enc.ping(ref, ref));
  auto f = c.read_frame();
  REQUIRE(f);
  CHECK(envelope_of(*f).ref() == ref);
  CHECK(envelope_of(*f).message_type() == wire::Message::Pong);
}

std::vector<std::uint8_t> prefix(std::uint32_t n) {
  return {static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8),
          static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 24)};
}

} // namespace

TEST_CASE("hostile frames get their error or close, and others are unaffected") {
  auto eng = start_engine();
  auto port = eng->port(listener_kind::interaction);
  auto baseline_actors = eng->running_actors();
  raw_conn bystander{port};
  REQUIRE(bystander.register_as() > 0);
  protocol::encoder enc;
  std::uint64_t ref = 1000;

  SUBCASE("a 1 GiB length prefix closes the connection before allocating") {
    raw_conn c{port};
    REQUIRE(c.register_as() > 0);
    c.send(prefix(1u << 30));
    auto f = c.read_frame();
    REQUIRE(f);
    CHECK(error_of(*f) == wire::ErrorCode::frame_too_large);
    CHECK(c.closed_by_peer());
  }
  SUBCASE("a 1 GiB length prefix as the very first bytes") {
    raw_conn c{port};
    c.send(prefix(0xffffffffu));
    auto f = c.read_frame();
    REQUIRE(f);
    CHECK(error_of(*f) == wire::ErrorCode::frame_too_large);
    CHECK(c.closed_by_peer());
  }
  SUBCASE("a truncated frame, then the peer stops sending") {
    raw_conn c{port};
    REQUIRE(c.register_as() > 0);
    auto whole = protocol::to_bytes(enc.ping(5, 5));
    c.send(std::span{whole}.first(whole.size() - 3));
    bystander_still_served(bystander, ++ref);  // the engine is waiting, not stuck
    c.shutdown_send();
    auto f = c.read_frame();
    REQUIRE(f);
    CHECK(error_of(*f) == wire::ErrorCode::malformed_frame);
    CHECK(c.closed_by_peer());
  }
  SUBCASE("random bytes instead of a registration") {
    raw_conn c{port};
    std::mt19937 rng{1};
    std::vector<std::uint8_t> junk(64);
    for (auto& b : junk)
      b = static_cast<std::uint8_t>(rng());
    junk[0] = 60, junk[1] = junk[2] = junk[3] = 0;  // well framed, garbage inside
    c.send(junk);
    auto f = c.read_frame();
    REQUIRE(f);
    CHECK(error_of(*f) == wire::ErrorCode::unverifiable);
    CHECK(c.closed_by_peer());
  }
  SUBCASE("a well-framed unverifiable buffer after registration: error, session goes on") {
    raw_conn c{port};
    REQUIRE(c.register_as() > 0);
    auto bad = protocol::to_bytes(enc.ping(6, 6));
    bad[4] = 0xf0;  // root offset far outside the buffer
    bad[5] = 0xff;
    c.send(bad);
    auto f = c.read_frame();
    REQUIRE(f);
    CHECK(error_of(*f) == wire::ErrorCode::unverifiable);
    CHECK(envelope_of(*f).ref() == 0);
    bystander_still_served(c, ++ref);
  }
  SUBCASE("an unknown message type: error, session goes on") {
    raw_conn c{port};
    REQUIRE(c.register_as() > 0);
    auto& fbb = enc.start();
    auto ping = wire::CreatePing(fbb, 1);
    c.send(enc.finish_raw(77, static_cast<wire::Message>(201), ping.Union()));
    auto f = c.read_frame();
    REQUIRE(f);
    CHECK(error_of(*f) == wire::ErrorCode::unknown_message);
    bystander_still_served(c, ++ref);
  }
  SUBCASE("many connections sending random garbage") {
    std::mt19937 rng{2024};
    for (int i = 0; i < 150; ++i) {
      raw_conn c{port};
      if (i % 2)
        REQUIRE(c.register_as() > 0);
      std::vector<std::uint8_t> junk(1 + rng() % 3000);
      for (auto& b : junk)
        b = static_cast<std::uint8_t>(rng());
      if (i % 3 == 0) {
        // Keep the prefix small enough to be read as a frame.
        auto len = static_cast<std::uint32_t>(junk.size() - 4);
        auto p = prefix(len);
        std::copy(p.begin(), p.end(), junk.begin());
      }
      c.send(junk);
      // Whatever happens to this connection, the bystander is served.
      if (i % 10 == 0)
        bystander_still_served(bystander, ++ref);
    }
  }
  bystander_still_served(bystander, ++ref);
  // Nothing leaks: only the bystander's session and actor remain.
  CHECK(eventually([&] { return eng->open_sessions() == 1; }));
  CHECK(eventually([&] { return eng->stats().connections_open == 1; }));
  CHECK(eventually([&] { return eng->running_actors() == baseline_actors + 1; }));
}
