#include "protocol/client/client.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include "protocol/frame_reader.hpp"

namespace parley::client {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using boost::system::error_code;

// -- TLS ------------------------------------------------------------------------

namespace {

/// The client's TLS context from its options; throws std::runtime_error naming the file.
std::unique_ptr<ssl::context> make_client_tls(const options& o) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2
                   | ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ctx->set_verify_mode(ssl::verify_peer);
  error_code ec;
  if (o.tls_ca_file.empty())
    ctx->set_default_verify_paths(ec);
  else
    ctx->load_verify_file(o.tls_ca_file, ec);
  if (ec)
    throw std::runtime_error("tls_ca_file \"" + o.tls_ca_file + "\": " + ec.message());
  if (!o.tls_cert_file.empty()) {
    ctx->use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec)
      throw std::runtime_error("tls_cert_file \"" + o.tls_cert_file + "\": " + ec.message());
    ctx->use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
    if (ec)
      throw std::runtime_error("tls_key_file \"" + o.tls_key_file + "\": " + ec.message());
  }
  return ctx;
}

} // namespace

// -- impl: everything below runs on the strand -------------------------------

struct client::impl : std::enable_shared_from_this<impl> {
  struct pending {
    clock_type::time_point deadline;
    answer_fn done;
  };
  struct waiting {
    build_fn build;
    answer_fn done;
    clock_type::time_point deadline;
  };

  struct standing {
    std::uint64_t id;
    build_fn build;
    answer_fn done;
  };
  using endpoint_t = std::pair<std::string, std::uint16_t>;

  impl(asio::any_io_executor ex, options o)
    : strand(asio::make_strand(ex)), opts(std::move(o)), socket(strand), resolver(strand),
      heartbeat(strand), backoff_timer(strand), reader(opts.max_frame_bytes, 4096),
      backoff(opts.backoff_initial) {
    targets.emplace_back(opts.host, opts.port);
    for (auto& e : opts.endpoints) {
      auto t = parse_endpoint(e);
      if (!t)
        throw std::invalid_argument("client endpoint \"" + e + "\" is not host:port");
      if (std::find(targets.begin(), targets.end(), *t) == targets.end())
        targets.push_back(*t);
    }
    current = targets.front();
  }

  asio::strand<asio::any_io_executor> strand;
  options opts;
  tcp::socket socket;
  std::unique_ptr<ssl::context> tls_ctx;                  // opts.tls: made at the first connect
  // Per connection, over `socket`. Shared with its pending operations, which must not
  // outlive it when a lost connection drops it.
  std::shared_ptr<ssl::stream<tcp::socket&>> tls;
  tcp::resolver resolver;
  asio::steady_timer heartbeat;
  asio::steady_timer backoff_timer;
  protocol::frame_reader reader;
  protocol::encoder enc;
  std::vector<std::uint8_t> out_pending, out_writing;
  bool writing = false;
  std::uint64_t next_ref = 1;
  std::uint64_t register_ref = 0;
  std::uint64_t generation = 0;  // bumps per connection attempt; stale handlers check it
  std::map<std::uint64_t, pending> in_flight;  // ordered by ref == ordered by deadline
  std::deque<waiting> queued;
  std::vector<standing> kept;  // keep(): re-sent after every registration, in order
  std::atomic<std::uint64_t> next_kept{1};
  std::vector<endpoint_t> targets;  // host:port, then options.endpoints
  std::size_t target = 0;           // the one tried last
  std::optional<endpoint_t> redirect;  // a backup named the primary: go there next
  endpoint_t current;
  mutable std::mutex current_mx;
  clock_type::time_point last_rx, last_tx;
  std::chrono::milliseconds hb_interval{1000};
  std::chrono::milliseconds backoff;
  event_fn on_event;
  state_fn on_state;
  std::atomic<state> st{state::idle};
  std::atomic<std::uint64_t> registrations{0};
  std::atomic<std::uint64_t> session_id{0};
  mutable std::mutex wait_mx;
  mutable std::condition_variable wait_cv;

  void set_state(state s, const std::string& why) {
    {
      std::lock_guard lock{wait_mx};
      st = s;
    }
    wait_cv.notify_all();
    if (on_state)
      on_state(s, why);
  }

  // -- connection lifecycle ---------------------------------------------------

