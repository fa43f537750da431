// local_session: one client attached in-process to a connection actor, without a socket.
//
// The in-process counterpart of `session` (session.hpp), for the scenario driver's virtual
// mode and simulated clients. Behind it is a real connection actor (the same dispatch, the
// same checks, the same encoding), reached through the same session_link (bridge.hpp): the
// owner hands send() request frames as bytes — size-prefixed FlatBuffers, exactly what goes
// over TCP — and receives every frame for the client, answers and events alike, as bytes
// through its sink. Registration goes through the directory as over TCP: the first frame
// must be a Register, answered by Registered or by the refusal.
//
// What the Asio session does at the frame level is done here too: the size limit, the
// verifier, registration first, a non-zero reference id, pings answered in place. What
// belongs to a socket is not: no heartbeats (Registered says 0), no registration or idle
// timeout, no rate limit, no output limit, no drain, no TLS.
//
// Made by local_engine::connect (open()); ended by close() — the connection actor is told
// that its session closed, as when a socket closes — or by the engine's stop. The sink runs
// on the thread that runs the connection actor (the caller's own, on CAF's test
// coordinator) or inside send(); calls never overlap, and the sink must not call back into
// its session.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include <caf/fwd.hpp>

#include "engine/bridge.hpp"
#include "engine/connection_actor.hpp"
#include "protocol/codec.hpp"

namespace parley::engine {

class local_session final : public link_target,
                            public std::enable_shared_from_this<local_session> {
public:
  /// Receives one or more whole frames (length prefixes included), back to back.
  using sink = std::function<void(std::span<const std::uint8_t> frames)>;

  struct options {
    std::string server_name = "parley";       ///< Registered.server_name
    std::uint32_t max_frame_bytes = 1 << 20;  ///< larger frames close the session
  };

  /// Spawns the connection actor for `setup` (its session id, listener and limits filled in).
  static std::shared_ptr<local_session> open(caf::actor_system& sys, connection_setup setup,
                                             options opts, sink out);

  ~local_session();
  local_session(const local_session&) = delete;
  local_session& operator=(const local_session&) = delete;

  /// One frame from the client. Checked as the session checks it; what passes goes to the
  /// connection actor, what does not is answered with an Error frame (and, before
  /// registration or for an oversized frame, closes the session). False once closed.
  bool send(std::span<const std::uint8_t> frame);

  /// The client goes away: the connection actor is told and quits (logging out its agent,
  /// unsubscribing it). Nothing more reaches the sink. Idempotent.
  void close();

  bool registered() const;
  bool closed() const;
  std::uint64_t id() const noexcept { return id_; }

private:
  enum class phase { unregistered, registering, registered, closed };

  local_session(connection_setup setup, options opts, sink out);

  // -- link_target: from the connection actor -------------------------------------
  void link_answer(protocol::frame_bytes frame) override;
  void link_events(protocol::frame_bytes frames, std::uint64_t count) override;
  void link_admitted(client_info info) override;
  void link_refused(wire::ErrorCode code, std::string text) override;

  void forward(std::span<const std::uint8_t> frame);
  void error(std::uint64_t ref, wire::ErrorCode code, std::string_view text);
  /// Says why (unless code is none), then closes.
  void end(wire::ErrorCode code, std::string_view text);

  // Recursive: on a test coordinator set to run enqueues inline, forwarding a frame may run
  // the connection actor, and so the link_* calls, inside send().
  mutable std::recursive_mutex mx_;
  std::uint64_t id_;
  options opts_;
  sink out_;
  phase phase_ = phase::unregistered;
  std::uint64_t register_ref_ = 0;
  connection_actor actor_;
  protocol::encoder enc_;
};

} // namespace parley::engine
