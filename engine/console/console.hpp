// console: the admin console, a line-based text protocol on port 7123 (nc / telnet / parley).
//
// Owned by the engine: opened after the protocol listeners, closed first at stop. Each
// connection is a console_session (Asio, strand) that reads bounded lines and hands each
// command to its own console actor, which asks the domain actors and writes the answer
// back through the session. One command runs at a time per connection; every answer ends
// with an empty line, so scripts can read until a blank line. Errors are one line
// starting with "error: ". A connection's level is a role of engine/access.hpp (granted by a
// token, as in HAProxy's runtime API); state-changing commands are appended to the audit log.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <caf/fwd.hpp>

#include "actors/directory/directory_actor.hpp"
#include "actors/outbound/scheduler_actor.hpp"
#include "actors/runtime/domain.hpp"
#include "engine/access.hpp"
#include "engine/audit.hpp"
#include "engine/config.hpp"
#include "engine/counters.hpp"
#include "engine/ha_status.hpp"
#include "engine/history.hpp"
#include "engine/live_config.hpp"
#include "engine/reload_result.hpp"

namespace parley::engine {


/// What console commands may see and do of the engine. Set up by the engine.
struct console_env {
  const config& cfg;  ///< as started; the console tokens come from `live`
  const live_config& live;
  caf::actor_system& system;
  directory_actor directory;
  domain_ptr domain;
  const counters& stats;
  std::chrono::steady_clock::time_point started;
  std::function<std::size_t()> open_sessions;
  std::function<void()> drain;     ///< stop taking new work (async)
  std::function<bool()> shutdown;  ///< stop the engine gracefully (async); false: not wired
  std::function<bool()> draining;
  std::function<std::string()> undrain;  ///< take new work again: "" or why not
  /// Reads the config file again and applies it (engine::reload); what it did, or
  /// nullopt when the engine has no file (embedded).
  std::function<std::optional<reload_result>()> reload;
  outbound::list_store_actor list_store;  ///< contact lists (invalid: no outbound); exports sync it first
  outbound::scheduler_actor scheduler;    ///< the [[schedule]] runner (invalid: nothing scheduled)
  std::shared_ptr<audit_log> audit;       ///< shared with the HTTP API
  history_actor history;                  ///< historical reporting (invalid: off)
  std::shared_ptr<const ha_status> ha;    ///< the HA pair (null: [ha] enabled = false)
};

class console_server {
public:
  /// Binds at once; throws std::runtime_error naming the address on failure.
  console_server(boost::asio::io_context& io, console_env env);
  ~console_server();
  void start();
  void close();
  std::uint16_t port() const noexcept { return port_; }

private:
  void accept();

  boost::asio::io_context& io_;
  std::mutex sessions_mx_;
  std::vector<std::weak_ptr<class console_session>> sessions_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<console_env> env_;
  std::shared_ptr<audit_log> audit_;
  std::uint16_t port_ = 0;
};

} // namespace parley::engine
