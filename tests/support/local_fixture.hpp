// local_fixture: an engine in-process on CAF's deterministic test coordinator, with
// clients that talk to it in frames — the base of tests/actors/<family>/ and of
// tests/unit/local_session_test.cpp.
//
// The fixture parses a TOML config, builds an actor system on the test coordinator, a
// virtual_clock on it and a local_engine (engine/local_engine.hpp) on both. Clients are
// local_sessions in front of real connection actors: requests are the FlatBuffers frames
// a TCP client sends, answers and events come back as bytes, split by local_client. ask()
// sends one request and runs every actor until nothing is left to do; `vt.advance(d)`
// moves virtual time timer by timer. Nothing sleeps, nothing touches a network.
//
// A test case derives a default-constructible fixture from it with its own config and
// uses TEST_CASE_FIXTURE. The destructor stops the engine, runs the coordinator until no
// actor is left and removes the data directory (unless keep_dir).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/runtime/virtual_clock.hpp"
#include "actors/runtime/virtual_time.hpp"
#include "engine/local_engine.hpp"
#include "protocol/codec.hpp"

namespace parley::test {

/// One in-process client: its session and every frame it received, split.
struct local_client {
  std::shared_ptr<engine::local_session> s;
  std::vector<std::vector<std::uint8_t>> frames;

  /// The session's sink: one or more whole frames, back to back.
  void take(std::span<const std::uint8_t> bytes);
  const wire::Envelope& at(std::size_t i) const { return *protocol::envelope_of(frames.at(i)); }
  const wire::Envelope& last() const { return at(frames.size() - 1); }
  /// The frame answering `ref`, or null.
  const wire::Envelope* answer(std::uint64_t ref) const;
  /// The types of the events received (ref 0), in order.
  std::vector<wire::Message> events() const;
  /// How many events of `type` arrived.
  std::size_t count(wire::Message type) const;

  /// The events of one table type (wire::Invite, wire::VqEvent, ...), in order.
  template <class T>
  std::vector<const T*> all() const {
    std::vector<const T*> out;
    for (auto& f : frames) {
      auto* e = protocol::envelope_of(f);
      if (e->ref() == 0 && e->message_type() == wire::MessageTraits<T>::enum_value)
        out.push_back(static_cast<const T*>(e->message()));
    }
    return out;
  }
  /// The interactions this desktop was invited to, in order.
  std::vector<std::uint64_t> invites() const;
  /// Its Revoked events as (interaction, reason), in order.
  std::vector<std::pair<std::uint64_t, std::string>> revoked() const;
  /// Its AgentStateChanged events as (state, reason), in order.
  std::vector<std::pair<wire::AgentState, std::string>> agent_states() const;
};

/// An answer that is not an Error (null: no answer).
bool ok(const wire::Envelope* e);
/// The error code of an answer (none when it is no Error or missing).
wire::ErrorCode error_of(const wire::Envelope* e);

/// Domain time at the start of every fixture: 2023-11-14T22:13:20Z.
inline constexpr std::chrono::seconds local_epoch{1'700'000'000};

struct local_fixture {
  using storage_mode = engine::local_engine::storage_mode;

  std::string dir;
  bool keep_dir = false;
  engine::config cfg;
  caf::actor_system_config caf_cfg;
  caf::actor_system sys;
  virtual_time vt;
  std::shared_ptr<virtual_clock> clk;
  std::unique_ptr<engine::local_engine> eng;
  protocol::encoder enc;
  std::uint64_t ref = 10;  ///< the last reference ask() used (1 is the registration's)

  /// `toml` with engine.data_dir set to a fresh directory (`dir`), plus `overrides`
  /// ("key=value", as parleyd's --set). `before_engine` runs after the config is parsed
  /// and before the engine starts (to seed its store).
  explicit local_fixture(const std::string& toml, storage_mode storage = storage_mode::none,
                         std::vector<std::string> overrides = {},
                         const std::function<void(const engine::config&)>& before_engine = {});
  ~local_fixture();
  local_fixture(const local_fixture&) = delete;
  local_fixture& operator=(const local_fixture&) = delete;

  /// A new session on the port of `kind`, its frames into `c`.
  void connect(local_client& c, engine::listener_kind kind = engine::listener_kind::interaction);
  /// Sends Register (ref 1) and runs until it is answered; the answer.
  const wire::Envelope* register_as(local_client& c, wire::ClientType type,
                                    const std::string& credential = "");
  /// connect() and register_as(), required to succeed.
  void open(local_client& c, wire::ClientType type,
            engine::listener_kind kind = engine::listener_kind::interaction);

  /// Sends a request and runs every actor until nothing is left to do; its answer.
  template <class T>
  const wire::Envelope* ask(local_client& c, flatbuffers::Offset<T> msg) {
    auto r = ++ref;
    c.s->send(enc.finish(r, msg));
    vt.run();
    return c.answer(r);
  }

  // -- the requests most tests make, each required to succeed ---------------------------
  /// AgentLogin then, unless `ready` is false, AgentReady.
  void login(local_client& desk, const std::string& agent, bool ready = true);
  void ready(local_client& desk);
  /// Submits into `queue`; the new interaction's id.
  std::uint64_t submit(local_client& gw, const std::string& queue, const std::string& media = "voice",
                       std::int32_t priority = 0);
  void accept(local_client& desk, std::uint64_t iid);
  void stop(local_client& c, std::uint64_t iid);
  /// The interaction's state and agents, as GetInteraction tells them.
  std::pair<wire::InteractionState, std::vector<std::string>> state_of(local_client& c,
                                                                        std::uint64_t iid);
  /// The ids QueueSnapshot lists for `queue`, in routing order.
  std::vector<std::uint64_t> snapshot(local_client& c, const std::string& queue);

  /// The actor of a logged-in agent (through the agent registry). The one place a test
  /// reaches a domain actor directly: to hold its mailbox back on the coordinator.
  parley::agent_actor agent_actor(const std::string& id);
};

} // namespace parley::test

namespace doctest {

/// Vectors and pairs spelled out in failed checks ("{3, 4}" rather than "{?}").
template <class T>
struct StringMaker<std::vector<T>> {
  static String convert(const std::vector<T>& v) {
    String out = "{";
    for (std::size_t i = 0; i < v.size(); ++i)
      out += String(i ? ", " : "") + toString(v[i]);
    return out + "}";
  }
};

template <class A, class B>
struct StringMaker<std::pair<A, B>> {
  static String convert(const std::pair<A, B>& p) {
    return "(" + toString(p.first) + ", " + toString(p.second) + ")";
  }
};

} // namespace doctest
