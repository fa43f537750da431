#include "engine/web/web_server.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "engine/open_acceptor.hpp"
#include "engine/web/api.hpp"
#include "engine/web/ui.hpp"

namespace parley::engine::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t header_limit = 32 * 1024;
constexpr auto idle_limit = std::chrono::seconds{60};
constexpr const char* session_cookie = "parley_session";

/// The value of cookie `name` in a Cookie header ("" when absent).
std::string cookie_value(beast::string_view header, const std::string& name) {
  std::string h{header};
  std::size_t i = 0;
  while (i < h.size()) {
    while (i < h.size() && (h[i] == ' ' || h[i] == ';'))
      ++i;
    auto eq = h.find('=', i), end = h.find(';', i);
    if (end == std::string::npos)
      end = h.size();
    if (eq != std::string::npos && eq < end && h.compare(i, eq - i, name) == 0)
      return h.substr(eq + 1, end - eq - 1);
    i = end + 1;
  }
  return {};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// application/x-www-form-urlencoded decoding ('+' is a blank); bad escapes stay as typed.
std::string form_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(const std::string& q) {
  std::map<std::string, std::string> out;
  std::size_t i = 0;
  while (i <= q.size() && !q.empty()) {
    auto amp = q.find('&', i);
    if (amp == std::string::npos)
      amp = q.size();
    auto part = q.substr(i, amp - i);
    if (!part.empty()) {
      auto eq = part.find('=');
      out[form_decode(part.substr(0, eq))] = eq == std::string::npos ? "" : form_decode(part.substr(eq + 1));
    }
    i = amp + 1;
    if (amp == q.size())
      break;
  }
  return out;
}

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

/// One connection: plain HTTP (Stream = plain_stream) or HTTPS (tls_stream, [tls]).
template <class Stream>
class http_session : public std::enable_shared_from_this<http_session<Stream>> {
public:
  template <class... TlsContext>
  http_session(tcp::socket s, std::shared_ptr<api> a, std::shared_ptr<std::atomic<std::uint32_t>> open,
               std::atomic<std::uint64_t>* tls_failures, TlsContext&... tls)
    : stream_(std::move(s), tls...), timer_(stream_.get_executor()), api_(std::move(a)), open_(std::move(open)),
      tls_failures_(tls_failures) {
    ++*open_;
    beast::error_code ec;
    auto ep = socket().remote_endpoint(ec);
    address_ = ec ? "?" : ep.address().to_string();
    peer_ = ec ? "?" : address_ + ":" + std::to_string(ep.port());
  }

  ~http_session() { --*open_; }

  /// HTTPS: the handshake first, within the request timeout (a failure is counted in
  /// parley_tls_handshake_failures_total, as on the protocol listeners).
  void start() {
    if constexpr (std::is_same_v<Stream, tls_stream>) {
      arm(api_->cfg().http.request_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        self->timer_.cancel();
        if (ec) {
          self->tls_failures_->fetch_add(1, std::memory_order_relaxed);
          return self->close();
        }
        self->read_header(idle_limit);
      });
    } else {
      read_header(idle_limit);
    }
  }

private:
  /// A deadline for what is being read: past it the read is cancelled and answered 408
  /// (when a request had begun) or the connection closes (idle between requests).
  void arm(std::chrono::steady_clock::duration limit) {
    timer_.expires_after(limit);
    timer_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
      if (ec)
        return;
      if (auto self = weak.lock()) {
        self->timed_out_ = true;
        beast::error_code ignored;
        self->socket().cancel(ignored);
      }
    });
  }

  void read_header(std::chrono::steady_clock::duration limit) {
    parser_.emplace();
    parser_->header_limit(header_limit);
    // The body's limit depends on the route (uploads are larger): on_header sets it, and
    // answers 413 from Content-Length. Beast's default (1 MiB) must not refuse an upload
    // first. (Not boost::none: Boost 1.74 takes any Content-Length for over an empty limit.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    timed_out_ = false;
    arm(limit);
    http::async_read_header(stream_, buf_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_header(ec);
    });
  }

  void on_header(beast::error_code ec) {
    if (ec) {
      // Nothing of a request yet (idle, closed): just close. A request cut short: say why.
      if (ec == http::error::header_limit)
        return finish(431, wire::ErrorCode::limit_exceeded, "request headers over 32 KiB");
      if (ec == http::error::body_limit)
        return finish(413, wire::ErrorCode::limit_exceeded, "the body is over the limit");
      if (timed_out_ && buf_.size() > 0)
        return finish(408, wire::ErrorCode::timeout, "the request did not arrive in time");
      if (ec != http::error::end_of_stream && ec != asio::error::operation_aborted && buf_.size() > 0)
        return finish(400, wire::ErrorCode::invalid_argument, "not an HTTP/1.1 request");
      return close();
    }
    // The whole request (from its first byte) within the request timeout.
    arm(api_->cfg().http.request_timeout);
    auto target = std::string{parser_->get().target()};
    auto limit = api_->body_limit(target.substr(0, target.find('?')));
    if (auto len = parser_->content_length(); len && *len > limit)
      return finish(413, wire::ErrorCode::limit_exceeded,
                    "the body is over " + std::to_string(limit) + " bytes");
    parser_->body_limit(limit);
    http::async_read(stream_, buf_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_body(ec);
    });
  }

  void on_body(beast::error_code ec) {
    if (ec == http::error::body_limit)
      return finish(413, wire::ErrorCode::limit_exceeded, "the body is over the limit");
    if (timed_out_)
      return finish(408, wire::ErrorCode::timeout, "the request did not arrive in time");
    if (ec)
      return close();
    timer_.cancel();
    auto& m = parser_->get();
    keep_alive_ = m.keep_alive();
    version_ = m.version();
    web_request req;
    req.method = m.method();
    auto target = std::string{m.target()};
    auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos)
      req.query = parse_query(target.substr(q + 1));
    req.body = std::move(m.body());
    req.content_type = std::string{m[http::field::content_type]};
    req.creds.session_id = cookie_value(m[http::field::cookie], session_cookie);
    auto authz = std::string{m[http::field::authorization]};
    if (authz.rfind("Bearer ", 0) == 0)
      req.creds.bearer = authz.substr(7);
    req.csrf = std::string{m["X-CSRF-Token"]};
    req.last_event_id = std::string{m["Last-Event-ID"]}.substr(0, 40);
    req.peer = peer_;
    req.address = address_;
    if (req.path.rfind("/api/", 0) != 0 && req.path != "/api")
      return write(ui_page(req, std::string{m[http::field::if_none_match]}));
    // The answer keeps the session alive: nothing else is pending while the API works.
    api_->handle(std::move(req), [self = this->shared_from_this()](web_response r) {
      asio::post(self->stream_.get_executor(),
                 [self, r = std::move(r)]() mutable { self->write(std::move(r)); });
    });
  }

  /// A file of the UI (ui.hpp): revalidated by the browser at every use (ETag, 304), so a
  /// new parleyd's UI shows at the next page load.
  static web_response ui_page(const web_request& req, const std::string& if_none_match) {
    if (req.method != http::verb::get)
      return {405, error_body(wire::ErrorCode::not_allowed, "the UI's pages are read with GET").dump()};
    auto file = ui_lookup(req.path);
    if (!file)
      return {404, error_body(wire::ErrorCode::not_allowed, "no page " + req.path + " (the API is under /api/v1)").dump()};
    web_response r{200, std::move(file->body), file->type, {{"ETag", file->etag}}};
    r.cache = "no-cache";
    if (if_none_match == file->etag) {
      r.status = 304;
      r.body.clear();
    }
    return r;
  }

  /// Answers an error and closes: the request could not be read whole.
  void finish(unsigned status, wire::ErrorCode code, const std::string& why) {
    keep_alive_ = false;
    write({status, error_body(code, why).dump(), "application/json", {}});
  }

  void write(web_response r) {
    if (r.open)
      return stream(std::move(r));
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version_);
    res->set(http::field::server, "parleyd/" PARLEY_VERSION);
    res->set(http::field::content_type, r.type);
    res->set(http::field::cache_control, r.cache);
    res->set("X-Content-Type-Options", "nosniff");
    res->set("X-Frame-Options", "DENY");
    res->set("Referrer-Policy", "no-referrer");
    res->set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
    for (auto& [k, v] : r.headers)
      res->insert(k, v);
    res->keep_alive(keep_alive_);
    res->body() = std::move(r.body);
    res->prepare_payload();
    arm(api_->cfg().http.request_timeout);  // a client that does not read is cut off too
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
      self->timer_.cancel();
      if (ec || !res->keep_alive())
        return self->close();
      self->read_header(idle_limit);
    });
  }

  // -- a stream of Server-Sent Events (GET /api/v1/live) -----------------------------------

  class sink final : public live_sink {
  public:
    explicit sink(std::weak_ptr<http_session<Stream>> s) : session_(std::move(s)) {}
    void push(const std::string& key, std::string text) override {
      if (auto s = session_.lock())
        asio::post(s->stream_.get_executor(), [s, key, text = std::move(text)]() mutable {
          s->queue_event(key, std::move(text));
        });
    }

  private:
    std::weak_ptr<http_session<Stream>> session_;
  };

  /// Headers, then events as the hub sends them, until the client goes (or stops reading
  /// for longer than the request timeout).
  void stream(web_response r) {
    timer_.cancel();
    streaming_ = true;
    out_ = "HTTP/1.1 200 OK\r\nServer: parleyd/" PARLEY_VERSION
           "\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
           "X-Accel-Buffering: no\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
           "retry: 2000\n\n";
    on_close_ = r.open(std::make_shared<sink>(this->weak_from_this()));
    write_out();
    read_stream();
  }

  /// What a client sends on a stream is dropped; a read that fails means it went.
  void read_stream() {
    stream_.async_read_some(asio::buffer(scrap_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec)
        return self->end_stream();
      self->read_stream();
    });
  }

  /// While a write is under way an event waits, and a newer one for the same object
  /// replaces it: a slow client gets the latest values, in the order they first came.
  void queue_event(const std::string& key, std::string text) {
    if (!streaming_)
      return;
    if (auto it = std::find_if(pending_.begin(), pending_.end(), [&](auto& p) { return p.first == key; });
        it != pending_.end())
      it->second = std::move(text);
    else
      pending_.emplace_back(key, std::move(text));
    if (!writing_)
      flush();
  }

  void flush() {
    out_.clear();
    for (auto& p : pending_)
      out_ += p.second;
    pending_.clear();
    if (!out_.empty())
      write_out();
  }

  void write_out() {
    writing_ = true;
    arm(api_->cfg().http.request_timeout);
    asio::async_write(stream_, asio::buffer(out_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->timer_.cancel();
      self->writing_ = false;
      if (ec)
        return self->end_stream();
      self->flush();
    });
  }

  void end_stream() {
    if (!streaming_)
      return;
    streaming_ = false;
    pending_.clear();
    if (on_close_)
      std::exchange(on_close_, nullptr)();
    close();
  }

  void close() {
    timer_.cancel();
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  tcp::socket& socket() { return beast::get_lowest_layer(stream_).socket(); }

  Stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<api> api_;
  std::shared_ptr<std::atomic<std::uint32_t>> open_;
  std::string peer_, address_;
  bool timed_out_ = false;
  bool streaming_ = false, writing_ = false;
  std::string out_;
  std::vector<std::pair<std::string, std::string>> pending_;  ///< key, event text
  std::function<void()> on_close_;
  std::array<char, 512> scrap_{};
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::atomic<std::uint64_t>* tls_failures_;
};

} // namespace

web_server::web_server(asio::io_context& io, console_env env, asio::ssl::context* tls,
                       std::atomic<std::uint64_t>& tls_failures)
  : io_(io), acceptor_(io), api_(std::make_shared<api>(env)), tls_(tls), tls_failures_(tls_failures) {
  port_ = open_acceptor(acceptor_, env.cfg.http.bind, env.cfg.http.port, "the HTTP API");
}

web_server::~web_server() = default;

void web_server::start() {
  asio::post(acceptor_.get_executor(), [this] { accept(); });
}

void web_server::close() {
  api_->stop();
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
}

void web_server::accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open())
      return;
    if (!ec && open_->load() < api_->cfg().http.max_connections) {
      if (tls_)
        std::make_shared<http_session<tls_stream>>(std::move(s), api_, open_, &tls_failures_, *tls_)->start();
      else
        std::make_shared<http_session<plain_stream>>(std::move(s), api_, open_, &tls_failures_)->start();
    }
    accept();  // a connection over the limit goes with `s`: closed
  });
}

} // namespace parley::engine::web
