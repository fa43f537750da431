// sse: live-update (Server-Sent Events) clients for the web scenarios (http, dashboards):
// each opens GET `target` with a bearer token on loopback and hands every event (type,
// data, the time it was read) to its handler, on the pool's one io thread.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace parley::engine {
struct config;
}

namespace parley::bench {

/// A viewer of every tenant ("bench") and an API token for it, written to the engine's
/// database: what the web scenarios authenticate with.
std::string bench_token(const engine::config& cfg);

/// (event type, data line, microseconds on the steady clock when it was read)
using sse_handler = std::function<void(std::string_view type, std::string_view data, std::uint64_t now_us)>;

class sse_stream : public std::enable_shared_from_this<sse_stream> {
public:
  sse_stream(boost::asio::io_context& io, sse_handler on_event);

  /// Connects and sends the request (on the io thread).
  void start(std::uint16_t port, const std::string& target, const std::string& token);
  void stop();

  std::atomic<bool> answered{false};  ///< 200 and its headers read
  std::atomic<std::uint64_t> events{0};
  std::string failure;  ///< the first thing that went wrong ("" while none)

private:
  void fail(std::string why);
  void read();
  void parse(std::uint64_t now);

  boost::asio::ip::tcp::socket sock_;
  sse_handler on_event_;
  std::string req_, buf_;
  std::array<char, 16384> chunk_{};
  bool headers_done_ = false;
  bool stopped_ = false;
};

/// Streams and the io thread they run on; the destructor closes them and joins the thread
/// (also when the scenario throws).
struct sse_pool {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  std::vector<std::shared_ptr<sse_stream>> streams;
  std::thread thread;

  sse_pool();
  ~sse_pool();
  /// Adds a stream and starts it on the io thread.
  std::shared_ptr<sse_stream> open(std::uint16_t port, const std::string& target, const std::string& token,
                                   sse_handler on_event);
  long answered() const;
};

} // namespace parley::bench
