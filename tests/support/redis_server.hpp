// redis_server: a redis-server of a test's own on a free loopback port, for tests that stop,
// freeze or restart their Redis (the export and routing over Redis Streams).
#pragma once

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio.hpp>

#include "actors/runtime/redis_link.hpp"
#include "support/child.hpp"
#include "support/storage_env.hpp"
#include "support/test_env.hpp"

namespace parley::test {

/// A redis-server of the test's own, appending every write to its file before it answers
/// (so a stop loses nothing), on a port free when it starts.
class redis_server {
public:
  redis_server() : dir_(temp_dir()) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
    port_ = a.local_endpoint().port();
  }

  /// False when there is no redis-server to run (the case is then skipped, or fails under
  /// the test command).
  bool start() {
    if (!std::filesystem::exists("/usr/bin/redis-server")) {
      service_absent("redis", "redis-server", "PARLEY_TEST_REDIS_PORT");
      return false;
    }
    proc_ = std::make_unique<child>(
      std::vector<std::string>{"/usr/bin/redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                               "--dir", dir_, "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                               "--daemonize", "no"},
      dir_ + "/redis.log");
    return eventually(
      [&] {
        try {
          return runtime::redis_link{"127.0.0.1", port_}.command({"PING"}).str == "PONG";
        } catch (const runtime::redis_error&) {
          return false;
        }
      },
      10s);
  }

  /// SIGSTOP / SIGCONT: connections stay open and nothing answers.
  void freeze() { proc_->signal(SIGSTOP); }
  void thaw() { proc_->signal(SIGCONT); }

  void stop() {
    proc_->signal(SIGTERM);
    REQUIRE(proc_->wait(10s));
    proc_.reset();
  }

  std::uint16_t port() const { return port_; }

private:
  std::string dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<child> proc_;
};

} // namespace parley::test
