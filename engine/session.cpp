#include "engine/session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "protocol/codec.hpp"

namespace parley::engine {

namespace asio = boost::asio;
using boost::system::error_code;

const char* listener_name(listener_kind k) noexcept {
  switch (k) {
    case listener_kind::interaction: return "interaction";
    case listener_kind::vq: return "vq";
    case listener_kind::stat: return "stat";
  }
  return "?";
}

// -- session_registry ---------------------------------------------------------

void session_registry::add(std::uint64_t id, std::weak_ptr<session> s, const std::string& address) {
  std::lock_guard lock{mx_};
  sessions_.emplace(id, entry{std::move(s), address});
  ++per_address_[address];
}

void session_registry::remove(std::uint64_t id) {
  {
    std::lock_guard lock{mx_};
    if (auto it = sessions_.find(id); it != sessions_.end()) {
      if (auto a = per_address_.find(it->second.address); a != per_address_.end() && --a->second == 0)
        per_address_.erase(a);
      sessions_.erase(it);
    }
  }
  cv_.notify_all();
}

std::size_t session_registry::from_address(const std::string& address) const {
  std::lock_guard lock{mx_};
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

std::vector<std::shared_ptr<session>> session_registry::all() const {
  std::lock_guard lock{mx_};
  std::vector<std::shared_ptr<session>> out;
  for (auto& [id, e] : sessions_)
    if (auto s = e.s.lock())
      out.push_back(std::move(s));
  return out;
}

std::size_t session_registry::size() const {
  std::lock_guard lock{mx_};
  return sessions_.size();
}

bool session_registry::wait_empty(std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock lock{mx_};
  return cv_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

// -- link_target: what the connection actor's session_link calls (any thread) ----

void session::link_answer(protocol::frame_bytes frame) {
  asio::post(stream_.socket().get_executor(),
             [s = shared_from_this(), f = std::move(frame)]() mutable { s->on_answer(std::move(f)); });
}

void session::link_events(protocol::frame_bytes frames, std::uint64_t count) {
  auto n = frames.size();
  backlog_->posted.fetch_add(n, std::memory_order_relaxed);
  asio::post(stream_.socket().get_executor(), [s = shared_from_this(), n, count, f = std::move(frames)] {
    s->backlog_->posted.fetch_sub(n, std::memory_order_relaxed);
    if (s->phase_ == session::phase::registered)
      s->write(f, count);
  });
}

void session::link_admitted(client_info info) {
  asio::post(stream_.socket().get_executor(),
             [s = shared_from_this(), i = std::move(info)] { s->on_admitted(i); });
}

void session::link_refused(wire::ErrorCode code, std::string text) {
  asio::post(stream_.socket().get_executor(), [s = shared_from_this(), code, t = std::move(text)] {
    auto ref = s->register_ref_;
    s->send_error(ref, code, t);
    s->close(wire::ErrorCode::none, {});
  });
}

// -- session --------------------------------------------------------------------

session::session(tcp::socket socket, listener_kind kind, session_env& env, std::uint64_t id)
  : stream_(std::move(socket), env.tls), timer_(stream_.socket().get_executor()), kind_(kind),
    env_(env), live_(env.live), id_(id),
    reader_(live_->limits.max_frame_bytes, 4096) {  // small: most connections idle most of the time
  error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  address_ = ec ? "?" : remote.address().to_string();
  peer_ = ec ? "?" : address_ + ":" + std::to_string(remote.port());
  stream_.socket().set_option(tcp::no_delay(true), ec);
  accepted_at_ = last_rx_ = last_ping_ = steady::now();
  env_.counts.connections_open.fetch_add(1, std::memory_order_relaxed);
  env_.counts.connections_accepted.fetch_add(1, std::memory_order_relaxed);
}

session::~session() {
  if (phase_ != phase::closed)  // never closed (the engine stopped its I/O first)
    env_.counts.connections_open.fetch_sub(1, std::memory_order_relaxed);
}

void session::start() {
  connection_setup setup;
  setup.info.session_id = id_;
  setup.info.peer = peer_;
  setup.info.listener = listener_name(kind_);
  setup.listener = kind_;
  setup.directory = env_.directory;
  setup.domain = env_.domain;
  auto settings = live_.snapshot();
  auto& cfg = *settings;
  setup.request_timeout = cfg.timeouts.request;
  setup.max_stats = cfg.limits.max_stats_per_connection;
  setup.max_output_bytes = cfg.limits.max_output_bytes;
  setup.commit_acks = cfg.storage.durability == durability_mode::commit;
  setup.store = store_config(cfg);
  actor_ = spawn_connection(env_.system, session_link{weak_from_this(), backlog_}, std::move(setup));
  env_.registry.add(id_, weak_from_this(), address_);
  spdlog::debug("session {}: accepted from {} on the {} listener{}", id_, peer_,
                listener_name(kind_), stream_.is_tls() ? " (TLS)" : "");
  // The handshake counts against the registration timeout: a peer that never completes
  // it holds a connection no longer than one that never registers.
  arm_timer(cfg.timeouts.registration);
  if (stream_.is_tls())
    handshake();
  else
    read();
}

void session::drain() {
  asio::post(stream_.socket().get_executor(), [self = shared_from_this()] {
    self->draining_ = true;
    self->maybe_finish_drain();
  });
}

void session::abort() {
  asio::post(stream_.socket().get_executor(), [self = shared_from_this()] {
    if (self->phase_ != phase::closed)
      self->finish_close();
  });
}

// -- reading ----------------------------------------------------------------------

void session::handshake() {
  handshaking_ = true;
  stream_.async_handshake([self = shared_from_this()](error_code ec) {
    if (self->phase_ == phase::closed)
      return;  // the registration timer or a stop closed it first
    self->handshaking_ = false;
    if (ec) {
      self->env_.counts.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
      spdlog::debug("session {} ({}): TLS handshake failed: {}", self->id_, self->peer_,
                    ec.message());
      self->finish_close();
      return;
    }
    self->read();
    self->flush();  // anything queued while the handshake ran
  });
}

void session::read() {
  auto buf = reader_.prepare();
  stream_.async_read_some(asio::buffer(buf.data(), buf.size()),
                          [self = shared_from_this()](error_code ec, std::size_t n) {
                            if (self->phase_ == phase::closed)
                              return;
                            if (ec) {
                              if (self->reader_.buffered() > 0 && transport::peer_closed(ec)) {
                                // The peer stopped sending in the middle of a frame.
                                self->close(wire::ErrorCode::malformed_frame,
                                            "connection closed in the middle of a frame");
                              } else {
                                self->finish_close();
                              }
                              return;
                            }
                            self->reader_.commit(n);
                            self->on_frames();
                            if (self->phase_ != phase::closing && self->phase_ != phase::closed)
                              self->read();
                          });
}

void session::on_frames() {
  in_read_loop_ = true;
  std::span<const std::uint8_t> frame;
  while (phase_ != phase::closing && phase_ != phase::closed) {
    auto st = reader_.next(frame);
    if (st == protocol::frame_status::need_more)
      break;
    if (st == protocol::frame_status::too_large) {
      close(wire::ErrorCode::frame_too_large,
            "frame of " + std::to_string(reader_.announced()) + " bytes exceeds max_frame_bytes "
              + std::to_string(reader_.max_frame()));
      break;
    }
    env_.counts.frames_in.fetch_add(1, std::memory_order_relaxed);
    // Only whole frames count as signs of life: a peer trickling bytes (slowloris) still
    // runs into the heartbeat timeout.
    last_rx_ = steady::now();
    on_frame(frame);
  }
  in_read_loop_ = false;
  flush();  // one write for everything this wake-up produced
}

void session::on_frame(std::span<const std::uint8_t> frame) {
  auto d = protocol::decode(frame);
  if (!d) {
    if (phase_ == phase::unregistered)
      close(d.error, std::string{d.reason} + "; the first frame must be a registration");
    else
      send_error(0, d.error, d.reason);
    return;
  }
  auto& env = *d.envelope;
  auto type = env.message_type();
  auto ref = env.ref();
  if (ref != 0)
    env_.counts.requests[static_cast<std::size_t>(type)].fetch_add(1, std::memory_order_relaxed);
  switch (phase_) {
    case phase::unregistered:
      if (type != wire::Message::Register) {
        close(wire::ErrorCode::not_registered, "the first frame must be a registration");
      } else if (ref == 0) {
        close(wire::ErrorCode::missing_reference, "Register needs a non-zero reference id");
      } else {
        phase_ = phase::registering;
        register_ref_ = ref;
        caf::anon_send(actor_, request_atom_v, request_frame{frame.begin(), frame.end()});
      }
      return;
    case phase::registering:
      send_error(ref, wire::ErrorCode::not_registered, "registration is still in progress");
      return;
    default:
      break;
  }
  if (ref != 0 && type != wire::Message::Ping)
    last_request_ = steady::now();
  // A dialing gateway's call progress is never refused: a lost report leaves a call up.
  if (ref != 0 && type != wire::Message::CallProgress && !take_token()) {
    send_error(ref, wire::ErrorCode::rate_limited,
               "over limits.max_requests_per_second (" + std::to_string(live_->limits.max_requests_per_second)
                 + ")");
    return;
  }
  switch (type) {
    case wire::Message::Ping:
      // ref 0: the peer's heartbeat; otherwise a request. Both get a Pong with the same ref.
      write(enc_.pong(ref, env.message_as_Ping()->payload()));
      return;
    case wire::Message::Pong:
      return;  // an answer to our heartbeat: last_rx_ is already updated
    case wire::Message::Error:
      if (ref == 0) {
        spdlog::debug("session {}: peer reported {}", id_,
                      protocol::error_name(env.message_as_Error()->code()));
        return;
      }
      break;
    case wire::Message::Register:
      send_error(ref, wire::ErrorCode::already_registered, "this connection is registered");
      return;
    default:
      break;
  }
  if (ref == 0) {
    send_error(0, wire::ErrorCode::missing_reference, "requests need a non-zero reference id");
    return;
  }
  if (draining_) {
    send_error(ref, wire::ErrorCode::draining, "the engine is shutting down");
    return;
  }
  forward(env, frame);
}

bool session::take_token() {
  auto rate = live_->limits.max_requests_per_second;
  if (rate == 0)
    return true;
  auto now = steady::now();
  if (refilled_ == steady::time_point{})
    tokens_ = rate;  // a full burst to start with
  else
    tokens_ = std::min<double>(rate, tokens_ + rate * std::chrono::duration<double>(now - refilled_).count());
  refilled_ = now;
  if (tokens_ < 1)
    return false;
  tokens_ -= 1;
  return true;
}

void session::forward(const wire::Envelope&, std::span<const std::uint8_t> frame) {
  ++in_flight_;
  env_.counts.requests_in_flight.fetch_add(1, std::memory_order_relaxed);
  caf::anon_send(actor_, request_atom_v, request_frame{frame.begin(), frame.end()});
}

// -- writing ------------------------------------------------------------------------

void session::write(std::span<const std::uint8_t> frame, std::uint64_t frames) {
  if (phase_ == phase::closed)
    return;
  if (out_pending_.size() + frame.size() > live_->limits.max_output_bytes) {
    spdlog::warn("session {} ({}): peer does not read, {} bytes unsent; closing", id_, peer_,
                 out_pending_.size());
    env_.counts.errors[static_cast<std::size_t>(wire::ErrorCode::output_overflow)]++;
    finish_close();
    return;
  }
  out_pending_.insert(out_pending_.end(), frame.begin(), frame.end());
  backlog_->buffered.store(out_pending_.size() + out_writing_.size(), std::memory_order_relaxed);
  env_.counts.frames_out.fetch_add(frames, std::memory_order_relaxed);
  if (!in_read_loop_)
    flush();
}

void session::flush() {
  if (writing_ || handshaking_ || out_pending_.empty() || phase_ == phase::closed)
    return;
  writing_ = true;
  out_writing_.swap(out_pending_);
  out_pending_.clear();
  stream_.async_write(asio::buffer(out_writing_),
                    [self = shared_from_this()](error_code ec, std::size_t) {
                      self->writing_ = false;
                      self->out_writing_.clear();
                      self->backlog_->buffered.store(self->out_pending_.size(),
                                                     std::memory_order_relaxed);
                      if (self->phase_ == phase::closed)
                        return;
                      if (ec) {
                        self->finish_close();
                        return;
                      }
                      self->flush();
                      if (!self->writing_ && self->phase_ == phase::closing)
                        self->finish_close();
                      else
                        self->maybe_finish_drain();
                    });
}

void session::send_error(std::uint64_t ref, wire::ErrorCode code, const std::string& text) {
  env_.counts.errors[static_cast<std::size_t>(code)].fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("session {} ({}): error {} ref {}: {}", id_, peer_, protocol::error_name(code),
                ref, text);
  write(enc_.error(ref, code, text));
}

// -- from the bridge --------------------------------------------------------------------

void session::on_answer(protocol::frame_bytes frame) {
  // Count the errors actors answered with (we built the frame: no need to verify it).
  if (auto* err = protocol::envelope_of(frame)->message_as_Error())
    env_.counts.errors[static_cast<std::size_t>(err->code())].fetch_add(1, std::memory_order_relaxed);
  if (in_flight_ > 0) {
    --in_flight_;
    env_.counts.requests_in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  write(frame);
  maybe_finish_drain();
}

void session::on_admitted(const client_info& info) {
  if (phase_ != phase::registering)
    return;
  phase_ = phase::registered;
  env_.counts.registrations.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("session {}: {} \"{}\" registered from {} on the {} listener", id_,
               protocol::client_type_name(info.type), info.name, peer_, listener_name(kind_));
  auto& fbb = enc_.start();
  auto settings = live_.snapshot();  // write() below may refresh the view
  auto& cfg = *settings;
  auto name = fbb.CreateString(cfg.name);
  auto version = fbb.CreateString(PARLEY_VERSION);
  write(enc_.finish(register_ref_,
                    wire::CreateRegistered(fbb, id_, protocol::protocol_version,
                                           static_cast<std::uint32_t>(cfg.timeouts.heartbeat_interval.count()),
                                           static_cast<std::uint32_t>(cfg.timeouts.heartbeat_timeout.count()),
                                           static_cast<std::uint32_t>(reader_.max_frame()), name,
                                           version)));
  last_rx_ = last_request_ = steady::now();
  arm_timer(cfg.timeouts.heartbeat_interval / 2);
  maybe_finish_drain();
}

// -- timers and closing -------------------------------------------------------------------

void session::arm_timer(steady::duration after) {
  timer_.expires_after(std::max<steady::duration>(after, std::chrono::milliseconds{5}));
  timer_.async_wait([self = shared_from_this()](error_code ec) {
    if (!ec)
      self->on_timer();
  });
}

void session::on_timer() {
  auto now = steady::now();
  auto settings = live_.snapshot();  // write() below may refresh the view
  auto& t = settings->timeouts;
  switch (phase_) {
    case phase::unregistered:
    case phase::registering:
      if (now - accepted_at_ < t.registration) {
        arm_timer(accepted_at_ + t.registration - now);
      } else if (handshaking_) {
        env_.counts.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
        spdlog::debug("session {} ({}): no TLS handshake within {} ms", id_, peer_,
                      t.registration.count());
        finish_close();
      } else {
        close(wire::ErrorCode::registration_timeout,
              "no registration within " + std::to_string(t.registration.count()) + " ms");
      }
      return;
    case phase::registered: {
      auto silent = now - last_rx_;
      if (silent >= t.heartbeat_timeout) {
        close(wire::ErrorCode::heartbeat_expired,
              "nothing received for " + std::to_string(t.heartbeat_timeout.count()) + " ms");
        return;
      }
      if (t.idle.count() > 0 && now - last_request_ >= t.idle) {
        close(wire::ErrorCode::idle_timeout,
              "no request for " + std::to_string(t.idle.count()) + " ms (timeouts.idle_ms)");
        return;
      }
      if (silent >= t.heartbeat_interval && now - last_ping_ >= t.heartbeat_interval) {
        last_ping_ = now;
        write(enc_.ping(0, 0));
      }
      arm_timer(t.heartbeat_interval / 2);
      return;
    }
    case phase::closing:
      // The peer does not take our last bytes: give up on them.
      finish_close();
      return;
    case phase::closed:
      return;
  }
}

void session::close(wire::ErrorCode code, const std::string& text) {
  if (phase_ == phase::closing || phase_ == phase::closed)
    return;
  if (handshaking_) {  // nothing can be said to a peer before its handshake
    finish_close();
    return;
  }
  if (code != wire::ErrorCode::none) {
    spdlog::info("session {} ({}): closing: {}: {}", id_, peer_, protocol::error_name(code), text);
    send_error(0, code, text);
  }
  phase_ = phase::closing;
  error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_receive, ignored);
  arm_timer(std::chrono::seconds{1});  // linger for the last bytes at most this long
  flush();
  if (!writing_)
    finish_close();
}

void session::finish_close() {
  if (phase_ == phase::closed)
    return;
  phase_ = phase::closed;
  error_code ignored;
  timer_.cancel();
  // TLS: no close_notify; the peer sees the TCP close (after our last bytes, if any).
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  out_pending_.clear();
  env_.counts.requests_in_flight.fetch_sub(in_flight_, std::memory_order_relaxed);
  in_flight_ = 0;
  caf::anon_send(actor_, closed_atom_v);
  actor_ = connection_actor{};
  env_.counts.connections_open.fetch_sub(1, std::memory_order_relaxed);
  env_.registry.remove(id_);
  spdlog::debug("session {}: closed", id_);
}

void session::maybe_finish_drain() {
  if (!draining_ || phase_ == phase::closing || phase_ == phase::closed)
    return;
  if (phase_ == phase::registering || in_flight_ > 0 || writing_ || !out_pending_.empty())
    return;
  close(wire::ErrorCode::draining, "the engine is shutting down");
}

} // namespace parley::engine
