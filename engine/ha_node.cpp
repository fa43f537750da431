// ha_node: the lease thread and the backup's side of a warm-standby pair (ha_node.hpp).
#include "engine/ha_node.hpp"

#include <array>
#include <csignal>
#include <list>
#include <optional>
#include <cstdio>
#include <fstream>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "engine/connection_actor.hpp"
#include "engine/session.hpp"
#include "engine/metrics/metrics_server.hpp"
#include "engine/metrics/process_metrics.hpp"
#include "engine/open_acceptor.hpp"
#include "engine/tls.hpp"
#include "engine/transport.hpp"
#include "protocol/codec.hpp"
#include "protocol/frame_reader.hpp"

namespace parley::engine {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using steady = std::chrono::steady_clock;

namespace {

/// How long a peer of the backup has to say what it wants.
constexpr auto standby_timeout = std::chrono::seconds{5};

std::string address_of(const storage::ha_endpoints& at, listener_kind kind) {
  if (at.host.empty())
    return {};
  auto port = kind == listener_kind::interaction ? at.interaction : kind == listener_kind::vq ? at.vq : at.stat;
  auto host = at.host.find(':') != std::string::npos ? "[" + at.host + "]" : at.host;  // IPv6
  return host + ":" + std::to_string(port);
}

/// One connection to a protocol port of the backup: its first frame, verified, is answered
/// — a registration with not_primary and where the primary is — and the connection closes.
class standby_session : public std::enable_shared_from_this<standby_session> {
public:
  standby_session(tcp::socket s, asio::ssl::context* tls, listener_kind kind,
                  std::shared_ptr<const ha_status> status, std::size_t max_frame)
    : stream_(std::move(s), tls), timer_(stream_.socket().get_executor()), kind_(kind),
      status_(std::move(status)), reader_(max_frame, 1024) {}

  void start() {
    timer_.expires_after(standby_timeout);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec)
        self->close();
    });
    if (!stream_.is_tls())
      return read();
    stream_.async_handshake([self = shared_from_this()](error_code ec) {
      if (ec)
        return self->close();
      self->read();
    });
  }

private:
  void read() {
    auto buf = reader_.prepare();
    stream_.async_read_some(asio::buffer(buf.data(), buf.size()),
                            [self = shared_from_this()](error_code ec, std::size_t n) {
                              if (ec)
                                return self->close();
                              self->reader_.commit(n);
                              self->frame();
                            });
  }

  void frame() {
    std::span<const std::uint8_t> f;
    switch (reader_.next(f)) {
      case protocol::frame_status::need_more: return read();
      case protocol::frame_status::too_large:
        return answer(0, wire::ErrorCode::frame_too_large,
                      "frame of " + std::to_string(reader_.announced()) + " bytes is above "
                        + std::to_string(reader_.max_frame()));
      case protocol::frame_status::ok: break;
    }
    auto d = protocol::decode(f);
    if (!d)
      return answer(0, d.error, d.reason);
    auto ref = d.envelope->ref();
    if (d.envelope->message_type() != wire::Message::Register)
      return answer(ref, wire::ErrorCode::not_registered, "the first frame must be a Register");
    auto at = address_of(status_->primary_at(), kind_);
    auto holder = status_->holder();
    answer(ref, wire::ErrorCode::not_primary,
           "node " + status_->node + " is the backup of an HA pair; "
             + (at.empty() || holder == status_->node ? std::string{"no primary serves yet: try again shortly"}
                                                      : "the primary is " + holder + " at " + at),
           holder == status_->node ? std::string{} : at);
  }

  void answer(std::uint64_t ref, wire::ErrorCode code, const std::string& text, const std::string& primary = {}) {
    protocol::encoder enc{256};
    out_ = protocol::to_bytes(enc.error(ref, code, text, primary));
    stream_.async_write(asio::buffer(out_), [self = shared_from_this()](error_code, std::size_t) { self->close(); });
  }

  void close() {
    timer_.cancel();
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  transport stream_;
  asio::steady_timer timer_;
  listener_kind kind_;
  std::shared_ptr<const ha_status> status_;
  protocol::frame_reader reader_;
  protocol::frame_bytes out_;
};

