// outbound_support: what the outbound integration tests share — a contact center config
// with a campaign on scaled time, agent desktops that accept every invite, a CSV list
// written into the engine's import directory, and a field of a console status line.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "support/test_env.hpp"

namespace parley::test::campaigns {


// Domain time runs 20x: a 2 s ring is 100 ms, a 4 s talk 200 ms.
inline std::string center(const std::string& mode, const std::string& extra = {}) {
  return R"(
[engine]
clock_scale = 20
[routing]
offer_timeout_ms = 10000
[[queues]]
name = "sales"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1 }
[outbound.gateway]
answer = 0.6
busy = 0.2
no_answer = 0.2
machine = 0.0
fax = 0.0
sit = 0.0
dropped = 0.0
ring_mean_ms = 2000
no_answer_after_ms = 4000
talk_mean_ms = 4000
[[campaigns]]
name = "spring"
lists = ["spring"]
mode = ")" + mode + R"("
queue = "sales"
window = "00:00-24:00"
lease_chunk = 50
)" + extra;
}

/// A desktop that logs in, goes ready and accepts every invite; it remembers the
/// properties of what it was offered and how many calls it held at once.
struct auto_agent {
  std::unique_ptr<connected_client> desk;
  std::mutex mx;
  std::vector<std::map<std::string, std::string>> offered;
  std::atomic<int> holding{0}, most{0};

  auto_agent(std::uint16_t port, const std::string& id) {
    desk = std::make_unique<connected_client>(port, wire::ClientType::agent_desktop);
    auto cl = desk->cl;
    // The callback lives in the client: a raw pointer, not a shared_ptr cycle (a leak).
    cl->on_event([this, cl = cl.get()](const client::answer& a) {
      if (auto* inv = a.as<wire::Invite>()) {
        std::map<std::string, std::string> props;
        if (inv->info() && inv->info()->properties())
          for (auto* p : *inv->info()->properties())
            props[p->key()->str()] = p->text() ? p->text()->str() : std::to_string(p->number());
        {
          std::lock_guard lock{mx};
          offered.push_back(props);
        }
        auto n = ++holding;
        for (int m = most; n > m && !most.compare_exchange_weak(m, n);) {}
        auto iid = inv->info()->id();
        cl->request([iid](protocol::encoder& e, std::uint64_t ref) {
          return e.finish(ref, wire::CreateAccept(e.start(), iid));
        });
      } else if (a.as<wire::ProcessingStopped>()) {
        --holding;
      }
    });
    auto r = cl->request([id](protocol::encoder& e, std::uint64_t ref) {
                 auto& fbb = e.start();
                 auto agent = fbb.CreateString(id);
                 auto place = fbb.CreateString("p-" + id);
                 return e.finish(ref, wire::CreateAgentLogin(fbb, agent, place));
               }).get();
    REQUIRE(r.ok());
  }

  void ready() {
    auto r = desk->cl->request([](protocol::encoder& e, std::uint64_t ref) {
                   return e.finish(ref, wire::CreateAgentReady(e.start()));
                 }).get();
    REQUIRE(r.ok());
  }

  void not_ready() {
    auto r = desk->cl->request([](protocol::encoder& e, std::uint64_t ref) {
                   auto& fbb = e.start();
                   return e.finish(ref, wire::CreateAgentNotReady(fbb, fbb.CreateString("break")));
                 }).get();
    REQUIRE(r.ok());
  }

  std::size_t calls() {
    std::lock_guard lock{mx};
    return offered.size();
  }
};

inline std::string write_list(const std::string& dir, int rows) {
  std::filesystem::create_directories(dir + "/import");
  std::ofstream f{dir + "/import/spring.csv"};
  f << "phone,tz,customer,plan\n";
  for (int i = 0; i < rows; ++i)
    f << "+1212555" << 1000 + i << ",UTC,c" << i << ",gold\n";
  return "spring.csv";
}

inline std::uint64_t field(const std::string& status, const std::string& key) {
  auto at = status.find(" " + key + "=");
  return at == std::string::npos ? 0 : std::stoull(status.substr(at + key.size() + 2));
}

} // namespace parley::test::campaigns
