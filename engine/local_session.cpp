#include "engine/local_session.hpp"

#include <caf/all.hpp>

#include "protocol/frame_reader.hpp"

namespace parley::engine {

std::shared_ptr<local_session> local_session::open(caf::actor_system& sys, connection_setup setup,
                                                   options opts, sink out) {
  std::shared_ptr<local_session> s{new local_session(setup, std::move(opts), std::move(out))};
  s->actor_ = spawn_connection(sys, session_link{s->weak_from_this(), nullptr}, std::move(setup));
  return s;
}

local_session::local_session(connection_setup setup, options opts, sink out)
  : id_(setup.info.session_id), opts_(std::move(opts)), out_(std::move(out)) {
}

local_session::~local_session() {
  close();
}

bool local_session::registered() const {
  std::lock_guard lock{mx_};
  return phase_ == phase::registered;
}

bool local_session::closed() const {
  std::lock_guard lock{mx_};
  return phase_ == phase::closed;
}

void local_session::close() {
  std::lock_guard lock{mx_};
  end(wire::ErrorCode::none, {});
}

// -- from the client ---------------------------------------------------------------

bool local_session::send(std::span<const std::uint8_t> frame) {
  std::lock_guard lock{mx_};
  if (phase_ == phase::closed)
    return false;
  if (frame.size() > protocol::prefix_bytes + opts_.max_frame_bytes) {
    end(wire::ErrorCode::frame_too_large,
        "frame of " + std::to_string(frame.size() - protocol::prefix_bytes)
          + " bytes exceeds max_frame_bytes " + std::to_string(opts_.max_frame_bytes));
    return false;
  }
  auto d = protocol::decode(frame);
  if (!d) {
    if (phase_ == phase::unregistered)
      end(d.error, std::string{d.reason} + "; the first frame must be a registration");
    else
      error(0, d.error, d.reason);
    return phase_ != phase::closed;
  }
  auto type = d.envelope->message_type();
  auto ref = d.envelope->ref();
  switch (phase_) {
    case phase::unregistered:
      if (type != wire::Message::Register) {
        end(wire::ErrorCode::not_registered, "the first frame must be a registration");
      } else if (ref == 0) {
        end(wire::ErrorCode::missing_reference, "Register needs a non-zero reference id");
      } else {
        phase_ = phase::registering;
        register_ref_ = ref;
        forward(frame);
      }
      return phase_ != phase::closed;
    case phase::registering:
      error(ref, wire::ErrorCode::not_registered, "registration is still in progress");
      return true;
    default:
      break;
  }
  switch (type) {
    case wire::Message::Ping: {
      auto pong = enc_.pong(ref, d.envelope->message_as_Ping()->payload());
      out_(pong);
      return true;
    }
    case wire::Message::Pong:
      return true;
    case wire::Message::Error:
      if (ref == 0)
        return true;  // the peer reports a problem: nothing to answer
      break;
    case wire::Message::Register:
      error(ref, wire::ErrorCode::already_registered, "this connection is registered");
      return true;
    default:
      break;
  }
  if (ref == 0)
    error(0, wire::ErrorCode::missing_reference, "requests need a non-zero reference id");
  else
    forward(frame);
  return true;
}

void local_session::forward(std::span<const std::uint8_t> frame) {
  caf::anon_send(actor_, request_atom_v, request_frame{frame.begin(), frame.end()});
}

void local_session::error(std::uint64_t ref, wire::ErrorCode code, std::string_view text) {
  out_(enc_.error(ref, code, text));
}

void local_session::end(wire::ErrorCode code, std::string_view text) {
  if (phase_ == phase::closed)
    return;
  if (code != wire::ErrorCode::none)
    error(0, code, text);
  phase_ = phase::closed;
  caf::anon_send(actor_, closed_atom_v);
  actor_ = connection_actor{};
}

// -- link_target: from the connection actor ----------------------------------------

void local_session::link_answer(protocol::frame_bytes frame) {
  std::lock_guard lock{mx_};
  if (phase_ != phase::closed)
    out_(frame);
}

void local_session::link_events(protocol::frame_bytes frames, std::uint64_t) {
  std::lock_guard lock{mx_};
  if (phase_ == phase::registered)
    out_(frames);
}

void local_session::link_admitted(client_info) {
  std::lock_guard lock{mx_};
  if (phase_ != phase::registering)
    return;
  phase_ = phase::registered;
  auto& fbb = enc_.start();
  auto name = fbb.CreateString(opts_.server_name);
  auto version = fbb.CreateString(PARLEY_VERSION);
  // No heartbeats in-process: the interval and timeout are 0.
  out_(enc_.finish(register_ref_, wire::CreateRegistered(fbb, id_, protocol::protocol_version, 0, 0,
                                                         opts_.max_frame_bytes, name, version)));
}

void local_session::link_refused(wire::ErrorCode code, std::string text) {
  std::lock_guard lock{mx_};
  if (phase_ == phase::closed)
    return;
  error(register_ref_, code, text);
  end(wire::ErrorCode::none, {});
}

} // namespace parley::engine
