#include "engine/listener.hpp"

#include "engine/open_acceptor.hpp"

#include <future>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace parley::engine {

namespace asio = boost::asio;
using boost::system::error_code;

listener::listener(asio::io_context& io, listener_kind kind, const std::string& address,
                   std::uint16_t port, session_env& env,
                   std::atomic<std::uint64_t>& next_session_id)
  : io_(io), acceptor_(io), kind_(kind), env_(env), next_session_id_(next_session_id),
    address_(address) {
  port_ = open_acceptor(acceptor_, address, port, std::string{"the "} + listener_name(kind) + " listener");
}

void listener::start() {
  asio::post(acceptor_.get_executor(), [this] { accept(); });
}

void listener::close() {
  asio::post(acceptor_.get_executor(), [this] {
    error_code ignored;
    acceptor_.close(ignored);
  });
}

std::string listener::reopen() {
  std::promise<std::string> result;
  asio::post(acceptor_.get_executor(), [this, &result] {
    if (acceptor_.is_open()) {
      result.set_value({});
      return;
    }
    try {
      open_acceptor(acceptor_, address_, port_, std::string{"the "} + listener_name(kind_) + " listener");
      accept();
      result.set_value({});
    } catch (const std::exception& e) {
      error_code ignored;
      acceptor_.close(ignored);
      result.set_value(e.what());
    }
  });
  return result.get_future().get();
}

void listener::accept() {
  // Each connection gets its own strand, so sessions may run on several I/O threads.
  acceptor_.async_accept(asio::make_strand(io_), [this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open())
      return;
    if (ec) {
      // Out of descriptors and the like: log, and keep accepting.
      spdlog::warn("{} listener: accept failed: {}", listener_name(kind_), ec.message());
    } else if (env_.counts.connections_open.load() >= env_.live.get()->limits.max_connections) {
      refuse(std::move(socket), "the engine has reached limits.max_connections");
    } else if (over_address_limit(socket)) {
      refuse(std::move(socket), "too many connections from this address "
                                "(limits.max_connections_per_address)");
    } else {
      auto s = std::make_shared<session>(std::move(socket), kind_, env_, ++next_session_id_);
      s->start();
    }
    accept();
  });
}

bool listener::over_address_limit(const tcp::socket& socket) const {
  auto limit = env_.live.get()->limits.max_connections_per_address;
  if (limit == 0)
    return false;
  error_code ec;
  auto remote = socket.remote_endpoint(ec);
  return !ec && env_.registry.from_address(remote.address().to_string()) >= limit;
}

void listener::refuse(tcp::socket socket, const std::string& why) {
  env_.counts.connections_refused.fetch_add(1, std::memory_order_relaxed);
  env_.counts.errors[static_cast<std::size_t>(wire::ErrorCode::too_many_connections)]++;
  if (env_.tls) {
    // A plain error frame would be garbage to a TLS peer: just close.
    error_code ignored;
    socket.close(ignored);
    return;
  }
  protocol::encoder enc;
  auto frame = std::make_shared<protocol::frame_bytes>(protocol::to_bytes(
    enc.error(0, wire::ErrorCode::too_many_connections, why)));
  auto sock = std::make_shared<tcp::socket>(std::move(socket));
  asio::async_write(*sock, asio::buffer(*frame), [sock, frame](error_code, std::size_t) {
    error_code ignored;
    sock->shutdown(tcp::socket::shutdown_both, ignored);
    sock->close(ignored);
  });
}

} // namespace parley::engine
