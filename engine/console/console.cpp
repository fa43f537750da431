#include "engine/console/console.hpp"

#include "engine/open_acceptor.hpp"

#include <deque>
#include <fstream>

#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <caf/all.hpp>
#include <date/date.h>
#include <spdlog/spdlog.h>

#include "engine/console/console_actor.hpp"

namespace parley::engine {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

/// Longest accepted command line; a longer one closes the connection.
constexpr std::size_t max_line = 4096;

/// Commands read ahead of the one running; past this the session stops reading until
/// they are answered (TCP flow control holds the rest of a long script).
constexpr std::size_t max_waiting = 64;

} // namespace

// -- console_session: one connection (transport only; the actor decides) ---------------

class console_session : public std::enable_shared_from_this<console_session> {
public:
  console_session(tcp::socket s, std::shared_ptr<console_env> env, std::shared_ptr<audit_log> audit)
    : sock_(std::move(s)), env_(std::move(env)), audit_(std::move(audit)), in_(max_line + 2) {
    error_code ec;
    auto ep = sock_.remote_endpoint(ec);
    peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  /// Closes the connection from any thread (the engine is stopping).
  void abort() {
    asio::post(sock_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

  void start() {
    std::weak_ptr<console_session> weak = shared_from_this();
    auto exec = sock_.get_executor();
    actor_ = spawn_console_actor(
      env_->system, env_, audit_, peer_, [weak, exec](std::string text, bool done, bool close) {
        if (auto s = weak.lock())
          asio::post(exec, [s, t = std::move(text), done, close] { s->output(t, done, close); });
      });
    read();
  }

private:
  void read() {
    asio::async_read_until(sock_, in_, '\n', [self = shared_from_this()](error_code ec, std::size_t n) {
      if (self->closed_)
        return;
      if (ec == asio::error::eof) {
        self->end_of_input();
        return;
      }
      if (ec) {
        if (ec == asio::error::not_found)
          self->write("error: line longer than " + std::to_string(max_line) + " bytes\n\n");
        self->close();
        return;
      }
      std::string line(asio::buffers_begin(self->in_.data()),
                       asio::buffers_begin(self->in_.data()) + static_cast<std::ptrdiff_t>(n));
      self->in_.consume(n);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
        line.pop_back();
      self->on_line(std::move(line));
      if (self->lines_.size() < max_waiting)
        self->read();
      else {
        self->read_paused_ = true;  // a long script: read on once commands are answered
        self->keep_alive_ = self;   // nothing else holds the session meanwhile
      }
    });
  }

  void resume_reading() {
    if (read_paused_ && !closed_ && lines_.size() < max_waiting) {
      read_paused_ = false;
      read();  // the pending read holds the session again
      keep_alive_.reset();
    }
  }

  /// The client half-closed (`printf 'status\n' | nc ...`): a last line without its newline
  /// still runs, every command already read is answered, then the connection closes.
  void end_of_input() {
    input_done_ = true;
    // No read is pending any more to keep this session alive (answers come back through a
    // weak reference): hold itself until close().
    keep_alive_ = shared_from_this();
    if (in_.size() > 0) {
      std::string line(asio::buffers_begin(in_.data()), asio::buffers_end(in_.data()));
      in_.consume(in_.size());
      while (!line.empty() && line.back() == '\r')
        line.pop_back();
      on_line(std::move(line));
    }
    // A trace running now (or queued) goes on until its interaction stops: the client
    // half-closed to watch it, e.g. `echo 'trace interaction 7' | nc HOST 7123`.
    close_when_idle();
  }

  void close_when_idle() {
    if (!input_done_ || busy_ || !lines_.empty() || closed_)
      return;
    closing_ = true;
    if (!writing_)
      close();
  }

  void on_line(std::string line) {
    if (tracing_) {  // any input interrupts a trace
      caf::anon_send(actor_, stop_atom_v);
      tracing_ = false;
      return;
    }
    lines_.push_back(std::move(line));
    run_next();
  }

  void run_next() {
    if (busy_ || lines_.empty() || closing_)
      return;
    busy_ = true;
    auto line = std::move(lines_.front());
    lines_.pop_front();
    if (line.rfind("trace ", 0) == 0)
      tracing_ = true;
    caf::anon_send(actor_, request_atom_v, line);
  }

  void output(const std::string& text, bool done, bool close_after) {
    if (closed_)
      return;
    write(done ? text + "\n" : text);  // an answer ends with an empty line
    if (done) {
      busy_ = false;
      tracing_ = false;
      if (close_after) {
        closing_ = true;
        return;
      }
      run_next();
      resume_reading();
      close_when_idle();
    }
  }

  void write(std::string text) {
    pending_ += text;
    flush();
  }

  void flush() {
    if (writing_ || pending_.empty())
      return;
    writing_ = true;
    writing_buf_.swap(pending_);
    pending_.clear();
    asio::async_write(sock_, asio::buffer(writing_buf_), [self = shared_from_this()](error_code ec, std::size_t) {
      self->writing_ = false;
      self->writing_buf_.clear();
      if (ec) {
        self->close();
        return;
      }
      self->flush();
      if (!self->writing_ && self->closing_)
        self->close();
    });
  }

  void close() {
    if (closed_)
      return;
    closed_ = true;
    error_code ignored;
    sock_.shutdown(tcp::socket::shutdown_both, ignored);
    sock_.close(ignored);
    caf::anon_send(actor_, closed_atom_v);
    keep_alive_.reset();
  }

  tcp::socket sock_;
  std::shared_ptr<console_env> env_;
  std::shared_ptr<audit_log> audit_;
  asio::streambuf in_;
  std::string peer_;
  caf::actor actor_;
  std::deque<std::string> lines_;
  std::string pending_, writing_buf_;
  bool writing_ = false, busy_ = false, tracing_ = false, closing_ = false, closed_ = false;
  bool input_done_ = false;  ///< the client sent end of input; close once all is answered
  bool read_paused_ = false; ///< max_waiting commands are queued
  std::shared_ptr<console_session> keep_alive_;  ///< self while no read is pending
};

// -- console_server ------------------------------------------------------------------------

console_server::console_server(asio::io_context& io, console_env env)
  : io_(io), acceptor_(io), env_(std::make_shared<console_env>(std::move(env))) {
  auto& c = env_->cfg.console;
  if (!env_->audit)
    env_->audit = std::make_shared<audit_log>(audit_file(env_->cfg));
  audit_ = env_->audit;
  port_ = open_acceptor(acceptor_, c.bind, c.port, "the console");
}

console_server::~console_server() = default;

void console_server::start() {
  asio::post(acceptor_.get_executor(), [this] { accept(); });
}

void console_server::close() {
  asio::post(acceptor_.get_executor(), [this] {
    error_code ignored;
    acceptor_.close(ignored);
  });
  // Open console connections end too: their actors must not outlive the engine's stop.
  std::lock_guard lock{sessions_mx_};
  for (auto& w : sessions_)
    if (auto s = w.lock())
      s->abort();
  sessions_.clear();
}

void console_server::accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open())
      return;
    if (!ec) {
      auto session = std::make_shared<console_session>(std::move(s), env_, audit_);
      session->start();
      std::lock_guard lock{sessions_mx_};
      std::erase_if(sessions_, [](auto& w) { return w.expired(); });
      sessions_.push_back(session);
    }
    accept();
  });
}

} // namespace parley::engine
