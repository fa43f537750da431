// sse_client: a Server-Sent Events client on a raw socket for the web tests (the live
// stream, GET /api/v1/live): sends the request with a session cookie, then reads events.
#pragma once

#include <chrono>
#include <optional>
#include <sstream>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "support/test_env.hpp"

namespace parley::test::web {

using namespace std::chrono_literals;

/// A Server-Sent Events client on a raw socket: sends the request, then reads events.
struct sse_client {
  struct event {
    std::uint64_t id = 0;
    std::string type;
    nlohmann::json data;
  };
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s{io};
  std::string buf;
  int status = 0;

  sse_client(std::uint16_t port, const std::string& cookie, const std::string& last_id = "",
             const std::string& target = "/api/v1/live") {
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nCookie: parley_session=" + cookie
                      + "\r\n" + (last_id.empty() ? "" : "Last-Event-ID: " + last_id + "\r\n") + "\r\n";
    boost::asio::write(s, boost::asio::buffer(req));
    if (fill_until("\r\n\r\n", 5s)) {
      status = std::stoi(buf.substr(9, 3));
      buf.erase(0, buf.find("\r\n\r\n") + 4);
    }
  }
  bool fill_until(const std::string& mark, std::chrono::milliseconds limit) {
    return eventually([&] {
      boost::system::error_code ec;
      if (s.available(ec) > 0) {
        char tmp[8192];
        buf.append(tmp, s.read_some(boost::asio::buffer(tmp), ec));
      }
      return buf.find(mark) != std::string::npos;
    }, limit);
  }
  /// The next event (comments and the retry line skipped) within `limit`.
  std::optional<event> next(std::chrono::milliseconds limit = 3s) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      if (!fill_until("\n\n", std::max(left, 1ms)))
        return std::nullopt;
      auto end = buf.find("\n\n");
      auto block = buf.substr(0, end);
      buf.erase(0, end + 2);
      event e;
      std::istringstream in{block};
      for (std::string line; std::getline(in, line);) {
        if (line.rfind("id: ", 0) == 0)
          e.id = std::stoull(line.substr(4));
        else if (line.rfind("event: ", 0) == 0)
          e.type = line.substr(7);
        else if (line.rfind("data: ", 0) == 0)
          e.data = nlohmann::json::parse(line.substr(6));
      }
      if (!e.type.empty())
        return e;
    }
    return std::nullopt;
  }
  /// Events until one satisfies `pred` (within `limit`); that one.
  template <class Pred>
  std::optional<event> until(Pred pred, std::chrono::milliseconds limit = 3s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      auto e = next(std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()));
      if (!e)
        return std::nullopt;
      if (pred(*e))
        return e;
    }
    return std::nullopt;
  }
};


} // namespace parley::test::web
