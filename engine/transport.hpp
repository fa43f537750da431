// transport: the byte stream under a session — plain TCP, or TLS over TCP.
//
// Owned by its session; the listener hands it the accepted socket and, when tls.enabled,
// the engine's TLS context. The session reads and writes through it the same way either
// way; only the TLS handshake (before anything else is read) is extra. Everything runs on
// the session's strand, which is what ssl::stream needs for one read and one write at once.
#pragma once

#include <memory>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>

namespace parley::engine {

class transport {
public:
  using tcp = boost::asio::ip::tcp;
  using tls_stream = boost::asio::ssl::stream<tcp::socket>;

  /// `tls` null: plain TCP.
  transport(tcp::socket socket, boost::asio::ssl::context* tls) : plain_(std::move(socket)) {
    if (tls)
      tls_ = std::make_unique<tls_stream>(std::move(plain_), *tls);
  }

  bool is_tls() const noexcept { return tls_ != nullptr; }

  /// The TCP socket underneath (options, endpoints, shutdown, close, its executor).
  tcp::socket& socket() noexcept { return tls_ ? tls_->next_layer() : plain_; }

  /// TLS only: the server side of the handshake.
  template <class Handler>
  void async_handshake(Handler&& h) {
    tls_->async_handshake(boost::asio::ssl::stream_base::server, std::forward<Handler>(h));
  }

  template <class Buffer, class Handler>
  void async_read_some(const Buffer& b, Handler&& h) {
    if (tls_)
      tls_->async_read_some(b, std::forward<Handler>(h));
    else
      plain_.async_read_some(b, std::forward<Handler>(h));
  }

  /// Writes all of `b`.
  template <class Buffer, class Handler>
  void async_write(const Buffer& b, Handler&& h) {
    if (tls_)
      boost::asio::async_write(*tls_, b, std::forward<Handler>(h));
    else
      boost::asio::async_write(plain_, b, std::forward<Handler>(h));
  }

  /// True for the ways a peer ends a connection: EOF, or TLS closed without close_notify.
  static bool peer_closed(const boost::system::error_code& ec) noexcept {
    return ec == boost::asio::error::eof || ec == boost::asio::ssl::error::stream_truncated;
  }

private:
  tcp::socket plain_;  ///< the socket, unless TLS took it
  std::unique_ptr<tls_stream> tls_;
};

} // namespace parley::engine
