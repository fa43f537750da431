// parleyd as a process: config checking, the three listeners, the Python client, and a
// graceful SIGTERM under traffic.
#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <map>
#include <sstream>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <boost/asio/write.hpp>

#include "support/child.hpp"
#include "support/parleyd_process.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;

namespace {

std::string parleyd() {
  return parleyd_path();
}

std::string conf(const std::string& name) {
  return source_dir() + "/conf/" + name;
}

std::string write_temp(const std::string& text) {
  auto path = temp_dir() + "/parley.toml";
  std::ofstream{path} << text;
  return path;
}

/// parleyd with the shipped config on free ports.
struct running_parleyd {
  parleyd_process p;
  std::map<std::string, std::uint16_t> ports;
  std::string dir = p.dir();
  child* proc = &p.proc();

  explicit running_parleyd(std::vector<std::string> sets = {})
    : p(conf("parley.toml"), std::move(sets)) {
    for (auto* name : {"interaction", "vq", "stat", "console"})
      ports[name] = p.port(name);
  }

  std::string log() const { return p.log(); }
};

} // namespace

TEST_CASE("parleyd --check-config accepts the shipped configs") {
  auto code_out = run({parleyd(), "--check-config", conf("parley.toml")});
  auto code = code_out.first;
  const auto& out = code_out.second;
  CHECK(code == 0);
  CHECK(out.find("ok") != std::string::npos);
}

TEST_CASE("parleyd --check-config names file, line and key of a bad config") {
  struct bad_case {
    std::string text;
    std::string expect;
  };
  for (auto& c : std::vector<bad_case>{
         {"[listen]\nbind = \"127.0.0.1\"\nwhatever = 1\n", ":3: listen.whatever: unknown key"},
         {"[listen]\ninteraction_port = 70000\n", ":2: listen.interaction_port: 70000 is out of range"},
         {"[limits]\n\nmax_connections = \"many\"\n",
          ":3: limits.max_connections: must be an integer, not string"},
       }) {
    auto path = write_temp(c.text);
    auto code_out = run({parleyd(), "--check-config", path});
    auto code = code_out.first;
    const auto& out = code_out.second;
    CAPTURE(out);
    CHECK(code != 0);
    CHECK(out.find(path + c.expect) != std::string::npos);
    // The same file refuses to start the engine, too.
    auto code2_out2 = run({parleyd(), "--config", path});
    auto code2 = code2_out2.first;
    const auto& out2 = code2_out2.second;
    CHECK(code2 != 0);
    CHECK(out2.find(path + c.expect) != std::string::npos);
  }
  auto code_out = run({parleyd(), "--check-config", conf("parley.toml"), "--set",
                          "listen.stat_port=70000"});
  auto code = code_out.first;
  const auto& out = code_out.second;
  CHECK(code != 0);
  CHECK(out.find("--set listen.stat_port=70000") != std::string::npos);
}

TEST_CASE("parleyd --version and --help; parley --version") {
  auto code_out = run({parleyd(), "--version"});
  auto code = code_out.first;
  const auto& out = code_out.second;
  CHECK(code == 0);
  CHECK(out.find(PARLEY_VERSION) != std::string::npos);
  auto hcode_help = run({parleyd(), "--help"});
  auto hcode = hcode_help.first;
  const auto& help = hcode_help.second;
  CHECK(hcode == 0);
  CAPTURE(help);
  // The options, the ports, the signals and where the docs are.
  for (auto* needle : {"--check-config", "--config-keys", "7120", "7122", "2060", "7123", "13131",
                       "SIGTERM", "second one exits at once", "SIGHUP", "SIGUSR1",
                       "docs/configuration.md", "docs/console.md", "docs/metrics.md"})
    CHECK_MESSAGE(help.find(needle) != std::string::npos, needle);
  auto [pcode, pout] = run({binary_dir() + "/bin/parley", "--version"});
  CHECK(pcode == 0);
  CHECK(pout.find("parley " PARLEY_VERSION " (protocol 1)") != std::string::npos);
}

