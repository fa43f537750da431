#include <doctest/doctest.h>

#include <random>

#include "protocol/codec.hpp"
#include "protocol/frame_reader.hpp"

using namespace parley;

namespace {

std::span<const std::uint8_t> body_of(std::span<const std::uint8_t> frame) {
  REQUIRE(frame.size() >= protocol::prefix_bytes);
  REQUIRE(protocol::read_prefix(frame.data()) == frame.size() - protocol::prefix_bytes);
  return frame;
}

} // namespace

TEST_CASE("every session message survives a round trip") {
  protocol::encoder enc;
  {
    auto d = protocol::decode(body_of(enc.ping(11, 0xdeadbeefcafe)));
    REQUIRE(d);
    CHECK(d.envelope->ref() == 11);
    CHECK(d.envelope->version() == protocol::envelope_version);
    CHECK(d.envelope->message_as_Ping()->payload() == 0xdeadbeefcafe);
  }
  {
    auto d = protocol::decode(body_of(enc.pong(12, 5)));
    REQUIRE(d);
    CHECK(d.envelope->message_as_Pong()->payload() == 5);
  }
  {
    auto d = protocol::decode(body_of(enc.ack(13)));
    REQUIRE(d);
    CHECK(d.envelope->message_type() == wire::Message::Ack);
  }
  {
    auto d = protocol::decode(body_of(enc.error(0, wire::ErrorCode::wrong_state, "nope")));
    REQUIRE(d);
    auto* e = d.envelope->message_as_Error();
    CHECK(e->code() == wire::ErrorCode::wrong_state);
    CHECK(e->text()->str() == "nope");
  }
  {
    auto d = protocol::decode(
      body_of(enc.register_client(14, "desk-1", wire::ClientType::agent_desktop, "secret")));
    REQUIRE(d);
    auto* r = d.envelope->message_as_Register();
    CHECK(r->client_name()->str() == "desk-1");
    CHECK(r->client_type() == wire::ClientType::agent_desktop);
    CHECK(r->credential()->str() == "secret");
    CHECK(r->protocol_version() == protocol::protocol_version);
  }
  {
    auto& fbb = enc.start();
    auto name = fbb.CreateString("engine");
    auto version = fbb.CreateString("1.2.3");
    auto frame = enc.finish(15, wire::CreateRegistered(fbb, 99, 1, 100, 300, 4096, name, version));
    auto d = protocol::decode(body_of(frame));
    REQUIRE(d);
    auto* r = d.envelope->message_as_Registered();
    CHECK(r->session_id() == 99);
    CHECK(r->heartbeat_timeout_ms() == 300);
    CHECK(r->server_version()->str() == "1.2.3");
  }
}

TEST_CASE("decode names what is wrong with a bad buffer") {
  protocol::encoder enc;
  auto body = protocol::to_bytes(enc.ping(1, 2));

  SUBCASE("too short") {
    std::vector<std::uint8_t> tiny{1, 2, 3};
    CHECK(protocol::decode(tiny).error == wire::ErrorCode::unverifiable);
  }
  SUBCASE("wrong identifier") {
    body[8] = 'X';
    CHECK(protocol::decode(body).error == wire::ErrorCode::unverifiable);
  }
  SUBCASE("length prefix not matching the frame") {
    body.resize(body.size() - 6);
    CHECK(protocol::decode(body).error == wire::ErrorCode::unverifiable);
  }
  SUBCASE("truncated, with a prefix that matches") {
    body.resize(body.size() - 6);
    body[0] = static_cast<std::uint8_t>(body.size() - 4);
    CHECK(protocol::decode(body).error == wire::ErrorCode::unverifiable);
  }
  SUBCASE("root offset pointing outside the buffer") {
    body[4] = 0xff;
    body[5] = 0xff;
    CHECK(protocol::decode(body).error == wire::ErrorCode::unverifiable);
  }
  SUBCASE("random bytes behind a valid identifier: accepted whole or refused with a reason") {
    // Every outcome is one of two: an envelope whose message is a known member (safe to
    // read: the verifier passed), or a refusal naming a wire error and why. Both must
    // occur, or the corruption below exercises only one path.
    std::mt19937 rng{42};
    int accepted = 0, refused = 0, odd = 0;
    for (int i = 0; i < 20000; ++i) {
      auto copy = body;
      for (int k = 0; k < 3; ++k)
        copy[4 + rng() % (copy.size() - 4)] = static_cast<std::uint8_t>(rng());
      auto d = protocol::decode(copy);
      if (d) {
        bool known = d.error == wire::ErrorCode::none && d.envelope->message() != nullptr
                     && d.envelope->message_type() != wire::Message::NONE
                     && d.envelope->message_type() <= wire::Message::MAX
                     && d.envelope->version() == protocol::envelope_version;
        (known ? accepted : odd) += 1;
      } else {
        bool named = (d.error == wire::ErrorCode::unverifiable
                      || d.error == wire::ErrorCode::unknown_message
                      || d.error == wire::ErrorCode::unsupported_version)
                     && d.reason != nullptr && *d.reason != '\0';
        (named ? refused : odd) += 1;
      }
    }
    CHECK(odd == 0);
    CHECK(accepted > 0);
    CHECK(refused > 0);
    CHECK(accepted + refused == 20000);
  }
}

TEST_CASE("unknown union members and versions are reported, not trusted") {
  protocol::encoder enc;
  SUBCASE("a message type from a newer protocol") {
    auto& fbb = enc.start();
    auto ping = wire::CreatePing(fbb, 1);
    auto frame = enc.finish_raw(3, static_cast<wire::Message>(200), ping.Union());
    auto d = protocol::decode(body_of(frame));
    CHECK_FALSE(d);
    CHECK(d.error == wire::ErrorCode::unknown_message);
  }
  SUBCASE("no message at all") {
    auto& fbb = enc.start();
    wire::EnvelopeBuilder b(fbb);
    b.add_ref(3);
    wire::FinishSizePrefixedEnvelopeBuffer(fbb, b.Finish());
    std::span<const std::uint8_t> frame{fbb.GetBufferPointer(), fbb.GetSize()};
    CHECK(protocol::decode(body_of(frame)).error == wire::ErrorCode::unknown_message);
  }
  SUBCASE("envelope version 2") {
    auto& fbb = enc.start();
    auto ping = wire::CreatePing(fbb, 1);
    wire::EnvelopeBuilder b(fbb);
    b.add_ref(3);
    b.add_version(2);
    b.add_message_type(wire::Message::Ping);
    b.add_message(ping.Union());
    wire::FinishSizePrefixedEnvelopeBuffer(fbb, b.Finish());
    std::span<const std::uint8_t> frame{fbb.GetBufferPointer(), fbb.GetSize()};
    CHECK(protocol::decode(body_of(frame)).error == wire::ErrorCode::unsupported_version);
  }
}

TEST_CASE("error and client type names are stable") {
  CHECK(std::string{protocol::error_name(wire::ErrorCode::frame_too_large)} == "frame_too_large");
  CHECK(std::string{protocol::error_name(static_cast<wire::ErrorCode>(250))} == "unknown_error");
  CHECK(std::string{protocol::client_type_name(wire::ClientType::stat_client)} == "stat_client");
}
