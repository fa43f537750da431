// web_server: the HTTP surface of parleyd on http.port (Boost.Beast): the API under
// /api/v1 (api.hpp), its OpenAPI document, live updates (live.hpp) and the UI (ui.hpp) —
// docs/web.md. HTTPS only with [tls] (the engine's one TLS context). /metrics, /healthz and
// /readyz stay on the metrics port.
//
// Owned by the engine: opened with the console, closed first at stop. At most
// http.max_connections connections (more are closed at once); each is a Beast session on its
// own strand: headers at most 32 KiB, a JSON body at most
// http.max_body_bytes (413 past it), the whole request within http.request_timeout_ms (408
// past it, then the connection closes), keep-alive with a 60 s idle limit. The session
// hands a parsed request to the API and writes the one answer it gets back; the API runs
// in actors and never blocks an I/O thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "engine/console/console.hpp"

namespace parley::engine::web {

class api;

class web_server {
public:
  /// Binds at once; throws std::runtime_error naming the address on failure. With `tls`
  /// (tls.enabled) every connection is HTTPS; failed handshakes count in `tls_failures`.
  web_server(boost::asio::io_context& io, console_env env, boost::asio::ssl::context* tls,
             std::atomic<std::uint64_t>& tls_failures);
  ~web_server();
  void start();
  void close();
  std::uint16_t port() const noexcept { return port_; }

private:
  void accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<api> api_;
  /// Open connections (each session holds one count); past http.max_connections new ones
  /// are closed at once.
  std::shared_ptr<std::atomic<std::uint32_t>> open_ = std::make_shared<std::atomic<std::uint32_t>>(0);
  std::uint16_t port_ = 0;
  boost::asio::ssl::context* tls_;
  std::atomic<std::uint64_t>& tls_failures_;
};

} // namespace parley::engine::web