TEST_CASE("parleyd without --config, away from the source tree, says where it looked") {
  auto dir = temp_dir();
  auto in_dir = [&](const std::string& args) {
    return run({"/bin/sh", "-c", "cd '" + dir + "' && exec '" + parleyd() + "' " + args});
  };
  auto code_out = in_dir("");
  auto code = code_out.first;
  const auto& out = code_out.second;
  CAPTURE(out);
  CHECK(code == 2);
  CHECK(out.find(dir + "/conf/parley.toml does not exist") != std::string::npos);
  CHECK(out.find("--config FILE") != std::string::npos);
  CHECK(out.find("conf/parley.toml in Parley's source tree is the embedded default")
        != std::string::npos);
  // A --config file that is not there is named with its full path too.
  auto code2_out2 = in_dir("--config nope.toml");
  auto code2 = code2_out2.first;
  const auto& out2 = code2_out2.second;
  CAPTURE(out2);
  CHECK(code2 == 2);
  CHECK(out2.find("nope.toml: cannot read the config file (" + dir + "/nope.toml: No such file")
        != std::string::npos);
}

TEST_CASE("--set problems name the --set argument; --config-keys covers the arrays") {
  auto code_out = run({parleyd(), "--check-config", conf("parley.toml"), "--set",
                          "storage.batch_size=abc"});
  auto code = code_out.first;
  const auto& out = code_out.second;
  CAPTURE(out);
  CHECK(code == 2);
  CHECK(out.find("--set storage.batch_size=abc: storage.batch_size: must be an integer, not string")
        != std::string::npos);
  CHECK(out.find("parley.toml") == std::string::npos);
  auto [kcode, keys] = run({parleyd(), "--config-keys"});
  CHECK(kcode == 0);
  for (auto* needle : {"[[queues]]", "[[agent_groups]]", "[[campaigns]]", "[[campaigns.treatments]]",
                       "[[schedule]]", "log.level = \"info\"    # [reload]",
                       "listen.bind = \"127.0.0.1\"    # [restart]", "overflow_to = \"\"",
                       "order = \"schedule\"", "cron = (required)"})
    CHECK_MESSAGE(keys.find(needle) != std::string::npos, needle);
}

TEST_CASE("a refused reload is an error: parley -c reload exits 1, the audit log says why") {
  auto dir = temp_dir();
  auto file = dir + "/parley.toml";
  auto write = [&](const std::string& text) {
    std::ofstream{file + ".tmp"} << text;
    std::rename((file + ".tmp").c_str(), file.c_str());
  };
  write("[limits]\nmax_connections = 100\n");
  parleyd_process p{file};
  auto reload = [&] {
    return run({binary_dir() + "/bin/parley", "-p", std::to_string(p.port("console")), "-c",
                "reload"});
  };
  auto audit = [&] { return read_file(p.dir() + "/var/audit.log"); };

  auto [same, same_out] = reload();
  CHECK(same == 0);  // nothing to apply is not an error
  CHECK(same_out.find("nothing changed") != std::string::npos);

  write("[limits]\nmax_connections = 100\n[engine]\nname = \"renamed\"\n");
  auto code_out = reload();
  auto code = code_out.first;
  const auto& out = code_out.second;
  CAPTURE(out);
  CHECK(code == 1);
  CHECK(out.rfind("error: not applied: engine.name needs a restart; nothing changed\n", 0) == 0);
  CHECK(audit().find("\"command\":\"reload\",\"result\":\"error: not applied: engine.name "
                     "needs a restart; nothing changed\"}")
        != std::string::npos);

  write("[limits]\nmax_connections = \"many\"\n");
  auto [bad, bad_out] = reload();
  CHECK(bad == 1);
  CHECK(bad_out.rfind("error: not applied: config error: ", 0) == 0);

  write("[limits]\nmax_connections = 50\n");
  auto [ok, ok_out] = reload();
  CHECK(ok == 0);
  CHECK(ok_out.find("limits.max_connections 100 -> 50") != std::string::npos);
  CHECK(audit().find("\"command\":\"reload\",\"result\":\"ok\"") != std::string::npos);

  // /metrics counts each outcome.
  auto m = http_get(p.port("metrics"), "/metrics").body;
  CHECK(m.find("parley_config_reloads_total{result=\"applied\"} 1") != std::string::npos);
  CHECK(m.find("parley_config_reloads_total{result=\"unchanged\"} 1") != std::string::npos);
  CHECK(m.find("parley_config_reloads_total{result=\"refused\"} 2") != std::string::npos);
  p.proc().signal(SIGTERM);
  CHECK(p.proc().wait(10s) == 0);
}

