// Browser tests of the web UI (issue 16): the real parleyd (the binary users run) with
// users in its database, and Debian's chromium driven by playwright-core from a Node script
// in tests/browser/ (one per case). The script drives the browser; this driver owns the
// engine: the script asks it, one line on its stdout each ("@@ submit acme sales"), to
// submit an interaction over 7120, log an agent in, or restart parleyd on the same HTTP
// port, and waits for "ok" (or "error ...") on its stdin. Everything else the script prints
// is its log. The case passes when the script exits 0.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>

#include "engine/web/users.hpp"
#include "outbound_support.hpp"
#include "support/parleyd_process.hpp"
#include "support/test_env.hpp"
#include "web_support.hpp"

using namespace parley;
using namespace parley::test;
using parley::test::campaigns::auto_agent;

namespace {

constexpr const char* center = R"(
[[queues]]
name = "sales"
tenant = "acme"
service_level_s = 20
[[queues]]
name = "support"
tenant = "acme"
[[queues]]
name = "claims"
tenant = "globex"
[[agent_groups]]
name = "acme"
tenant = "acme"
members = ["a*"]
capacity = { voice = 1 }
[[agent_groups]]
name = "globex"
tenant = "globex"
members = ["g*"]
capacity = { voice = 1 }
[[campaigns]]
name = "spring"
lists = ["spring"]
mode = "progressive"
queue = "sales"
window = "00:00-24:00"
[[campaigns]]
name = "renewals"
lists = ["renewals"]
mode = "preview"
queue = "claims"
window = "00:00-24:00"
[pulse]
history_sample_s = 1
)";

/// A free loopback port now (the HTTP port must survive a restart of parleyd, so it cannot
/// be 0).
std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  return a.local_endpoint().port();
}

/// parleyd on a data directory with the browser tests' users and lists, restartable.
class engine_under_test {
public:
  engine_under_test() : dir_(temp_dir()), http_(free_port()) {
    config_ = dir_ + "/parley.toml";
    std::ofstream{config_} << center;
    auto cfg = test_config({"engine.data_dir=" + dir_ + "/var"});
    auto store = storage::open_store(engine::store_config(cfg));
    store->migrate();
    auto now = engine::web::now_ms();
    for (auto [name, role, tenants] : {std::tuple{"admin", "admin", "*"}, {"sup", "supervisor", "acme"},
                                       {"view", "viewer", "acme"}, {"oper", "operator", "*"}})
      REQUIRE(engine::web::add_user(store->users(), {name, web::pw, std::string{role}, std::string{tenants}}, now).empty());
    // A wallboard account (docs/pulse.md): a viewer whose session does not expire.
    REQUIRE(engine::web::add_user(store->users(), {"wall", web::pw, std::string{"viewer"}, std::string{"acme"}, true}, now)
              .empty());
    store->outbound().create_list("spring", now);
    store->outbound().create_list("renewals", now);
    start();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(http_); }
  std::uint16_t port(const std::string& name) const { return proc_->port(name); }

  void restart() {
    agents_.clear();
    gateway_.reset();
    proc_->proc().signal(SIGTERM);
    REQUIRE_MESSAGE(proc_->proc().wait(std::chrono::seconds{20}).value_or(-1) == 0, proc_->log());
    start();
  }

  std::string submit(const std::string& tenant, const std::string& queue) {
    if (!gateway_)
      gateway_ = std::make_unique<connected_client>(port("interaction"));
    return web::submit_to(*gateway_->cl, tenant, queue).ok() ? "ok" : "error the submit was refused";
  }

  /// An agent desktop (logged in on first use) that accepts every call, made ready or not.
  std::string agent(const std::string& id, const std::string& state) {
    auto& a = agents_[id];
    if (!a)
      a = std::make_unique<auto_agent>(port("interaction"), id);
    if (state == "ready")
      a->ready();
    else if (state == "not_ready")
      a->not_ready();
    else if (state == "logout")
      agents_.erase(id);  // its connection closes: the agent logs out
    else
      return "error agent STATE is ready, not_ready or logout";
    return "ok";
  }

  std::string log() const { return proc_->log(); }

private:
  void start() {
    // The sets after the harness's own port-0 sets: the HTTP port stays the same.
    proc_ = std::make_unique<parleyd_process>(config_, std::vector<std::string>{"http.port=" + std::to_string(http_)},
                                              dir_);
  }

  std::string dir_, config_;
  std::uint16_t http_;
  std::unique_ptr<parleyd_process> proc_;
  std::unique_ptr<connected_client> gateway_;
  std::map<std::string, std::unique_ptr<auto_agent>> agents_;
};

/// `node tests/browser/<script> <url>` with its stdin and stdout connected to us.
class node_script {
public:
  node_script(const std::string& script, const std::string& url, const std::string& log_file) {
    int in[2], out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    auto path = source_dir() + "/tests/browser/" + script;
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      if (int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644); fd >= 0)
        ::dup2(fd, 2);
      for (int fd : {in[0], in[1], out[0], out[1]})
        ::close(fd);
      ::execl("/usr/bin/node", "node", path.c_str(), url.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    to_ = in[1];
    from_ = out[0];
  }

