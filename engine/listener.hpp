// listener: accepts TCP connections on one protocol port and turns each into a session.
//
// Owned by the engine; opened before the engine reports ready, closed first when it stops
// (stop accepting, then drain). A connection over limits.max_connections gets one
// too_many_connections error frame and is closed without a session.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "engine/session.hpp"

namespace parley::engine {

class listener {
public:
  using tcp = boost::asio::ip::tcp;

  /// Binds and listens at once; throws std::runtime_error naming the address on failure.
  listener(boost::asio::io_context& io, listener_kind kind, const std::string& address,
           std::uint16_t port, session_env& env, std::atomic<std::uint64_t>& next_session_id);

  void start();
  /// Stops accepting. Thread-safe.
  void close();
  /// Accepts again after close(), on the same address and port; "" or why it cannot (the
  /// port was taken meanwhile). Thread-safe; waits for the I/O thread (admin use only).
  std::string reopen();

  std::uint16_t port() const noexcept { return port_; }
  listener_kind kind() const noexcept { return kind_; }

private:
  void accept();
  void refuse(tcp::socket socket, const std::string& why);
  bool over_address_limit(const tcp::socket& socket) const;

  boost::asio::io_context& io_;
  tcp::acceptor acceptor_;
  listener_kind kind_;
  session_env& env_;
  std::atomic<std::uint64_t>& next_session_id_;
  std::string address_;
  std::uint16_t port_ = 0;
};

} // namespace parley::engine