TEST_CASE("parleyd serves registrations on 7120, 7122 and 2060, from C++ and Python") {
  running_parleyd p;
  connected_client cpp{p.ports["interaction"], wire::ClientType::agent_desktop};
  CHECK(cpp.cl->ping(5).get().ok());
  connected_client vq{p.ports["vq"], wire::ClientType::router};
  connected_client stat{p.ports["stat"], wire::ClientType::stat_client};

  auto py_dir = binary_dir() + "/protocol/python";
  auto code_out = run({"/usr/bin/env", "PYTHONPATH=" + py_dir, "/usr/bin/python3",
                          source_dir() + "/protocol/python/parley_example.py", "--port",
                          std::to_string(p.ports["interaction"]), "--pings", "3"});
  auto code = code_out.first;
  const auto& out = code_out.second;
  CAPTURE(out);
  CHECK(code == 0);
  CHECK(out.find("registered: session") != std::string::npos);
  CHECK(out.find("pong 4: payload 1002") != std::string::npos);

  p.proc->signal(SIGTERM);
  CHECK(p.proc->wait(10s) == 0);
  CHECK(p.log().find("stopped") != std::string::npos);
}

TEST_CASE("SIGTERM under traffic: every request answered, exit 0") {
  running_parleyd p{{"timeouts.shutdown_ms=3000"}};
  constexpr int clients = 4;
  client::options o;
  o.request_timeout = 2s;
  o.reconnect = false;  // after the engine is gone, requests end as `stopped` at once
  std::vector<std::unique_ptr<connected_client>> cs;
  for (int i = 0; i < clients; ++i)
    cs.push_back(std::make_unique<connected_client>(p.ports["interaction"],
                                                    wire::ClientType::media_gateway, o));
  std::atomic<bool> stop{false};
  // Outcomes: answered by the engine (a pong, or an error frame from the actor path),
  // refused with `draining`, or never delivered (connection gone first).
  std::atomic<std::uint64_t> sent{0}, answered{0}, refused{0}, undelivered{0}, timeouts{0};
  std::vector<std::thread> load;
  for (int i = 0; i < clients; ++i)
    load.emplace_back([&, i] {
      while (!stop) {
        std::vector<std::future<client::answer>> batch;
        for (int k = 0; k < 32; ++k, ++sent) {
          // Alternate: pings are answered by the session, acks travel through the bridge
          // to the connection actor and back (in flight during the drain).
          batch.push_back(k % 2 ? cs[i]->cl->ping()
                                : cs[i]->cl->request([](protocol::encoder& e, std::uint64_t ref) {
                                    return e.ack(ref);
                                  }));
        }
        for (auto& f : batch) {
          auto a = f.get();
          if (a.transport() == client::status::timeout)
            ++timeouts;
          else if (a.transport() != client::status::ok)
            ++undelivered;
          else if (a.error_code() == wire::ErrorCode::draining)
            ++refused;
          else
            ++answered;
        }
      }
    });
  REQUIRE(eventually([&] { return answered > 4000; }, 10s));
  p.proc->signal(SIGTERM);
  auto code = p.proc->wait(10s);
  stop = true;
  for (auto& t : load)
    t.join();
  CAPTURE(p.log());
  CHECK(code == 0);
  CHECK(timeouts.load() == 0);
  CHECK(answered + refused + undelivered == sent.load());  // exactly one outcome each
  MESSAGE("requests: ", sent.load(), " answered: ", answered.load(),
          " refused (draining): ", refused.load(), " undelivered: ", undelivered.load());
}

TEST_CASE("the console's shutdown stops parleyd gracefully") {
  running_parleyd p;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket s{io};
  s.connect({boost::asio::ip::make_address("127.0.0.1"), p.ports["console"]});
  boost::asio::write(s, boost::asio::buffer(std::string{"status\nshutdown\n"}));
  CHECK(p.proc->wait(10s) == 0);
  CAPTURE(p.log());
  CHECK(p.log().find("Terminated: stopping") != std::string::npos);
  CHECK(read_file(p.dir + "/var/audit.log").find("\"command\":\"shutdown\"") != std::string::npos);
}

