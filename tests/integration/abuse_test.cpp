// Hostile clients: slowloris, a ping flood, 10,000 idle connections. The engine's memory
// stays bounded and other clients keep being answered.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "support/parleyd_process.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;

namespace {

/// Resident memory of a process, in bytes.
std::uint64_t rss_of(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/statm"};
  std::uint64_t pages = 0, resident = 0;
  in >> pages >> resident;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

/// Round trip of one ping through a registered raw connection, in microseconds.
std::int64_t ping_us(raw_conn& c, std::uint64_t ref) {
  protocol::encoder enc;
  auto t0 = std::chrono::steady_clock::now();
  c.send(enc.ping(ref, ref));
  auto f = c.read_frame();
  REQUIRE(f);
  REQUIRE(envelope_of(*f).message_type() == wire::Message::Pong);
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
    .count();
}

} // namespace

TEST_CASE("slowloris: bytes without whole frames do not keep a connection alive") {
  auto eng = start_engine({"timeouts.heartbeat_interval_ms=200", "timeouts.heartbeat_timeout_ms=600"});
  auto port = eng->port(listener_kind::interaction);
  raw_conn bystander{port};
  REQUIRE(bystander.register_as() > 0);
  std::vector<std::unique_ptr<raw_conn>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<raw_conn>(port));
    REQUIRE(slow.back()->register_as() > 0);
  }
  // A frame announcing 64 KiB, sent one byte every 50 ms: never complete in time.
  std::vector<std::uint8_t> header{0x00, 0x00, 0x01, 0x00};
  std::uint64_t ref = 10;
  auto until = std::chrono::steady_clock::now() + 1500ms;
  std::size_t sent = 0;
  while (std::chrono::steady_clock::now() < until) {
    for (auto& c : slow)
      c->send(sent < header.size() ? std::vector<std::uint8_t>{header[sent]}
                                   : std::vector<std::uint8_t>{0x42});
    ++sent;
    CHECK(ping_us(bystander, ++ref) < 500'000);  // the bystander keeps its heartbeat up too
    std::this_thread::sleep_for(50ms);
  }
  CHECK(eventually([&] { return eng->stats().errors_of(wire::ErrorCode::heartbeat_expired) == 20; }));
  for (auto& c : slow)
    CHECK(c->closed_by_peer(2s));
  CHECK(ping_us(bystander, ++ref) < 500'000);
}

TEST_CASE("a ping flood does not starve another client") {
  auto eng = start_engine();
  auto port = eng->port(listener_kind::interaction);
  raw_conn bystander{port};
  REQUIRE(bystander.register_as() > 0);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> flooded{0};
  std::thread flood([&] {
    raw_conn f{port};
    REQUIRE(f.register_as() > 0);
    protocol::encoder enc;
    std::vector<std::uint8_t> burst;
    for (int i = 1; i <= 500; ++i) {
      auto fr = enc.ping(i, i);
      burst.insert(burst.end(), fr.begin(), fr.end());
    }
    while (!stop) {
      f.send(burst);
      for (int i = 0; i < 500; ++i)  // it reads its answers, as a well-behaved flooder
        if (!f.read_frame(5s))
          return;
      flooded += 500;
    }
  });
  REQUIRE(eventually([&] { return flooded > 20'000; }, 20s));
  std::int64_t worst = 0;
  for (std::uint64_t r = 1; r <= 200; ++r)
    worst = std::max(worst, ping_us(bystander, r));
  stop = true;
  flood.join();
  MESSAGE("flood: ", flooded.load(), " pings; bystander worst round trip ", worst, " us");
  CHECK(worst < 1'000'000);
}

TEST_CASE("10,000 idle connections: bounded memory, others still served") {
  auto p = parleyd_process::with_toml("", {"limits.max_connections=10100",
                                           "timeouts.registration_ms=60000"});
  auto port = p->port("interaction");
  raw_conn bystander{port};
  REQUIRE(bystander.register_as() > 0);
  auto before = rss_of(p->proc().pid());
  std::vector<std::unique_ptr<boost::asio::ip::tcp::socket>> idle;
  boost::asio::io_context io;
  for (int i = 0; i < 10'000; ++i) {
    auto s = std::make_unique<boost::asio::ip::tcp::socket>(io);
    boost::system::error_code ec;
    s->connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    REQUIRE_MESSAGE(!ec, "connection " << i << ": " << ec.message());
    idle.push_back(std::move(s));
  }
  CHECK(eventually([&] {
    return p->console("status").find("connections: 10001 open") != std::string::npos;
  }, 20s));
  auto after = rss_of(p->proc().pid());
  auto per_conn = (after - before) / 10'000;
  MESSAGE("RSS ", before / 1024, " KiB -> ", after / 1024, " KiB: ", per_conn, " bytes per idle connection");
  CHECK(per_conn < 16 * 1024);
  CHECK(ping_us(bystander, 1) < 1'000'000);
  idle.clear();
  CHECK(eventually([&] {
    return p->console("status").find("connections: 1 open") != std::string::npos;
  }, 20s));
}