  void connect() {
    if (st == state::stopped)
      return;
    if (opts.tls && !tls_ctx) {
      try {
        tls_ctx = make_client_tls(opts);
      } catch (const std::exception& e) {
        stop_now(std::string{"tls: "} + e.what());  // a bad file does not get better
        return;
      }
    }
    ++generation;
    {
      std::lock_guard lock{current_mx};
      current = redirect ? *redirect : targets[target];
    }
    redirect.reset();
    set_state(state::connecting, "");
    arm_heartbeat();
    auto self = shared_from_this();
    auto gen = generation;
    resolver.async_resolve(current.first, std::to_string(current.second),
                           [self, gen](error_code ec, tcp::resolver::results_type rs) {
                             if (gen != self->generation)
                               return;
                             if (ec)
                               return self->lost("resolve: " + ec.message());
                             asio::async_connect(self->socket, rs,
                                                 [self, gen](error_code ec, const tcp::endpoint&) {
                                                   if (gen != self->generation)
                                                     return;
                                                   if (ec)
                                                     return self->lost("connect: " + ec.message());
                                                   if (self->opts.tls)
                                                     self->handshake();
                                                   else
                                                     self->connected();
                                                 });
                           });
  }

  void handshake() {
    tls = std::make_shared<ssl::stream<tcp::socket&>>(socket, *tls_ctx);
    auto name = opts.tls_server_name.empty() ? current.first : opts.tls_server_name;
    error_code ec;
    asio::ip::make_address(name, ec);
    if (ec)  // a host name, not an address: send it (SNI)
      SSL_set_tlsext_host_name(tls->native_handle(), name.c_str());
    tls->set_verify_callback(ssl::host_name_verification(name));
    auto self = shared_from_this();
    auto gen = generation;
    tls->async_handshake(ssl::stream_base::client, [self, gen, keep = tls](error_code ec) {
      if (gen != self->generation)
        return;
      if (ec)
        return self->lost("tls handshake: " + ec.message());
      self->connected();
    });
  }

  void connected() {
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    set_state(state::registering, "");
    last_rx = last_tx = clock_type::now();
    register_ref = next_ref++;
    send(enc.register_client(register_ref, opts.name, opts.type, opts.credential));
    read();
  }

  /// The connection is gone: fail what was in flight and retry later (or stop) — the next
  /// endpoint, or at once the primary a backup named.
  void lost(const std::string& why) {
    if (st == state::stopped)
      return;
    ++generation;
    close_socket();
    fail_in_flight(status::disconnected, why);
    if (!opts.reconnect) {
      stop_now(why);
      return;
    }
    set_state(state::backoff, why);
    arm_heartbeat();  // keeps expiring waiting requests while disconnected
    auto wait = backoff;
    if (redirect) {
      wait = std::chrono::milliseconds{0};
    } else {
      target = (target + 1) % targets.size();
      if (target == 0)  // a whole round failed
        backoff = std::min(backoff * 2, opts.backoff_max);
    }
    backoff_timer.expires_after(wait);
    auto self = shared_from_this();
    auto gen = generation;
    backoff_timer.async_wait([self, gen](error_code ec) {
      if (!ec && gen == self->generation)
        self->connect();
    });
  }

  void stop_now(const std::string& why) {
    ++generation;
    close_socket();
    backoff_timer.cancel();
    fail_in_flight(status::stopped, why);
    while (!queued.empty()) {
      auto w = std::move(queued.front());
      queued.pop_front();
      w.done(answer{status::stopped, why});
    }
    set_state(state::stopped, why);
  }

  void close_socket() {
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    tls.reset();  // a TLS stream is good for one connection
    resolver.cancel();
    heartbeat.cancel();
    reader = protocol::frame_reader{opts.max_frame_bytes, 4096};
    out_pending.clear();
    out_writing.clear();
    writing = false;
    session_id = 0;
  }

  void fail_in_flight(status s, const std::string& why) {
    auto flights = std::move(in_flight);
    in_flight.clear();
    for (auto& [ref, p] : flights)
      p.done(answer{s, why});
  }

  // -- reading ----------------------------------------------------------------

  void read() {
    auto self = shared_from_this();
    auto gen = generation;
    auto buf = reader.prepare();
    auto done = [self, gen](error_code ec, std::size_t n) {
      if (gen != self->generation)
        return;
      if (ec)
        return self->lost(ec == asio::error::eof || ec == ssl::error::stream_truncated
                            ? "closed by the engine"
                            : ec.message());
      self->reader.commit(n);
      self->last_rx = clock_type::now();
      if (self->drain_frames())
        self->read();
    };
    if (tls)
      tls->async_read_some(asio::buffer(buf.data(), buf.size()),
                           [keep = tls, done = std::move(done)](error_code ec, std::size_t n) {
                             done(ec, n);
                           });
    else
      socket.async_read_some(asio::buffer(buf.data(), buf.size()), std::move(done));
  }

