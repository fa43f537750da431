// tcp_world: the end-to-end mode. A fresh parleyd process with the scenario's config on
// free ports, one client-library instance per client over real TCP, real time. At the end
// parleyd gets SIGTERM and must exit cleanly.
#include <csignal>
#include <future>
#include <sstream>
#include <thread>

#include <doctest/doctest.h>

#include "scenario/world.hpp"
#include "support/parleyd_process.hpp"
#include "support/test_env.hpp"

namespace parley::scenario {

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

/// What the console's status says about conservation ("" when every tenant is conserved,
/// now and after every event the engine has ordered).
std::string console_problems(const test::parleyd_process& p) {
  auto status = p.console("status");
  std::string out;
  std::istringstream in{status};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("interactions [", 0) == 0 && line.find("(conserved)") == std::string::npos)
      out += line + "; ";
  if (status.find("parleyd ") == std::string::npos)
    out += "no status from the console: " + status;
  return out;
}

class tcp_world final : public world {
public:
  explicit tcp_world(const script& s) : name_(s.name), start_(steady::now()) {
    // The real parleyd process, with the scenario's config and the test timeouts.
    eng_ = test::parleyd_process::with_toml(
      s.toml, {"engine.io_threads=1", "engine.actor_threads=2", "timeouts.registration_ms=2000",
               "timeouts.heartbeat_interval_ms=1000", "timeouts.heartbeat_timeout_ms=3000",
               "timeouts.shutdown_ms=3000", "log.level=warn"});
  }

  ~tcp_world() override {
    for (auto& [name, cl] : clients_)
      cl->stop();
    clients_.clear();
    eng_->proc().signal(SIGTERM);
    if (eng_->proc().wait(10s) != 0)
      FAIL_CHECK(name_ << ": parleyd did not stop cleanly:\n" << eng_->log());
  }

  void connect(const std::string& name, client_kind kind, std::shared_ptr<inbox> in) override {
    client::options o;
    o.name = name;
    o.request_timeout = 5s;
    o.reconnect = false;
    o.type = kind == client_kind::gateway    ? wire::ClientType::media_gateway
             : kind == client_kind::desktop  ? wire::ClientType::agent_desktop
             : kind == client_kind::reporter ? wire::ClientType::reporting
                                             : wire::ClientType::router;
    o.port = eng_->port(kind == client_kind::vq ? "vq" : "interaction");
    auto cl = client::client::create(io_.executor(), o);
    cl->on_event([in](const client::answer& a) { in->push(a); });
    cl->start();
    clients_[name] = cl;
    if (!cl->wait_registered(5s))
      fail(std::string{"did not register: client state "} + client::state_name(cl->current_state()));
  }

  client::answer ask(const std::string& name, const client::client::build_fn& build) override {
    auto fut = clients_.at(name)->request(build);
    if (fut.wait_for(8s) != std::future_status::ready)
      fail("no answer within 8 s (the client library did not time out either)");
    return fut.get();
  }

  std::optional<client::answer> next_event(inbox& in, millis limit) override {
    return in.pop(steady::now() + limit);
  }

  millis now() override { return std::chrono::duration_cast<millis>(steady::now() - start_); }

  void pass(millis d) override { std::this_thread::sleep_for(d); }

  void disconnect(const std::string& name) override { clients_.at(name)->stop(); }

  std::string conservation_problems() override {
    // The bus counts asynchronously: give in-flight reports a moment to land.
    auto problems = console_problems(*eng_);
    auto until = steady::now() + 2s;
    while (!problems.empty() && steady::now() < until) {
      std::this_thread::sleep_for(20ms);
      problems = console_problems(*eng_);
    }
    return problems;
  }

private:
  std::string name_;
  steady::time_point start_;
  client::io_thread io_;  // outlives the clients and the engine
  std::unique_ptr<test::parleyd_process> eng_;
  std::map<std::string, std::shared_ptr<client::client>> clients_;
};

} // namespace

std::unique_ptr<world> make_tcp_world(const script& s) {
  return std::make_unique<tcp_world>(s);
}

} // namespace parley::scenario
