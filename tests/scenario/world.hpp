// world: what a scenario runs against, in one of the driver's two modes. The runner
// (runner.cpp) gives the steps their meaning on top of it; a world only connects clients,
// carries requests and events, and lets time pass.
//
// - tcp_world.cpp: a real parleyd process on free ports, clients of the C++ client library
//   over real TCP, real time (waits block, `wait` sleeps).
// - virtual_world.cpp: the engine's actors in this process on CAF's test coordinator
//   (engine/local_engine.hpp), each client attached to a real connection actor through a
//   local_session; time is virtual and moves only when a step waits.
//
// Worlds fail a step by throwing scenario::failure.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace parley::scenario {

struct failure {
  std::string why;
};

[[noreturn]] inline void fail(std::string why) {
  throw failure{std::move(why)};
}

/// The events one client received (reference id 0, heartbeats left out), in arrival
/// order, and the first gap in its reporting stream. Filled by the world (on the client's
/// strand over TCP), read by the runner.
struct inbox {
  std::mutex mx;
  std::condition_variable cv;
  std::deque<client::answer> events;
  std::uint64_t last_seq = 0;
  std::string seq_problem;

  void push(const client::answer& a);
  /// The oldest event, if any, at once.
  std::optional<client::answer> try_pop();
  /// The oldest event, waiting in real time until `until` for one.
  std::optional<client::answer> pop(std::chrono::steady_clock::time_point until);
  bool empty();
};

class world {
public:
  virtual ~world() = default;

  /// Connects and registers a client of `kind` named `name` whose events go to `in`
  /// (fails when it does not register within 5 s).
  virtual void connect(const std::string& name, client_kind kind, std::shared_ptr<inbox> in) = 0;

  /// Sends one request from the client and returns its one answer (a transport status
  /// other than ok when none came within the client's request timeout of 5 s).
  virtual client::answer ask(const std::string& name, const client::client::build_fn& build) = 0;

  /// The next event in `in`, waiting up to `limit` (0: only what has arrived by now).
  virtual std::optional<client::answer> next_event(inbox& in, millis limit) = 0;

  /// Time since the world started: real, or virtual.
  virtual millis now() = 0;

  /// Lets `d` pass: sleeps, or moves virtual time.
  virtual void pass(millis d) = 0;

  /// The client goes away; it gets nothing more.
  virtual void disconnect(const std::string& name) = 0;

  /// "" when every tenant's interactions are conserved (now and after every event),
  /// else what is wrong.
  virtual std::string conservation_problems() = 0;

  /// Every frame the clients received, in order, one line each (virtual mode: the
  /// determinism check compares two runs); empty over TCP, where the order across
  /// clients is not fixed.
  virtual std::vector<std::string> frame_log() const { return {}; }
};

std::unique_ptr<world> make_tcp_world(const script& s);
std::unique_ptr<world> make_virtual_world(const script& s);

} // namespace parley::scenario