  ~node_script() {
    ::close(to_);
    ::close(from_);
    if (!exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  /// True once its stdout ended.
  bool ended() const { return eof_; }

  /// The next line it prints, or nothing at its end or after `limit`.
  std::optional<std::string> line(std::chrono::milliseconds limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        auto l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return l;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return std::nullopt;
      pollfd p{from_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        continue;
      char chunk[4096];
      auto n = ::read(from_, chunk, sizeof chunk);
      if (n <= 0) {
        eof_ = true;
        return std::nullopt;
      }
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  void answer(const std::string& text) {
    auto t = text + "\n";
    REQUIRE(::write(to_, t.data(), t.size()) == static_cast<ssize_t>(t.size()));
  }

  int exit_code() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

private:
  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  bool exited_ = false;
  bool eof_ = false;
  std::string buf_;
};

/// Runs one script against a fresh engine and answers its requests; the script's exit code.
void run_script(const std::string& script) {
  auto modules = source_dir() + "/tests/browser/node_modules/playwright-core";
  REQUIRE_MESSAGE(std::filesystem::exists(modules),
                  "playwright-core is not installed: `npm ci --prefix tests/browser` (scripts/install-deps.sh does it)");
  engine_under_test eng;
  auto log_file = temp_dir() + "/node.log";
  node_script node{script, eng.url(), log_file};
  std::string transcript;
  auto limit = std::chrono::steady_clock::now() + std::chrono::minutes{3};
  // `load RATE SECONDS`: submits to acme/sales at RATE per second, between the script's
  // requests, until SECONDS have passed (answered at once).
  using clock = std::chrono::steady_clock;
  clock::time_point load_next{}, load_end{};
  std::chrono::microseconds load_every{0};
  std::size_t load_sent = 0;
  while (!node.ended() && clock::now() < limit) {
    for (auto now = clock::now(); load_every.count() > 0 && load_next <= now && load_next < load_end;
         load_next += load_every) {
      eng.submit("acme", "sales");
      ++load_sent;
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(limit - clock::now());
    if (load_every.count() > 0 && load_next < load_end)
      wait = std::min(wait, std::chrono::milliseconds{10});
    auto l = node.line(wait);
    if (!l)
      continue;
    if (l->rfind("@@ ", 0) != 0) {
      transcript += *l + "\n";
      continue;
    }
    std::istringstream words{l->substr(3)};
    std::string verb, a, b;
    words >> verb >> a >> b;
    std::string reply;
    if (verb == "submit")
      reply = eng.submit(a, b);
    else if (verb == "agent")
      reply = eng.agent(a, b);
    else if (verb == "restart") {
      eng.restart();
      reply = "ok";
    } else if (verb == "load") {
      auto rate = std::atoi(a.c_str()), seconds = std::atoi(b.c_str());
      if (rate < 1 || rate > 1000 || seconds < 1 || seconds > 120) {
        reply = "error load RATE (1..1000 per second) SECONDS (1..120)";
      } else {
        load_every = std::chrono::microseconds{1'000'000 / rate};
        load_next = clock::now();
        load_end = load_next + std::chrono::seconds{seconds};
        reply = "ok";
      }
    } else
      reply = "error unknown request " + verb;
    transcript += *l + " -> " + reply + "\n";
    node.answer(reply);
  }
  auto code = node.exit_code();
  auto errors = read_file(log_file);
  auto log = eng.log();
  INFO("script output:\n" << transcript << "\nstderr:\n" << errors << "\nparleyd log (tail):\n"
                           << log.substr(log.size() > 4000 ? log.size() - 4000 : 0));
  CHECK(code == 0);
  if (load_sent)
    transcript += "(load: " + std::to_string(load_sent) + " submits)\n";
  std::cout << transcript;
}

} // namespace

TEST_CASE("browser login.mjs: log in, a wrong password, log out, a page asks for a login") {
  run_script("login.mjs");
}

TEST_CASE("browser queue_live.mjs: a queue's waiting count follows a submit over 7120 within a second") {
  run_script("queue_live.mjs");
}

TEST_CASE("browser upload.mjs: a 100,000-row upload reaches 100 % and links its rejects") {
  run_script("upload.mjs");
}

TEST_CASE("browser campaign.mjs: a supervisor starts and stops a campaign") {
  run_script("campaign.mjs");
}

TEST_CASE("browser viewer.mjs: a viewer gets no controls and a forged request is refused") {
  run_script("viewer.mjs");
}

TEST_CASE("browser restart.mjs: the page recovers by itself after parleyd restarts") {
  run_script("restart.mjs");
}

TEST_CASE("browser pages.mjs: every page, for every role, without a script or policy error") {
  run_script("pages.mjs");
}

TEST_CASE("browser pulse.mjs: dashboards from templates, live within a second, thresholds, roles, history across a restart") {
  run_script("pulse.mjs");
}

TEST_CASE("browser wallboard.mjs: a wallboard runs a minute of load without its memory growing") {
  run_script("wallboard.mjs");
}
