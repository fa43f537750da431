// parleyd: the Parley engine process. Reads the config, starts the engine, serves until
// SIGINT/SIGTERM (a second one exits at once), then stops it gracefully and exits 0.
// When a supervised long-lived actor dies (engine/supervisor.hpp) it stops the same way and
// exits with supervision_exit_code (70), so that systemd restarts it and recovery rebuilds.
// SIGHUP reads the config file again (with the same --set overrides) and applies the
// reloadable keys, all or nothing (engine::reload); SIGUSR1 reopens the log file.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>
#include <utility>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "engine/config.hpp"
#include "engine/engine.hpp"
#include "engine/ha_node.hpp"
#include "engine/logging.hpp"
#include "engine/user_cli.hpp"

namespace {

using namespace parley::engine;

/// Writes the bound ports for supervisors and tests that asked for port 0.
void write_ports_file(const std::string& path, const engine& eng) {
  auto tmp = path + ".tmp";
  {
    std::ofstream out{tmp};
    out << "interaction=" << eng.port(listener_kind::interaction) << "\n"
        << "vq=" << eng.port(listener_kind::vq) << "\n"
        << "stat=" << eng.port(listener_kind::stat) << "\n"
        << "console=" << eng.console_port() << "\n"
        << "metrics=" << eng.metrics_port() << "\n"
        << "http=" << eng.http_port() << "\n";
  }
  std::rename(tmp.c_str(), path.c_str());  // readers never see half a file
}

/// Runs one engine until a signal, the console's shutdown, a supervised actor's death or,
/// on an HA pair's primary (`ha`), the loss of the lease stops it; returns the exit code.
int serve(const config& cfg, const std::string& ports_file, const std::string& config_path,
          const std::vector<std::string>& overrides, ha_node* ha = nullptr) {
  engine eng{cfg};
  if (ha)
    eng.set_ha(ha->status());
  // The console's `shutdown` takes the same path as a signal.
  eng.on_shutdown_request([] { ::kill(::getpid(), SIGTERM); });
  // SIGHUP and the console's `reload` read the same file with the same overrides.
  eng.on_reload_request([config_path, overrides] { return load_config(config_path, overrides); });
  // Registered before anything can tell a supervisor (or a --ports-file reader) we are up:
  // from then on a signal must not take its default action (SIGTERM, SIGHUP: exit) before
  // the handlers below run; asio keeps a signal that comes early for the first wait.
  boost::asio::io_context signals_io;
  boost::asio::signal_set hangup{signals_io, SIGHUP};
  boost::asio::signal_set signals{signals_io, SIGINT, SIGTERM};
  boost::asio::signal_set reopen{signals_io, SIGUSR1};
  // A supervised actor died: stop as for SIGTERM, on the signal thread (the hook runs on an
  // actor thread, which must not wait for the actors to stop).
  std::function<void(std::string)> begin_stop;
  eng.on_fatal_death([&] {
    boost::asio::post(signals_io, [&] { begin_stop("a supervised actor died"); });
  });
  eng.start();
  auto& l = cfg.listen;
  spdlog::info("parleyd {} ({}) config {}", PARLEY_VERSION, cfg.name, cfg.source);
  spdlog::info("listening on {}: interaction {}, virtual queues {}, statistics {}", l.bind,
               eng.port(listener_kind::interaction), eng.port(listener_kind::vq),
               eng.port(listener_kind::stat));
  spdlog::info("admin console on {}:{}, metrics on http://{}:{}/metrics", cfg.console.bind,
               eng.console_port(), cfg.metrics.bind, eng.metrics_port());
  spdlog::info("HTTP API and web UI on {}://{}:{}/", cfg.tls.enabled ? "https" : "http", cfg.http.bind, eng.http_port());
  spdlog::info("threads: {} I/O, {} actor; clock scale {}", cfg.io_threads, actor_thread_count(cfg),
               cfg.clock_scale);
  if (!ports_file.empty())
    write_ports_file(ports_file, eng);
  if (ha)
    ha->serving({cfg.ha.advertise, eng.port(listener_kind::interaction), eng.port(listener_kind::vq),
                 eng.port(listener_kind::stat), eng.http_port()},
                [&](std::string why) {
                  boost::asio::post(signals_io, [&, why] { begin_stop("HA: " + why); });
                });
  // The lease thread must not post to signals_io once it is gone.
  auto unbind = std::unique_ptr<ha_node, void (*)(ha_node*)>{ha, [](ha_node* n) {
                                                                if (n)
                                                                  n->serving_ended();
                                                              }};
  // Under systemd (Type=notify): ready now that every listener is up.
  sd_notifyf(0, "READY=1\nSTATUS=serving on %s, interaction port %u", l.bind.c_str(),
             static_cast<unsigned>(eng.port(listener_kind::interaction)));

  std::thread stopper;
  // SIGUSR1 reopens the log file (after logrotate moved it away).
  std::function<void(const boost::system::error_code&, int)> on_usr1 =
    [&](const boost::system::error_code& ec, int) {
      if (ec)
        return;
      try {
        setup_logging(eng.live().get()->log);  // with the level a reload may have set
        spdlog::info("SIGUSR1: log file reopened");
      } catch (const std::exception& e) {
        std::fprintf(stderr, "parleyd: SIGUSR1: %s\n", e.what());
      }
      reopen.async_wait(on_usr1);
    };
  reopen.async_wait(on_usr1);
  std::function<void(const boost::system::error_code&, int)> on_hup =
    [&](const boost::system::error_code& ec, int) {
      if (ec)
        return;
      eng.reload_from_source("SIGHUP");  // logs what it did
      hangup.async_wait(on_hup);
    };
  hangup.async_wait(on_hup);
  bool stop_begun = false;
  begin_stop = [&](std::string why) {
    if (std::exchange(stop_begun, true))
      return;
    spdlog::info("{}: stopping (a SIGINT or SIGTERM from now on exits at once)", why);
    sd_notify(0, "STOPPING=1");
    reopen.cancel();
    hangup.cancel();
    // Stop on another thread so that a second signal can still be handled here.
    stopper = std::thread([&] {
      eng.stop();
      signals_io.stop();
    });
  };
  std::function<void(const boost::system::error_code&, int)> on_signal =
    [&](const boost::system::error_code& ec, int signo) {
      if (ec)
        return;
      if (stop_begun) {
        spdlog::warn("{} while stopping: exiting at once", strsignal(signo));
        spdlog::shutdown();
        std::_Exit(1);
      }
      begin_stop(strsignal(signo));
      signals.async_wait(on_signal);
    };
  signals.async_wait(on_signal);
  signals_io.run();
  if (stopper.joinable())
    stopper.join();
  if (auto code = eng.exit_code(); code != 0) {
    spdlog::error("exiting with code {}: {}; a restart (systemd: Restart=on-failure) recovers "
                  "the engine from storage",
                  code, eng.failure());
    return code;
  }
  return 0;
}

/// One node of an HA pair (docs/ha.md): the backup until it takes the lease, then an engine
/// under that lease's term until it stops (the lease is released: the other node takes over
/// at once) or loses the lease (it is the backup again).
int serve_pair(const config& cfg, const std::string& ports_file, const std::string& config_path,
               const std::vector<std::string>& overrides) {
  ha_node node{cfg};
  for (;;) {
    auto term = node.serve_standby(ports_file, [&] {
      sd_notifyf(0, "READY=1\nSTATUS=backup of the HA pair (node %s)", cfg.ha.node.c_str());
    });
    if (term == 0) {
      node.release();
      return 0;
    }
    auto c = cfg;
    c.ha.term = term;
    int code = 0;
    try {
      code = serve(c, ports_file, config_path, overrides, &node);
    } catch (const std::exception& e) {
      if (!node.demoted()) {
        node.release();
        throw;
      }
      spdlog::error("ha: the engine of term {} did not start: {}", term, e.what());
    }
    if (!node.demoted()) {
      node.release();
      return code;
    }
  }
}

/// The text after --help's options: ports, signals, where to read more.
const char* help_footer =
  "Ports (the defaults; [listen], [console], [metrics] in the config):\n"
  "  7120   interaction protocol: gateways, agent desktops, routers, reporting\n"
  "  7122   virtual-queue events\n"
  "  2060   statistics\n"
  "  7123   admin console (line protocol; the `parley` client)\n"
  "  13131  HTTP: /metrics (Prometheus), /healthz, /readyz\n"
  "  8080   HTTP API (/api/v1) and the web UI\n"
  "Signals:\n"
  "  SIGINT, SIGTERM  drain and stop gracefully; a second one exits at once\n"
  "  SIGHUP           reload the config file (reloadable keys only, all or nothing)\n"
  "  SIGUSR1          reopen the log file (after logrotate)\n"
  "Docs: docs/configuration.md (every key; --config-keys lists them), docs/console.md,\n"
  "docs/metrics.md, docs/protocol.md, docs/persistence.md, docs/outbound.md, docs/web.md,\n"
  "docs/ha.md (a warm-standby pair: [ha]).\n"
  "Web users: parleyd user --help.";

/// Without --config parleyd reads conf/parley.toml from the current directory. When it is
/// not there, say where it looked and how to point it elsewhere (exit 2).
int no_default_config(const std::string& path) {
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  auto tried = std::filesystem::absolute(path, ec);
  std::cerr << "parleyd: no config file: without --config it reads " << path
            << " from the current directory, and " << tried.string() << " does not exist (in "
            << cwd.string() << ").\n"
            << "Start it with --config FILE (e.g. --config /etc/parley/parley.toml); "
               "conf/parley.toml in Parley's source tree is the embedded default (loopback "
               "only, no database server), and `parleyd --config-keys` lists every key.\n";
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"parleyd: the Parley contact-center interaction engine"};
  app.footer(help_footer);
  std::string config_path = "conf/parley.toml";
  std::string check_path;
  std::string ports_file;
  std::vector<std::string> overrides;
  bool version = false;
  bool keys = false;
  auto* config_option =
    app.add_option("-c,--config", config_path, "TOML config file")->capture_default_str();
  app.add_option("--check-config", check_path, "validate FILE (with --set overrides) and exit");
  app.add_option("--set", overrides, "override one key, e.g. --set listen.interaction_port=0")
    ->type_name("KEY=VALUE")
    ->expected(1)
    ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--ports-file", ports_file,
                 "write the bound ports to FILE once listening (for port 0)");
  app.add_flag("--version", version, "print the version and exit");
  app.add_flag("--config-keys", keys,
               "list every config key with its default, meaning and whether SIGHUP reloads it, "
               "and the keys of [[queues]], [[agent_groups]], [[campaigns]], [[schedule]], "
               "[[sequences]]; exit");
  user_cli users;
  add_user_commands(app, users);
  CLI11_PARSE(app, argc, argv);

  if (version) {
    std::cout << "parleyd " << PARLEY_VERSION << " (protocol "
              << parley::protocol::protocol_version << ")\n";
    return 0;
  }
  if (keys) {
    std::cout << describe_config();
    return 0;
  }
  try {
    if (!check_path.empty()) {
      load_config(check_path, overrides);
      std::cout << check_path << ": ok\n";
      return 0;
    }
    if (config_option->count() == 0 && !std::filesystem::exists(config_path))
      return no_default_config(config_path);
    if (users.user->parsed())
      return run_user_command(load_config(config_path, overrides), users);
    auto cfg = load_config(config_path, overrides);
    setup_logging(cfg.log);
    if (cfg.ha.enabled)
      return serve_pair(cfg, ports_file, config_path, overrides);
    return serve(cfg, ports_file, config_path, overrides);
  } catch (const config_error& e) {
    std::cerr << "parleyd: config error:\n" << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "parleyd: cannot start: " << e.what() << "\n";
    return 1;
  }
}