TEST_CASE("parleyd tells systemd when it is ready and when it stops") {
  auto dir = temp_dir();
  auto path = dir + "/notify";
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  running_parleyd p;
  ::unsetenv("NOTIFY_SOCKET");
  auto receive = [&] {
    pollfd pf{fd, POLLIN, 0};
    if (::poll(&pf, 1, 10'000) <= 0)
      return std::string{};
    char buf[512];
    auto n = ::recv(fd, buf, sizeof(buf), 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string{};
  };
  auto ready = receive();
  CHECK(ready.find("READY=1") != std::string::npos);
  CHECK(ready.find("STATUS=serving on 127.0.0.1") != std::string::npos);
  p.proc->signal(SIGTERM);
  CHECK(receive().find("STOPPING=1") != std::string::npos);
  CHECK(p.proc->wait(10s) == 0);
  ::close(fd);
}

TEST_CASE("SIGUSR1 reopens the log file") {
  auto dir = temp_dir();
  running_parleyd p{{"log.file=" + dir + "/parley.log"}};
  REQUIRE(eventually([&] { return read_file(dir + "/parley.log").find("listening") != std::string::npos; }));
  std::rename((dir + "/parley.log").c_str(), (dir + "/parley.log.1").c_str());
  p.proc->signal(SIGUSR1);
  CHECK(eventually([&] { return read_file(dir + "/parley.log").find("log file reopened") != std::string::npos; }));
  p.proc->signal(SIGTERM);
  CHECK(p.proc->wait(10s) == 0);
}

TEST_CASE("SIGHUP applies safe changes, refuses unsafe ones whole, survives a bad file") {
  auto dir = temp_dir();
  auto file = dir + "/parley.toml";
  auto write = [&](const std::string& text) {
    std::ofstream{file + ".tmp"} << text;
    std::rename((file + ".tmp").c_str(), file.c_str());
  };
  auto hangup_says = [&](parleyd_process& p, const std::string& line) {
    p.proc().signal(SIGHUP);
    return eventually([&] { return p.log().find(line) != std::string::npos; }, 10s);
  };
  write("[limits]\nmax_connections = 100\n");
  parleyd_process p{file};
  auto port = p.port("interaction");
  protocol::encoder enc;
  auto register_error = [&](const std::string& credential) {
    raw_conn c{port};
    c.send(enc.register_client(1, "r", wire::ClientType::router, credential));
    auto f = c.read_frame();
    REQUIRE(f);
    CHECK(c.closed_by_peer());
    return error_of(*f);
  };
  raw_conn anonymous{port};  // before tokens: a router needs none
  REQUIRE(anonymous.register_as(wire::ClientType::router) > 0);

  // Safe: a lower connection limit and a new token, one log line each.
  write("[limits]\nmax_connections = 2\n[auth]\nrouter = \"s3cret\"\n");
  REQUIRE_MESSAGE(hangup_says(p, "SIGHUP: limits.max_connections 100 -> 2"), p.log());
  CHECK(p.log().find("SIGHUP: auth.router (secret) -> (secret)") != std::string::npos);
  CHECK(p.log().find("s3cret") == std::string::npos);
  CHECK(register_error("") == wire::ErrorCode::bad_credential);
  raw_conn member{port};
  REQUIRE(member.register_as(wire::ClientType::router, "s3cret") > 0);
  auto over_limit = [&] {
    raw_conn c{port};  // a third connection
    auto f = c.read_frame();
    return f && error_of(*f) == wire::ErrorCode::too_many_connections;
  };
  CHECK(over_limit());

  // Unsafe (a bind address, the engine's name) next to a safe one: nothing is applied.
  write("[limits]\nmax_connections = 100\n[auth]\nrouter = \"s3cret\"\n"
        "[listen]\nbind = \"127.0.0.2\"\n[engine]\nname = \"renamed\"\n");
  CHECK_MESSAGE(hangup_says(p, "SIGHUP: not applied: engine.name, listen.bind need a restart"),
                p.log());
  CHECK(over_limit());  // still 2

  // A file that does not validate: nothing applied, the engine serves on.
  write("[limits]\nmax_connections = \"many\"\n");
  CHECK_MESSAGE(hangup_says(p, "SIGHUP: not applied: config error:"), p.log());
  CHECK(p.log().find("limits.max_connections: must be an integer") != std::string::npos);
  member.send(enc.ping(5, 42));
  auto pong = member.read_frame();
  REQUIRE(pong);
  CHECK(envelope_of(*pong).message_as_Pong());
  CHECK(over_limit());

  // The console's reload does the same and answers with the lines.
  write("[limits]\nmax_connections = 2\n[auth]\nrouter = \"s3cret\"\n[log]\nlevel = \"warn\"\n");
  auto said = p.console("reload");
  CHECK(said.find("log.level \"info\" -> \"warn\"") != std::string::npos);
  CHECK(p.log().find("console reload: log.level \"info\" -> \"warn\"") != std::string::npos);

  p.proc().signal(SIGTERM);
  CHECK(p.proc().wait(10s) == 0);
}