/// One connection to the backup's console: `show ha` answers, anything else says where the
/// primary's console is. Lines are bounded; every answer ends with an empty line, as on the
/// primary's console.
class standby_console : public std::enable_shared_from_this<standby_console> {
public:
  standby_console(tcp::socket s, std::shared_ptr<const ha_status> status)
    : sock_(std::move(s)), timer_(sock_.get_executor()), status_(std::move(status)), in_(4096) {}

  void start() { read(); }

private:
  void read() {
    timer_.expires_after(std::chrono::minutes{5});
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec)
        self->close();
    });
    asio::async_read_until(sock_, in_, '\n', [self = shared_from_this()](error_code ec, std::size_t n) {
      self->timer_.cancel();
      if (ec)
        return self->close();  // closed, or a line over 4 KiB
      std::string line(asio::buffers_begin(self->in_.data()), asio::buffers_begin(self->in_.data()) + n);
      self->in_.consume(n);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' '))
        line.pop_back();
      if (line == "quit" || line == "exit")
        return self->close();
      self->answer(line == "show ha" ? self->status_->describe()
                                     : "error: node " + self->status_->node
                                         + " is the backup of an HA pair and serves no commands but `show ha`; "
                                           "use the primary's console (primary: "
                                         + (self->status_->holder().empty() ? "none yet" : self->status_->holder())
                                         + ")\n");
    });
  }

  void answer(std::string text) {
    out_ = std::move(text) + "\n";
    asio::async_write(sock_, asio::buffer(out_), [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec)
        return self->close();
      self->read();
    });
  }

  void close() {
    timer_.cancel();
    error_code ignored;
    sock_.shutdown(tcp::socket::shutdown_both, ignored);
    sock_.close(ignored);
  }

  tcp::socket sock_;
  asio::steady_timer timer_;
  std::shared_ptr<const ha_status> status_;
  asio::streambuf in_;
  std::string out_;
};

/// The backup's listeners, open while it is the backup (the engine binds the same ports
/// when it becomes the primary).
class standby_server {
public:
  standby_server(asio::io_context& io, const config& cfg, std::shared_ptr<const ha_status> status)
    : io_(io), status_(std::move(status)), max_frame_(cfg.limits.max_frame_bytes) {
    if (cfg.tls.enabled)
      tls_ = make_server_tls(cfg.tls);
    auto& l = cfg.listen;
    for (auto [kind, port] : {std::pair{listener_kind::interaction, l.interaction_port},
                              std::pair{listener_kind::vq, l.vq_port}, std::pair{listener_kind::stat, l.stat_port}}) {
      auto& a = protocol_.emplace_back(kind, tcp::acceptor{io});
      ports_[static_cast<std::size_t>(kind)] =
        open_acceptor(a.second, l.bind, port, std::string{"the backup's "} + listener_name(kind) + " listener");
    }
    console_port_ = open_acceptor(console_, cfg.console.bind, cfg.console.port, "the backup's console");
    metrics_ = std::make_unique<metrics_server>(
      io, cfg.metrics.bind, cfg.metrics.port,
      http_probes{[s = status_]() -> std::string {
                    return "node " + s->node + " is the backup of the HA pair (primary: "
                           + (s->holder().empty() ? std::string{"none"} : s->holder()) + ")";
                  },
                  [s = status_](std::function<void(std::string)> done) {
                    page p;
                    ha_part(p, *s);
                    process_part(p);
                    done(p.text());
                  }});
    for (auto& [kind, a] : protocol_)
      accept(a, kind);
    accept_console();
    metrics_->start();
  }

  std::uint16_t port(listener_kind k) const { return ports_[static_cast<std::size_t>(k)]; }
  std::uint16_t console_port() const { return console_port_; }
  std::uint16_t metrics_port() const { return metrics_->port(); }

private:
  void accept(tcp::acceptor& a, listener_kind kind) {
    a.async_accept([this, &a, kind](error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !a.is_open())
        return;
      if (!ec)
        std::make_shared<standby_session>(std::move(s), tls_.get(), kind, status_, max_frame_)->start();
      accept(a, kind);
    });
  }

  void accept_console() {
    console_.async_accept([this](error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !console_.is_open())
        return;
      if (!ec)
        std::make_shared<standby_console>(std::move(s), status_)->start();
      accept_console();
    });
  }

  asio::io_context& io_;
  std::shared_ptr<const ha_status> status_;
  std::size_t max_frame_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::list<std::pair<listener_kind, tcp::acceptor>> protocol_;
  std::array<std::uint16_t, 3> ports_{};
  tcp::acceptor console_{io_};
  std::uint16_t console_port_ = 0;
  std::unique_ptr<metrics_server> metrics_;
};

} // namespace

