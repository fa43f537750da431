// test_env: what integration tests share. An engine in-process on port 0 with short
// timeouts, a raw blocking socket for hostile input, and the paths ctest passes in.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "engine/engine.hpp"
#include "protocol/client/client.hpp"
#include "protocol/codec.hpp"

namespace parley::test {

using namespace std::chrono_literals;

/// PARLEY_SOURCE_DIR / PARLEY_BINARY_DIR as set by ctest.
std::string source_dir();
std::string binary_dir();

/// The whole content of a text file ("" when it cannot be read).
std::string read_text(const std::string& path);

/// A config for tests: every port 0, short timeouts, quiet logs, plus `overrides`.
engine::config test_config(const std::vector<std::string>& overrides = {});

/// A started in-process engine.
std::unique_ptr<engine::engine> start_engine(const std::vector<std::string>& overrides = {});

/// The same with TOML text (e.g. queues and agent groups) under the test overrides.
std::unique_ptr<engine::engine> start_engine_toml(const std::string& toml,
                                                  const std::vector<std::string>& overrides = {});

/// Polls `pred` every few milliseconds until it holds or `limit` passes.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 5s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

/// A blocking TCP connection that speaks raw bytes, for hostile and low-level tests.
class raw_conn {
public:
  explicit raw_conn(std::uint16_t port);
  void send(std::span<const std::uint8_t> bytes);
  void send(const std::vector<std::uint8_t>& bytes) { send(std::span{bytes}); }
  /// The next frame (prefix included, verified), or nullopt when the connection closed (or `limit` passed).
  std::optional<std::vector<std::uint8_t>> read_frame(std::chrono::milliseconds limit = 5s);
  /// True when the engine closed the connection within `limit` (reading and dropping data).
  bool closed_by_peer(std::chrono::milliseconds limit = 5s);
  void shutdown_send();
  /// Registers as `type` and returns the Registered answer's session id (0 on failure).
  std::uint64_t register_as(wire::ClientType type = wire::ClientType::media_gateway,
                            const std::string& credential = "");

private:
  bool fill(std::size_t n, std::chrono::steady_clock::time_point until);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket sock_;
  std::vector<std::uint8_t> buf_;
  bool eof_ = false;
};

/// The envelope in a frame read by raw_conn.
const wire::Envelope& envelope_of(const std::vector<std::uint8_t>& body);

/// The error code of an Error frame, or none.
wire::ErrorCode error_of(const std::vector<std::uint8_t>& body);

/// An HTTP/1.1 request (GET by default) on 127.0.0.1:port: the status and the body.
struct http_reply {
  int status = 0;
  std::string body;
};
http_reply http_get(std::uint16_t port, const std::string& target,
                    const std::string& method = "GET");

/// The value of one series on a /metrics page, e.g. `parley_dials_total` or
/// `parley_errors_total{code="busy"}` (labels as the page prints them); -1 when absent.
double metric_value(const std::string& page, const std::string& series);

/// A client library instance on its own I/O thread, registered (or failing the test).
struct connected_client {
  client::io_thread io;
  std::shared_ptr<client::client> cl;
  connected_client(std::uint16_t port, wire::ClientType type = wire::ClientType::media_gateway,
                   client::options base = {});
  ~connected_client();
};

} // namespace parley::test
