// session: one TCP connection on one of the protocol listeners.
//
// Created by a listener for every accepted socket, kept alive by its own pending Asio
// operations, gone when the socket is closed. Everything runs on the socket's strand.
// The session owns the transport rules: framing (length checked before allocation),
// the FlatBuffers verifier, registration first and within its timeout, heartbeats,
// batched writes (one write per wake-up) and a bounded output buffer. With tls.enabled the
// TLS handshake comes first, bounded by the registration timeout; a failed handshake
// closes the connection and is counted, nothing else. Limits and timeouts are read from
// the live config (a SIGHUP may change them; see live_config.hpp). Requests go to the
// session's connection actor through the bridge; pings are answered right here.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/directory/directory_actor.hpp"
#include "actors/runtime/clock.hpp"
#include "engine/bridge.hpp"
#include "engine/config.hpp"
#include "engine/connection_actor.hpp"
#include "engine/counters.hpp"
#include "engine/live_config.hpp"
#include "engine/transport.hpp"
#include "protocol/frame_reader.hpp"

namespace parley::engine {

const char* listener_name(listener_kind k) noexcept;

class session;

/// Every open session, so that a stop can reach them. Thread-safe.
class session_registry {
public:
  void add(std::uint64_t id, std::weak_ptr<session> s, const std::string& address);
  void remove(std::uint64_t id);
  /// Open sessions from one IP address.
  std::size_t from_address(const std::string& address) const;
  std::vector<std::shared_ptr<session>> all() const;
  std::size_t size() const;
  /// Blocks until no session is left or the deadline passes; true when empty.
  bool wait_empty(std::chrono::steady_clock::time_point deadline) const;

private:
  mutable std::mutex mx_;
  mutable std::condition_variable cv_;
  struct entry {
    std::weak_ptr<session> s;
    std::string address;
  };
  std::unordered_map<std::uint64_t, entry> sessions_;
  std::unordered_map<std::string, std::size_t> per_address_;
};

/// What every session shares; set up by the engine before the listeners open.
struct session_env {
  const config& cfg;  ///< as started; limits, timeouts and tokens come from `live`
  const live_config& live;
  boost::asio::ssl::context* tls;  ///< null: plain TCP
  caf::actor_system& system;
  directory_actor directory;
  domain_ptr domain;
  std::shared_ptr<const clock> clk;
  counters& counts;
  session_registry& registry;
};

class session final : public link_target, public std::enable_shared_from_this<session> {
public:
  using tcp = boost::asio::ip::tcp;

  session(tcp::socket socket, listener_kind kind, session_env& env, std::uint64_t id);
  ~session();

  /// Spawns the connection actor and starts reading; call once, right after construction.
  void start();

  /// Graceful stop: new requests are refused with `draining`, the session closes when its
  /// in-flight requests are answered and its output is written. Thread-safe.
  void drain();

  /// Closes at once. Thread-safe.
  void abort();

  std::uint64_t id() const noexcept { return id_; }

private:
  enum class phase { unregistered, registering, registered, closing, closed };
  using steady = std::chrono::steady_clock;

  // -- reading -----------------------------------------------------------------
  void handshake();
  void read();
  void on_frames();
  void on_frame(std::span<const std::uint8_t> frame);
  void forward(const wire::Envelope& env, std::span<const std::uint8_t> frame);
  /// The request rate limit: false when this request is over it.
  bool take_token();

  // -- writing -----------------------------------------------------------------
  /// Queues bytes for the peer: one frame, or `frames` whole frames back to back.
  void write(std::span<const std::uint8_t> frame, std::uint64_t frames = 1);
  void flush();
  void send_error(std::uint64_t ref, wire::ErrorCode code, const std::string& text);

  // -- link_target: from the connection actor (any thread): post to the strand ---
  void link_answer(protocol::frame_bytes frame) override;
  void link_events(protocol::frame_bytes frames, std::uint64_t count) override;
  void link_admitted(client_info info) override;
  void link_refused(wire::ErrorCode code, std::string text) override;

  // -- from the bridge (already on the strand) --------------------------------
  void on_answer(protocol::frame_bytes frame);
  void on_admitted(const client_info& info);

  // -- timers and closing ------------------------------------------------------
  void arm_timer(steady::duration after);
  void on_timer();
  /// Sends the error (if any), flushes, then closes the socket.
  void close(wire::ErrorCode code, const std::string& text);
  void finish_close();
  void maybe_finish_drain();

  transport stream_;
  boost::asio::steady_timer timer_;
  listener_kind kind_;
  session_env& env_;
  live_view live_;  ///< limits and timeouts, refreshed when a reload published new ones
  std::uint64_t id_;
  std::string address_;
  std::string peer_;
  double tokens_ = 0;  // request rate limit: a token bucket refilled by elapsed time
  steady::time_point refilled_;
  connection_actor actor_;
  protocol::frame_reader reader_;
  protocol::encoder enc_;
  std::vector<std::uint8_t> out_pending_, out_writing_;
  std::shared_ptr<backlog_meter> backlog_ = std::make_shared<backlog_meter>();
  bool writing_ = false;
  bool in_read_loop_ = false;
  bool handshaking_ = false;  ///< TLS handshake under way: nothing may be written yet
  bool draining_ = false;
  phase phase_ = phase::unregistered;
  std::uint64_t register_ref_ = 0;
  std::uint64_t in_flight_ = 0;
  steady::time_point accepted_at_, last_rx_, last_ping_, close_deadline_;
  steady::time_point last_request_;  // idle timeout: the last request other than a ping
};

} // namespace parley::engine