  /// Handles every complete frame; false when the connection was dropped.
  bool drain_frames() {
    auto gen = generation;
    std::span<const std::uint8_t> frame;
    for (;;) {
      auto fs = reader.next(frame);
      if (fs == protocol::frame_status::need_more)
        return true;
      if (fs == protocol::frame_status::too_large) {
        lost("the engine sent a frame over max_frame_bytes");
        return false;
      }
      auto d = protocol::decode(frame);
      if (!d) {
        lost(std::string{"undecodable frame from the engine: "} + d.reason);
        return false;
      }
      dispatch(d.envelope, frame);
      if (gen != generation)
        return false;
    }
  }

  void dispatch(const wire::Envelope* env, std::span<const std::uint8_t> frame) {
    auto ref = env->ref();
    if (ref == 0) {
      if (env->message_type() == wire::Message::Ping) {
        send(enc.pong(0, env->message_as_Ping()->payload()));
        return;
      }
      if (on_event)
        on_event(answer{{frame.begin(), frame.end()}});
      return;
    }
    if (ref == register_ref) {
      register_ref = 0;
      if (auto* reg = env->message_as_Registered()) {
        registered(*reg);
      } else {
        answer a{{frame.begin(), frame.end()}};
        auto code = a.error_code();
        auto why = "registration refused: " + a.error_text();
        // A wrong credential or version will not get better by retrying.
        if (code == wire::ErrorCode::bad_credential || code == wire::ErrorCode::unsupported_version
            || code == wire::ErrorCode::wrong_client_type) {
          stop_now(why);
          return;
        }
        // An HA backup (docs/ha.md) names the primary: go there now, unless it names this
        // very engine (a stale lease) — then on as after any loss.
        if (code == wire::ErrorCode::not_primary)
          if (auto at = parse_endpoint(protocol::text_of(env->message_as_Error()->primary())); at && *at != current)
            redirect = at;
        lost(why);
      }
      return;
    }
    auto it = in_flight.find(ref);
    if (it == in_flight.end())
      return;  // answer to a request that already timed out
    auto done = std::move(it->second.done);
    in_flight.erase(it);
    done(answer{{frame.begin(), frame.end()}});
  }

  void registered(const wire::Registered& reg) {
    backoff = opts.backoff_initial;
    session_id = reg.session_id();
    hb_interval = opts.heartbeat_interval.count() > 0
                    ? opts.heartbeat_interval
                    : std::chrono::milliseconds{std::max<std::uint32_t>(reg.heartbeat_interval_ms(), 10)};
    ++registrations;
    set_state(state::registered, "");
    arm_heartbeat();
    auto now = clock_type::now();
    // What the client had first (an agent's login before its requests), then what waited.
    for (auto& k : kept)
      send_request(k.build, k.done, now + opts.request_timeout);
    while (!queued.empty() && st == state::registered) {
      auto w = std::move(queued.front());
      queued.pop_front();
      if (w.deadline <= now)
        w.done(answer{status::timeout, "not registered in time"});
      else
        send_request(std::move(w.build), std::move(w.done), w.deadline);
    }
  }

  // -- writing ----------------------------------------------------------------

  void send(std::span<const std::uint8_t> frame) {
    out_pending.insert(out_pending.end(), frame.begin(), frame.end());
    last_tx = clock_type::now();
    flush();
  }

  void flush() {
    if (writing || out_pending.empty())
      return;
    writing = true;
    out_writing.swap(out_pending);
    out_pending.clear();
    auto self = shared_from_this();
    auto gen = generation;
    auto done = [self, gen](error_code ec, std::size_t) {
      if (gen != self->generation)
        return;
      self->writing = false;
      self->out_writing.clear();
      if (ec)
        return self->lost("write: " + ec.message());
      self->flush();
    };
    if (tls)
      asio::async_write(*tls, asio::buffer(out_writing),
                        [keep = tls, done = std::move(done)](error_code ec, std::size_t n) {
                          done(ec, n);
                        });
    else
      asio::async_write(socket, asio::buffer(out_writing), std::move(done));
  }

  void send_request(build_fn build, answer_fn done, clock_type::time_point deadline) {
    auto ref = next_ref++;
    send(build(enc, ref));
    in_flight.emplace(ref, pending{deadline, std::move(done)});
  }

  void request(build_fn build, answer_fn done) {
    auto deadline = clock_type::now() + opts.request_timeout;
    if (st == state::registered) {
      send_request(std::move(build), std::move(done), deadline);
    } else if (st == state::stopped || queued.size() >= opts.max_waiting_requests) {
      done(answer{status::stopped, st == state::stopped ? "client stopped" : "too many waiting requests"});
    } else {
      queued.push_back(waiting{std::move(build), std::move(done), deadline});
      arm_heartbeat();
    }
  }

