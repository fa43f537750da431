// Fuzz target: arbitrary bytes sent to a real engine over TCP — as a registered client on
// the interaction port (session dispatch of verified-or-not frames, every request family)
// and as console input. After each input the engine must still answer a ping.
#include <poll.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <spdlog/spdlog.h>

#include "engine/config.hpp"
#include "engine/engine.hpp"
#include "protocol/codec.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

parley::engine::engine* running = nullptr;

/// One engine for the whole run. It is stopped by an atexit handler, registered after the
/// logger exists, so it stops before the logger and CAF's globals go away.
parley::engine::engine& the_engine() {
  static auto* eng = [] {
    // A fresh database per run: the engine would otherwise recover the last run's state.
    std::string dir = "/tmp/parley-fuzz-XXXXXX";
    if (!::mkdtemp(dir.data()))
      std::abort();
    auto cfg = parley::engine::parse_config(R"(
[[queues]]
name = "sales"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1, chat = 3 }
)",
                                            "fuzz",
                                            {"listen.interaction_port=0", "listen.vq_port=0",
                                             "listen.stat_port=0", "console.port=0", "metrics.port=0",
                                             "log.level=off", "engine.data_dir=\"" + dir + "\"",
                                             "timeouts.registration_ms=1000"});
    spdlog::set_level(spdlog::level::off);
    auto* e = new parley::engine::engine(cfg);
    e->start();
    running = e;
    std::atexit([] { running->stop(); });
    return e;
  }();
  return *eng;
}

asio::const_buffer bytes(std::span<const std::uint8_t> s) {
  return asio::buffer(s.data(), s.size());
}

/// Reads whatever arrives within `ms`; false when the peer closed.
bool drain(tcp::socket& s, int ms) {
  char buf[65536];
  for (;;) {
    pollfd p{s.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0)
      return true;
    boost::system::error_code ec;
    s.read_some(asio::buffer(buf), ec);
    if (ec)
      return false;
    ms = 0;
  }
}

void alive(parley::engine::engine& eng) {
  asio::io_context io;
  tcp::socket s{io};
  s.connect({asio::ip::make_address("127.0.0.1"), eng.port(parley::engine::listener_kind::interaction)});
  parley::protocol::encoder enc;
  asio::write(s, bytes(enc.register_client(1, "probe", parley::wire::ClientType::admin, "")));
  asio::write(s, bytes(enc.ping(2, 2)));
  std::string got;
  char buf[4096];
  for (int i = 0; i < 200 && got.size() < 2; ++i) {
    pollfd p{s.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, 50) > 0) {
      boost::system::error_code ec;
      auto n = s.read_some(asio::buffer(buf), ec);
      if (ec)
        break;
      got.append(buf, n);
    }
    if (got.size() > 40)  // Registered + Pong arrived
      return;
  }
  std::abort();  // the engine stopped answering
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& eng = the_engine();
  asio::io_context io;
  // Even first bytes: a protocol session (bit 1 set: on the statistics port); odd: the console.
  bool console = size > 0 && (data[0] & 1);
  bool stat = size > 0 && (data[0] & 2);
  tcp::socket s{io};
  s.connect({asio::ip::make_address("127.0.0.1"),
             console ? eng.console_port()
             : stat  ? eng.port(parley::engine::listener_kind::stat)
                     : eng.port(parley::engine::listener_kind::interaction)});
  boost::system::error_code ec;
  if (!console && size > 1) {
    // Register as the client type the second byte names, then send the rest as-is.
    parley::protocol::encoder enc;
    auto type = static_cast<parley::wire::ClientType>(1 + data[1] % 6);
    asio::write(s, bytes(enc.register_client(1, "fuzz", type, "")), ec);
  }
  if (size > 2)
    asio::write(s, asio::buffer(data + 2, size - 2), ec);
  drain(s, 5);
  s.close(ec);
  alive(eng);
  return 0;
}
