// client: the C++ client library for Parley's wire protocol.
//
// A client owns one TCP connection to one engine port (plain, or TLS when options.tls is
// set: the engine's certificate is verified against tls_ca_file and the host name, and a
// client certificate can be presented for mutual TLS). start() connects, registers
// and keeps the connection alive: it answers the engine's heartbeat pings, pings when
// idle, and reconnects with exponential backoff when the connection drops. Requests get
// an automatic non-zero reference id and exactly one answer: the engine's, or a local
// `disconnected`/`timeout`/`stopped` status. Requests made while not registered wait
// (bounded) until registration. Events (reference id 0) go to the event callback.
//
// Failover (docs/ha.md): with `endpoints` the client goes on to the next engine when a
// connection is lost, and straight to the primary an HA backup names in its not_primary
// answer. Requests kept with keep() — an agent's login, a statistic's open, a reporting
// subscription resuming after the last sequence seen — are sent again after every
// registration, so a client restores what it had on whichever engine it reaches.
//
// Every method is thread-safe; callbacks run on the client's strand, never concurrently.
// Tests, parley-bench and the console client all use this library.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include "protocol/codec.hpp"

namespace parley::client {

/// How a request ended, as seen by the client (the engine's own errors are in the answer).
enum class status {
  ok,            ///< the engine answered (possibly with an Error message)
  disconnected,  ///< the connection dropped before the answer came
  timeout,       ///< no answer within request_timeout
  stopped,       ///< the client was stopped, or too many requests were waiting
};

const char* status_name(status s) noexcept;

/// One answer (or one event): a verified envelope the answer owns.
class answer {
public:
  answer() = default;
  answer(status s, std::string why) : status_(s), why_(std::move(why)) {}
  explicit answer(std::vector<std::uint8_t> frame) : frame_(std::move(frame)) {}

  status transport() const noexcept { return status_; }
  /// The envelope, or nullptr when the transport status is not ok.
  const wire::Envelope* envelope() const noexcept;
  wire::Message type() const noexcept;
  template <class T>
  const T* as() const noexcept {
    auto* env = envelope();
    return env ? env->message_as<T>() : nullptr;
  }
  /// True when the engine answered with anything but an Error.
  bool ok() const noexcept { return status_ == status::ok && type() != wire::Message::Error; }
  /// The engine's error code, or none.
  wire::ErrorCode error_code() const noexcept;
  /// A readable description of what went wrong ("" when ok()).
  std::string error_text() const;

private:
  status status_ = status::ok;
  std::string why_;
  std::vector<std::uint8_t> frame_;
};

enum class state { idle, connecting, registering, registered, backoff, stopped };

const char* state_name(state s) noexcept;

struct options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 7120;
  std::string name = "parley-client";
  wire::ClientType type = wire::ClientType::media_gateway;
  std::string credential;
  std::chrono::milliseconds request_timeout{10'000};
  /// 0: ping as often as the engine's Registered.heartbeat_interval_ms asks.
  std::chrono::milliseconds heartbeat_interval{0};
  bool reconnect = true;
  std::chrono::milliseconds backoff_initial{50};
  std::chrono::milliseconds backoff_max{5'000};
  std::size_t max_frame_bytes = 16 * 1024 * 1024;
  /// Requests waiting for registration beyond this many fail with status::stopped.
  std::size_t max_waiting_requests = 100'000;
  /// Connect with TLS (the engine's tls.enabled). A certificate that does not verify ends
  /// the connection attempt like any other connect failure (see reconnect).
  bool tls = false;
  /// PEM CA certificates the engine's certificate must chain to; empty: the system's.
  std::string tls_ca_file;
  /// The name (or IP address) the engine's certificate must carry; empty: `host`.
  std::string tls_server_name;
  /// A client certificate and its key (PEM), for engines with tls.require_client_cert.
  std::string tls_cert_file;
  std::string tls_key_file;
  /// More engines, "host:port" each ("[v6]:port"), tried in turn after host:port when the
  /// connection is lost: the other node of an HA pair. The backoff grows once per round.
  std::vector<std::string> endpoints;
};

/// "host:port" or "[v6]:port" split; nullopt when it is not that.
std::optional<std::pair<std::string, std::uint16_t>> parse_endpoint(const std::string& text);

class client {
public:
  using answer_fn = std::function<void(answer)>;
  using event_fn = std::function<void(const answer&)>;
  using state_fn = std::function<void(state, const std::string& why)>;
  /// Builds one request with the given reference id and returns the finished frame.
  using build_fn = std::function<std::span<const std::uint8_t>(protocol::encoder&, std::uint64_t)>;

  static std::shared_ptr<client> create(boost::asio::any_io_executor ex, options opts);
  ~client();

  /// Callbacks: set them before start().
  void on_event(event_fn f);
  void on_state(state_fn f);

  void start();
  /// Closes the connection for good; waiting requests end with status::stopped.
  void stop();

  void request(build_fn build, answer_fn done);
  std::future<answer> request(build_fn build);

  /// A standing request: sent now when registered, and again after every registration (a
  /// reconnect, or another engine after a failover), built anew each time — so that it can
  /// resume from what the client saw last. `done` gets each answer (or local status).
  /// Returns the id forget() takes.
  std::uint64_t keep(build_fn build, answer_fn done);
  /// Stops re-sending a standing request (what it did on the engine stays).
  void forget(std::uint64_t id);

  /// "host:port" of the engine of the current (or last) connection attempt.
  std::string endpoint() const;
  std::future<answer> ping(std::uint64_t payload = 0);

  state current_state() const noexcept;
  /// Completed registrations, including the first one.
  std::uint64_t registrations() const noexcept;
  /// The engine's Registered.session_id of the current registration (0 when none).
  std::uint64_t session_id() const noexcept;
  /// Blocks up to `limit` for the client to be registered.
  bool wait_registered(std::chrono::milliseconds limit) const;

private:
  struct impl;
  explicit client(boost::asio::any_io_executor ex, options opts);

  std::shared_ptr<impl> impl_;
};

/// An io_context running on its own thread, for programs that do not run Asio themselves.
class io_thread {
public:
  io_thread();
  ~io_thread();
  boost::asio::io_context& context() noexcept { return io_; }
  boost::asio::any_io_executor executor() { return io_.get_executor(); }

private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

} // namespace parley::client