  // -- heartbeat and timeouts: one timer ---------------------------------------

  void arm_heartbeat() {
    auto tick = std::min<std::chrono::milliseconds>(
      {hb_interval, opts.request_timeout, std::chrono::milliseconds{250}});
    heartbeat.expires_after(tick);
    auto self = shared_from_this();
    auto gen = generation;
    heartbeat.async_wait([self, gen](error_code ec) {
      if (!ec && gen == self->generation)
        self->on_tick();
    });
  }

  void on_tick() {
    auto now = clock_type::now();
    expire(now);
    if (st == state::registered || st == state::registering) {
      if (now - last_rx > 3 * hb_interval + opts.request_timeout / 4) {
        lost("heartbeat: the engine went silent");
        return;
      }
      if (st == state::registered && now - last_tx >= hb_interval)
        request([](protocol::encoder& e, std::uint64_t ref) { return e.ping(ref, 0); },
                [](answer) {});
    }
    if (st != state::stopped)
      arm_heartbeat();
  }

  void expire(clock_type::time_point now) {
    while (!in_flight.empty() && in_flight.begin()->second.deadline <= now) {
      auto done = std::move(in_flight.begin()->second.done);
      in_flight.erase(in_flight.begin());
      done(answer{status::timeout, "no answer within request_timeout"});
    }
    while (!queued.empty() && queued.front().deadline <= now) {
      auto done = std::move(queued.front().done);
      queued.pop_front();
      done(answer{status::timeout, "not registered in time"});
    }
  }
};

// -- client -------------------------------------------------------------------

client::client(asio::any_io_executor ex, options opts)
  : impl_(std::make_shared<impl>(std::move(ex), std::move(opts))) {
}

std::shared_ptr<client> client::create(asio::any_io_executor ex, options opts) {
  return std::shared_ptr<client>(new client(std::move(ex), std::move(opts)));
}

client::~client() {
  stop();
}

void client::on_event(event_fn f) {
  impl_->on_event = std::move(f);
}

void client::on_state(state_fn f) {
  impl_->on_state = std::move(f);
}

void client::start() {
  asio::post(impl_->strand, [i = impl_] {
    if (i->st == state::idle)
      i->connect();
  });
}

void client::stop() {
  asio::post(impl_->strand, [i = impl_] {
    if (i->st != state::stopped)
      i->stop_now("client stopped");
  });
}

void client::request(build_fn build, answer_fn done) {
  asio::post(impl_->strand, [i = impl_, b = std::move(build), d = std::move(done)]() mutable {
    i->request(std::move(b), std::move(d));
  });
}

std::future<answer> client::request(build_fn build) {
  auto p = std::make_shared<std::promise<answer>>();
  auto f = p->get_future();
  request(std::move(build), [p](answer a) { p->set_value(std::move(a)); });
  return f;
}

std::uint64_t client::keep(build_fn build, answer_fn done) {
  auto id = impl_->next_kept++;
  asio::post(impl_->strand, [i = impl_, id, b = std::move(build), d = std::move(done)]() mutable {
    if (i->st == state::stopped) {
      d(answer{status::stopped, "client stopped"});
      return;
    }
    i->kept.push_back({id, b, d});
    if (i->st == state::registered)
      i->send_request(std::move(b), std::move(d), clock_type::now() + i->opts.request_timeout);
  });
  return id;
}

void client::forget(std::uint64_t id) {
  asio::post(impl_->strand, [i = impl_, id] {
    std::erase_if(i->kept, [id](const impl::standing& k) { return k.id == id; });
  });
}

std::string client::endpoint() const {
  std::lock_guard lock{impl_->current_mx};
  auto& [host, port] = impl_->current;
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::future<answer> client::ping(std::uint64_t payload) {
  return request([payload](protocol::encoder& e, std::uint64_t ref) { return e.ping(ref, payload); });
}

state client::current_state() const noexcept {
  return impl_->st.load();
}

std::uint64_t client::registrations() const noexcept {
  return impl_->registrations.load();
}

std::uint64_t client::session_id() const noexcept {
  return impl_->session_id.load();
}

bool client::wait_registered(std::chrono::milliseconds limit) const {
  std::unique_lock lock{impl_->wait_mx};
  return impl_->wait_cv.wait_for(lock, limit, [this] {
    auto s = impl_->st.load();
    return s == state::registered || s == state::stopped;
  }) && impl_->st == state::registered;
}

} // namespace parley::client
