// bridge: the one place where Asio and CAF meet (Seastar calls its equivalent "alien").
//
// Rules: Asio objects are touched only on their strand; actor state only inside the actor.
// What crosses is messages:
//  - Asio -> actors: a session anon_sends (request_atom, frame_body) and (closed_atom) to
//    its connection actor. anon_send is thread-safe and never blocks.
//  - actors -> Asio: an actor holds a session_link, a weak handle that posts onto the
//    session's strand. If the session is gone the call does nothing; nothing ever blocks.
// The session counts the requests it forwarded and the answers that came back, so a
// graceful stop knows when in-flight work is done.
// What a session_link reaches is a link_target: the Asio session, or a local_session
// (engine/local_session.hpp) for clients attached in-process, without a socket.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/runtime/types.hpp"
#include "protocol/codec.hpp"

namespace parley::engine {

/// The far end of a session_link. Called from whatever thread runs the connection actor;
/// an implementation hands the work to its own context (the session posts to its strand)
/// and never blocks.
class link_target {
public:
  /// The one answer to a forwarded request (a finished frame, prefix included).
  virtual void link_answer(protocol::frame_bytes frame) = 0;
  /// `count` whole events back to back (reference id 0).
  virtual void link_events(protocol::frame_bytes frames, std::uint64_t count) = 0;
  /// The directory admitted the client: answer its Register with Registered.
  virtual void link_admitted(client_info info) = 0;
  /// Registration refused: answer the Register with this error and close.
  virtual void link_refused(wire::ErrorCode code, std::string text) = 0;

protected:
  ~link_target() = default;
};

/// Bytes on their way to one peer: posted to the session's strand and not yet taken, plus
/// buffered in the session and not yet written. The statistics notifications read it to
/// hold back (and coalesce) while a client does not keep up.
struct backlog_meter {
  std::atomic<std::uint64_t> posted{0};
  std::atomic<std::uint64_t> buffered{0};

  std::uint64_t bytes() const noexcept {
    return posted.load(std::memory_order_relaxed) + buffered.load(std::memory_order_relaxed);
  }
};

/// The actor side's handle on one session. Copyable; every method is thread-safe.
class session_link {
public:
  session_link() = default;
  session_link(std::weak_ptr<link_target> s, std::shared_ptr<backlog_meter> meter)
    : session_(std::move(s)), meter_(std::move(meter)) {}

  /// The one answer to a forwarded request (a finished frame, prefix included).
  void answer(protocol::frame_bytes frame) const {
    if (auto t = session_.lock())
      t->link_answer(std::move(frame));
  }

  /// An unsolicited event (reference id 0).
  void event(protocol::frame_bytes frame) const { events(std::move(frame), 1); }

  /// `count` whole events back to back in one buffer (one post for many notifications).
  void events(protocol::frame_bytes frames, std::uint64_t count) const {
    if (auto t = session_.lock())
      t->link_events(std::move(frames), count);
  }

  /// The directory admitted the client: the session answers its Register with Registered.
  void admitted(client_info info) const {
    if (auto t = session_.lock())
      t->link_admitted(std::move(info));
  }

  /// Registration refused: the session answers with this error and closes.
  void refused(wire::ErrorCode code, std::string text) const {
    if (auto t = session_.lock())
      t->link_refused(code, std::move(text));
  }

  /// Bytes not yet written to the peer (0 without a session).
  std::uint64_t backlog() const noexcept { return meter_ ? meter_->bytes() : 0; }

private:
  std::weak_ptr<link_target> session_;
  std::shared_ptr<backlog_meter> meter_;
};

} // namespace parley::engine
