// metrics_server: HTTP on port 13131 (Boost.Beast) for Prometheus and probes.
//
//   GET /metrics  Prometheus text format (docs/metrics.md lists every metric)
//   GET /healthz  200 while the process runs
//   GET /readyz   200 when the listeners are up, storage is reachable and the engine is not
//                 draining (and, in an HA pair, this node is the primary), else 503 with the
//                 reason
//
// Owned by the engine: opened with the listeners, closed first at stop; the backup of an HA
// pair serves it too, with its own page and 503 (engine/ha_node.cpp). Each connection
// is a small Beast session (bounded request size, 10 s timeout, keep-alive). /metrics
// reads the engine's atomic counters and /proc/self, and asks the reporting bus, the
// queues and the campaigns through a short-lived actor, never blocking an I/O thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <caf/fwd.hpp>

#include "actors/runtime/domain.hpp"
#include "engine/config.hpp"
#include "engine/counters.hpp"
#include "engine/ha_status.hpp"

namespace parley::engine {

struct metrics_env {
  const config& cfg;  ///< as started (storage backend and durability are shown)
  caf::actor_system& system;
  domain_ptr domain;
  const counters& stats;
  std::function<std::size_t()> open_sessions;
  std::shared_ptr<const ha_status> ha;  ///< null without [ha]
};

/// Renders the metrics page; `done` gets the text (called from an actor thread).
void render_metrics(const std::shared_ptr<metrics_env>& env, std::function<void(std::string)> done);

/// What the server answers with.
struct http_probes {
  std::function<std::string()> not_ready;  ///< /readyz: "" when ready, else why not
  std::function<void(std::function<void(std::string)>)> render;  ///< /metrics: the page, once
};

class metrics_server {
public:
  /// Binds at once; throws std::runtime_error naming the address on failure.
  metrics_server(boost::asio::io_context& io, const std::string& bind, std::uint16_t port, http_probes probes);
  void start();
  void close();
  std::uint16_t port() const noexcept { return port_; }

private:
  void accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<const http_probes> probes_;
  std::uint16_t port_ = 0;
};

} // namespace parley::engine