ha_node::ha_node(const config& cfg) : cfg_(cfg) {
  status_->node = cfg.ha.node;
  try {
    keeper_ = std::make_unique<storage::lease_keeper>(store_config(cfg_), cfg.ha.node, cfg.ha.lease);
    keeper_->prepare(store_config(cfg_));
    if (auto row = keeper_->read())
      observe(*row);
  } catch (const storage::storage_error& e) {
    throw std::runtime_error(std::string{"HA: "} + e.what());
  }
  spdlog::info("ha: node {} of a warm-standby pair on {} (lease {} ms, renewed every {} ms)", cfg.ha.node,
               "storage.dsn", cfg.ha.lease.count(), cfg.ha.renew.count());
  thread_ = std::thread([this] { run(); });
}

ha_node::~ha_node() {
  {
    std::lock_guard lock{mx_};
    quit_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

storage::ha_endpoints ha_node::configured_endpoints() const {
  auto& l = cfg_.listen;
  return {cfg_.ha.advertise, l.interaction_port, l.vq_port, l.stat_port, cfg_.http.port};
}

void ha_node::observe(const storage::ha_lease_row& row) {
  status_->term = row.term;
  status_->failover_ms = row.since_ms;
  status_->set_primary(row.live ? row.holder : std::string{}, row.live ? row.at : storage::ha_endpoints{},
                       row.previous);
  auto holder = row.live ? row.holder : std::string{};
  if (holder != last_holder_ && holder != cfg_.ha.node)
    spdlog::info("ha: node {} is the backup; {}", cfg_.ha.node,
                 holder.empty() ? std::string{"no primary holds the lease"}
                                : "the primary is " + holder + " (term " + std::to_string(row.term) + ") at "
                                    + address_of(row.at, listener_kind::interaction));
  last_holder_ = holder;
}

void ha_node::run() {
  for (;;) {
    role r;
    bool eligible;
    {
      std::unique_lock lock{mx_};
      cv_.wait_for(lock, cfg_.ha.renew, [this] { return quit_ || kick_; });
      kick_ = false;
      if (quit_)
        return;
      r = role_;
      eligible = eligible_;
    }
    std::lock_guard k{keeper_mx_};
    try {
      if (r == role::primary)
        renew();
      else if (eligible)
        look();
      else if (auto row = keeper_->read())
        observe(*row);
    } catch (const storage::storage_error& e) {
      keeper_->disconnect();
      auto now = steady::now();
      if (now - last_error_log_ > std::chrono::seconds{10}) {
        last_error_log_ = now;
        spdlog::error("ha: node {}: the lease cannot be read or renewed: {}", cfg_.ha.node, e.what());
      }
      if (r == role::primary && now - last_renewed_ >= cfg_.ha.lease * 9 / 10)
        lose("could not renew the lease for " + std::to_string(cfg_.ha.lease.count()) + " ms (" + e.what() + ")");
    }
  }
}

void ha_node::look() {
  auto began = steady::now();
  auto term = keeper_->try_take(configured_endpoints());
  if (term == 0) {
    if (auto row = keeper_->read())
      observe(*row);
    return;
  }
  {
    std::lock_guard lock{mx_};
    role_ = role::primary;
    eligible_ = false;
    demoted_ = false;
    term_ = term;
    last_renewed_ = began;
    promoted_term_ = term;
    if (standby_io_)
      asio::post(*standby_io_, [io = standby_io_] { io->stop(); });
  }
  status_->primary = true;
  status_->promotions.fetch_add(1);
  last_holder_ = cfg_.ha.node;
  std::optional<storage::ha_lease_row> row;
  try {
    row = keeper_->read();  // for show ha; the term is ours either way
    if (row)
      observe(*row);
  } catch (const storage::storage_error&) {
    status_->term = term;
  }
  spdlog::warn("ha: node {} is the primary now (term {}{}); starting the engine", cfg_.ha.node, term,
               row && !row->previous.empty() && row->previous != cfg_.ha.node ? ", took over from " + row->previous
                                                                               : std::string{});
}

void ha_node::renew() {
  auto sent = steady::now();
  storage::ha_endpoints at;
  std::uint64_t term;
  {
    std::lock_guard lock{mx_};
    at = serving_at_.host.empty() ? configured_endpoints() : serving_at_;
    term = term_;
  }
  if (keeper_->renew(term, at)) {
    last_renewed_ = sent;
    return;
  }
  lose("the lease was taken over: term " + std::to_string(term) + " is no longer the primary's");
}

void ha_node::lose(const std::string& why) {
  {
    std::lock_guard lock{mx_};
    if (role_ != role::primary)
      return;
    role_ = role::backup;
    demoted_ = true;
  }
  status_->primary = false;
  status_->demotions.fetch_add(1);
  spdlog::warn("ha: node {} steps down: {}", cfg_.ha.node, why);
  std::lock_guard lock{lost_mx_};
  if (lost_)
    std::exchange(lost_, nullptr)(why);
}

void ha_node::serving(const storage::ha_endpoints& at, std::function<void(std::string)> lost) {
  {
    std::lock_guard lock{mx_};
    serving_at_ = at;
    kick_ = true;  // the lease says where at once
  }
  cv_.notify_all();
  std::lock_guard lock{lost_mx_};
  if (demoted())
    lost("the lease was lost while the engine started");
  else
    lost_ = std::move(lost);
}

void ha_node::serving_ended() {
  std::lock_guard lock{lost_mx_};
  lost_ = nullptr;
}

bool ha_node::demoted() const {
  std::lock_guard lock{mx_};
  return demoted_;
}

void ha_node::release() {
  std::uint64_t term;
  {
    std::lock_guard lock{mx_};
    if (role_ != role::primary)
      return;
    role_ = role::backup;
    term = term_;
  }
  status_->primary = false;
  std::lock_guard k{keeper_mx_};
  try {
    keeper_->release(term);
    spdlog::info("ha: node {} released the lease (term {}): the backup takes over at once", cfg_.ha.node, term);
  } catch (const storage::storage_error& e) {
    spdlog::warn("ha: node {} could not release the lease (the backup takes over when it expires): {}",
                 cfg_.ha.node, e.what());
  }
}

std::uint64_t ha_node::serve_standby(const std::string& ports_file, const std::function<void()>& ready) {
  {
    // Clients that come at once are told where the primary is.
    std::lock_guard k{keeper_mx_};
    try {
      if (auto row = keeper_->read())
        observe(*row);
    } catch (const storage::storage_error&) {
      keeper_->disconnect();  // the lease thread tries again and says why
    }
  }
  asio::io_context io;
  standby_server srv{io, cfg_, status_};
  asio::signal_set stop{io, SIGINT, SIGTERM};
  asio::signal_set ignored{io, SIGHUP, SIGUSR1};
  bool stopped = false;
  stop.async_wait([&](const error_code& ec, int signo) {
    if (ec)
      return;
    spdlog::info("{}: the backup stops", strsignal(signo));
    stopped = true;
    io.stop();
  });
  std::function<void(const error_code&, int)> on_ignored = [&](const error_code& ec, int signo) {
    if (ec)
      return;
    spdlog::info("{}: ignored on the backup (it reads its config when it starts)", strsignal(signo));
    ignored.async_wait(on_ignored);
  };
  ignored.async_wait(on_ignored);
  if (!ports_file.empty()) {
    auto tmp = ports_file + ".tmp";
    {
      std::ofstream out{tmp};
      out << "interaction=" << srv.port(listener_kind::interaction) << "\nvq=" << srv.port(listener_kind::vq)
          << "\nstat=" << srv.port(listener_kind::stat) << "\nconsole=" << srv.console_port()
          << "\nmetrics=" << srv.metrics_port() << "\nhttp=0\n";  // no HTTP API on the backup
    }
    std::rename(tmp.c_str(), ports_file.c_str());
  }
  if (ready)
    ready();
  spdlog::info("ha: node {} serves as the backup on {} (interaction {}, console {}, metrics {})", cfg_.ha.node,
               cfg_.listen.bind, srv.port(listener_kind::interaction), srv.console_port(), srv.metrics_port());
  {
    std::lock_guard lock{mx_};
    promoted_term_ = 0;
    standby_io_ = &io;
    eligible_ = true;
    kick_ = true;
  }
  cv_.notify_all();
  io.run();
  std::lock_guard lock{mx_};
  standby_io_ = nullptr;
  eligible_ = false;
  return stopped ? 0 : promoted_term_;  // stopped: main releases a lease taken meanwhile
}

} // namespace parley::engine
