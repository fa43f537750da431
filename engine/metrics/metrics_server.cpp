#include "engine/metrics/metrics_server.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/open_acceptor.hpp"

namespace parley::engine {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(tcp::socket s, std::shared_ptr<const http_probes> probes)
    : stream_(std::move(s)), probes_(std::move(probes)) {}

  void start() { read(); }

private:
  void read() {
    parser_.emplace();
    parser_->header_limit(8 * 1024);
    parser_->body_limit(8 * 1024);
    stream_.expires_after(std::chrono::seconds{10});
    http::async_read(stream_, buf_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        return;
      }
      self->handle(self->parser_->release());
    });
  }

  void handle(http::request<http::string_body> req) {
    auto keep = req.keep_alive();
    auto version = req.version();
    auto reply = [self = shared_from_this(), keep, version](http::status status, std::string body,
                                                            const char* type) {
      auto res = std::make_shared<http::response<http::string_body>>(status, version);
      res->set(http::field::server, "parleyd/" PARLEY_VERSION);
      res->set(http::field::content_type, type);
      res->keep_alive(keep);
      res->body() = std::move(body);
      res->prepare_payload();
      asio::post(self->stream_.get_executor(), [self, res] {
        http::async_write(self->stream_, *res, [self, res](beast::error_code ec, std::size_t) {
          if (ec || !res->keep_alive()) {
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
            return;
          }
          self->read();
        });
      });
    };
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      reply(http::status::method_not_allowed, "only GET\n", "text/plain");
      return;
    }
    auto target = std::string{req.target()};
    if (auto q = target.find('?'); q != std::string::npos)
      target.resize(q);
    if (target == "/healthz") {
      reply(http::status::ok, "ok\n", "text/plain");
    } else if (target == "/readyz") {
      auto why_not = probes_->not_ready();
      reply(why_not.empty() ? http::status::ok : http::status::service_unavailable,
            why_not.empty() ? "ready\n" : "not ready: " + why_not + "\n", "text/plain");
    } else if (target == "/metrics") {
      probes_->render([reply](std::string text) {
        reply(http::status::ok, std::move(text), "text/plain; version=0.0.4; charset=utf-8");
      });
    } else {
      reply(http::status::not_found, "not found: try /metrics, /healthz or /readyz\n", "text/plain");
    }
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<const http_probes> probes_;
};

} // namespace

metrics_server::metrics_server(asio::io_context& io, const std::string& bind, std::uint16_t port,
                               http_probes probes)
  : io_(io), acceptor_(io), probes_(std::make_shared<const http_probes>(std::move(probes))) {
  port_ = open_acceptor(acceptor_, bind, port, "the metrics endpoint");
}

void metrics_server::start() {
  asio::post(acceptor_.get_executor(), [this] { accept(); });
}

void metrics_server::close() {
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
}

void metrics_server::accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open())
      return;
    if (!ec)
      std::make_shared<http_session>(std::move(s), probes_)->start();
    accept();
  });
}

} // namespace parley::engine
