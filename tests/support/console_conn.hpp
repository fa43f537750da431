// console_conn: a test's line-based connection to the admin console (7123) over TCP.
#pragma once

#include <poll.h>

#include <chrono>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

namespace parley::test {

using namespace std::chrono_literals;

/// A console connection that sends a line and reads the answer up to its empty line.
class console_conn {
public:
  explicit console_conn(std::uint16_t port) : sock_(io_) {
    sock_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }

  std::string ask(const std::string& line, std::chrono::milliseconds limit = 5s) {
    send(line + "\n");
    return answer(limit);
  }

  void send(const std::string& text) {
    boost::system::error_code ec;
    boost::asio::write(sock_, boost::asio::buffer(text), ec);
  }

  /// Text up to (not including) the next empty line; "" with closed() when the peer closed.
  std::string answer(std::chrono::milliseconds limit = 5s) {
    auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (auto pos = buf_.find("\n\n"); pos != std::string::npos) {
        auto out = buf_.substr(0, pos + 1);
        buf_.erase(0, pos + 2);
        return out;
      }
      if (buf_ == "\n") {  // an empty answer
        buf_.clear();
        return {};
      }
      if (!fill(until))
        return buf_;
    }
  }

  /// Whatever arrives within `limit` (for streamed trace lines).
  std::string some(std::chrono::milliseconds limit) {
    fill(std::chrono::steady_clock::now() + limit);
    return buf_;
  }

  /// Ends this side's input (what `nc -q` and `printf ... | nc` do); answers still arrive.
  void half_close() {
    boost::system::error_code ec;
    sock_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  }

  /// Everything until the peer closes (or `limit` passes: then closed() stays false).
  std::string until_closed(std::chrono::milliseconds limit = 10s) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (fill(until)) {
    }
    auto out = std::move(buf_);
    buf_.clear();
    return out;
  }

  bool closed() const { return eof_; }

private:
  bool fill(std::chrono::steady_clock::time_point until) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0 || eof_)
      return false;
    pollfd p{sock_.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      return false;
    char tmp[65536];
    boost::system::error_code ec;
    auto n = sock_.read_some(boost::asio::buffer(tmp), ec);
    if (ec) {
      eof_ = true;
      return false;
    }
    buf_.append(tmp, n);
    return true;
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket sock_;
  std::string buf_;
  bool eof_ = false;
};

} // namespace parley::test
