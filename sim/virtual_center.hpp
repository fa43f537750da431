// virtual_center: the engine's actors on discrete-event time, with simulated clients —
// what the staffing planner (sim/planner.hpp) and the virtual modes of parley-bench's
// `simulate` and `pacing` stand on (bench/README.md).
//
// engine::local_engine (the production directory, domain and, with a store, the outbound
// actors and the simulated gateway) on CAF's deterministic test coordinator, domain time a
// virtual_clock on it. Clients are local_sessions in front of real connection actors
// (sim_client): the scenario sends request frames and reads what came back from each
// client's inbox. Nothing runs on another thread and nothing sleeps: settle() runs every
// actor until none has work, letting the scenario answer what arrived (look) until nothing
// more does; advance_to() moves virtual time timer by timer up to an instant, settling
// whenever something reaches a client on the way, so a desk answers an Invite at the very
// instant it came. The same inputs give the same run.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "actors/runtime/virtual_clock.hpp"
#include "actors/runtime/virtual_time.hpp"
#include "engine/config.hpp"
#include "engine/local_engine.hpp"
#include "sim/error_sink.hpp"
#include "sim/frames.hpp"

namespace parley::sim {

/// One simulated client: its session, and the frames that came since the scenario looked.
struct sim_client {
  std::shared_ptr<engine::local_session> s;
  std::vector<std::uint8_t> inbox;  ///< whole frames, back to back
  std::uint64_t ref = 1;            ///< the last request's reference id (1: Register)
};

/// Calls `f(envelope, frame)` for each whole frame in `c.inbox`, then empties it.
template <class F>
void each_frame(sim_client& c, F f) {
  std::span<const std::uint8_t> bytes{c.inbox};
  while (bytes.size() >= 4) {
    std::uint32_t n = bytes[0] | bytes[1] << 8 | bytes[2] << 16 | std::uint32_t(bytes[3]) << 24;
    auto frame = bytes.first(4 + n);
    f(*protocol::envelope_of(frame), frame);
    bytes = bytes.subspan(4 + n);
  }
  c.inbox.clear();
}

/// Counts `e` in `errors` when it is an Error (the run goes on).
void count_error(const wire::Envelope& e, error_sink& errors);

/// The event log of a virtual run: a reporting client's stream, hashed (64-bit FNV-1a of
/// every ReportingEvent frame, in order).
struct stream_hash {
  std::uint64_t h = 0xcbf29ce484222325ull;
  std::uint64_t events = 0;
  /// Reads `rep`'s inbox; true when anything arrived.
  bool read(sim_client& rep, error_sink& errors);
  std::string hex() const;
};

class virtual_center {
public:
  /// Domain time at the start of a virtual run: 2026-01-05T00:00:00Z.
  static constexpr std::chrono::milliseconds epoch{1'767'571'200'000};

  /// Builds the actor system, the clock and the engine for `cfg`; `before_engine` runs
  /// first (e.g. to put a contact list into the store). Throws what local_engine throws.
  virtual_center(const engine::config& cfg, engine::local_engine::storage_mode storage,
                 const std::function<void(const engine::config&)>& before_engine = {});
  /// Stops the engine and runs the coordinator until no actor is left.
  ~virtual_center();
  virtual_center(const virtual_center&) = delete;
  virtual_center& operator=(const virtual_center&) = delete;

  /// Opens `c` on the interaction port and sends its Register (answered at the next settle).
  /// `c` must stay where it is while the center lives.
  void connect(sim_client& c, wire::ClientType type, const std::string& name);
  /// One request from `c` (reference ids 2, 3, ...).
  void send(sim_client& c, const build_fn& f);
  /// Reads every desk's inbox: errors counted, each event (ref 0) handed to `on_event`,
  /// which returns the interaction to accept (0: none); the Accepts go out after reading
  /// (a session's sink must not be re-entered). True when anything arrived.
  bool serve_desks(std::vector<sim_client>& desks, error_sink& errors,
                   const std::function<std::uint64_t(std::size_t, const wire::Envelope&)>& on_event);

  /// Opens a reporting client subscribed to the stream (unless `rep` is null) and one desk
  /// per agent, `agent(i)` for desks[i], logged in and ready, settling with `look` in
  /// between. Throws when any of it failed (what `errors` counted).
  void open_floor(sim_client* rep, std::vector<sim_client>& desks,
                  const std::function<std::string(std::size_t)>& agent, error_sink& errors,
                  const std::function<bool()>& look);
  /// The same with agents <agent_prefix>0, 1, ...
  void open_floor(sim_client& rep, std::vector<sim_client>& desks, const std::string& agent_prefix,
                  error_sink& errors, const std::function<bool()>& look) {
    open_floor(&rep, desks, [&](std::size_t i) { return agent_prefix + std::to_string(i); }, errors, look);
  }

  /// Runs every actor, then `look` (which reads the inboxes and may send), until look()
  /// says nothing arrived.
  void settle(const std::function<bool()>& look);
  /// Moves virtual time to `to_ms` (domain), settling whenever a frame reaches a client on
  /// the way (the engine's own timers: offers, the gateway's calls ending).
  void advance_to(std::int64_t to_ms, const std::function<bool()>& look);

  std::int64_t now_ms() const { return clk_->now_ms(); }
  /// Actor jobs the coordinator ran so far.
  std::uint64_t jobs() const noexcept { return jobs_; }

private:
  bool any_inbox() const;

  caf::actor_system_config caf_cfg_;
  caf::actor_system sys_;
  virtual_time vt_;
  std::shared_ptr<virtual_clock> clk_;
  std::unique_ptr<engine::local_engine> eng_;
  protocol::encoder enc_;
  std::vector<sim_client*> clients_;
  std::uint64_t jobs_ = 0;
};

} // namespace parley::sim
