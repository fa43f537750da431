// Fuzz target: arbitrary bytes sent to a real engine over TCP — as a registered client on
// the interaction or statistics port (session dispatch of verified-or-not frames, every
// request family) and as console input. After each input the engine must still answer a
// ping; that is the check, and the only reason this target aborts.
//
// The harness's own socket calls never end the run: libFuzzer's timers (SIGALRM for
// -timeout, SIGUSR1/2) interrupt system calls, so every call retries EINTR, sockets are
// non-blocking with deadlines, and an error on the input's connection is the engine's
// right (it closes on bad input). Only the probe decides, within probe_deadline. One
// exception, by design: after the console's `drain` the engine answers no new connection,
// so a drained engine is replaced by a fresh one instead.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "engine/config.hpp"
#include "engine/engine.hpp"
#include "protocol/codec.hpp"
#include "protocol/frame_reader.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// How long the engine has to answer the probe after an input. Generous: ASan and a busy
/// machine slow it down, and libFuzzer's own -timeout (10 s in scripts/fuzz.sh) is longer.
constexpr auto probe_deadline = 5s;

/// The engine under test and its data directory. One engine serves the whole run, except
/// that an input may drain it (the console's admin `drain` closes the listeners, as
/// designed): then it is stopped and a fresh one takes its place.
struct engine_under_test {
  parley::engine::engine* engine = nullptr;
  std::string dir;

  void start() {
    // A fresh database each time: the engine would otherwise recover the last one's state.
    dir = "/tmp/parley-fuzz-XXXXXX";
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
                                             "listen.stat_port=0", "console.port=0", "metrics.port=0", "http.port=0",
                                             "log.level=off", "engine.data_dir=\"" + dir + "\"",
                                             "timeouts.registration_ms=1000",
                                             "timeouts.shutdown_ms=1000"});
    spdlog::set_level(spdlog::level::off);
    engine = new parley::engine::engine(cfg);
    engine->start();
  }

  /// Stops the engine and removes its data. `release` deletes it too: not at exit, where
  /// CAF's globals may already be gone (~actor_system would touch them).
  void stop(bool release) {
    engine->stop();
    if (release)
      delete engine;
    engine = nullptr;
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

engine_under_test fuzzed;

/// Starts the engine on first use. The atexit handler is registered after the logger
/// exists, so the engine stops before the logger and CAF's globals go away.
parley::engine::engine& the_engine() {
  if (!fuzzed.engine) {
    fuzzed.start();
    static bool once = (std::atexit([] {
                          if (fuzzed.engine)
                            fuzzed.stop(false);
                        }),
                        true);
    (void)once;
  }
  return *fuzzed.engine;
}

// -- loopback sockets that survive signals -------------------------------------------

int ms_left(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

/// Waits for `events` on fd until the deadline; retries EINTR with the time that is left.
/// Returns the revents, or 0 when the deadline passed.
short wait_for(int fd, short events, clock_type::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, ms_left(deadline));
    if (r > 0)
      return p.revents;
    if (r == 0 || errno != EINTR)
      return 0;
  }
}

/// An owned, non-blocking socket; closing it never fails the harness.
class socket_fd {
public:
  socket_fd() = default;
  explicit socket_fd(int fd) : fd_{fd} {}
  socket_fd(socket_fd&& o) noexcept : fd_{o.fd_} { o.fd_ = -1; }
  socket_fd& operator=(socket_fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~socket_fd() {
    if (fd_ >= 0)
      ::close(fd_);  // EINTR on close still releases the descriptor on Linux
  }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

  /// Closes with RST instead of FIN: the probe connects after every input, and a
  /// TIME_WAIT per probe would use up the loopback ports in a long campaign.
  void reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }

private:
  int fd_ = -1;
};

/// Connects to 127.0.0.1:port, retrying an interrupted or transiently failing connect
/// until the deadline. `why` says what went wrong when it returns an empty socket.
socket_fd connect_loopback(std::uint16_t port, clock_type::time_point deadline, std::string& why) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  do {
    socket_fd s{::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
    int err = s ? 0 : errno;  // EMFILE/ENOBUFS pass when the engine closes its side
    if (s && ::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      err = errno;
      if (err == EINPROGRESS || err == EINTR) {  // the connect goes on: wait for its end
        err = ETIMEDOUT;
        if (wait_for(s.get(), POLLOUT, deadline) != 0) {
          socklen_t len = sizeof err;
          if (::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0)
            err = errno;
        }
      }
    }
    if (err == 0)
      return s;
    why = std::string{s ? "connect: " : "socket: "} + std::strerror(err);
    // A refused or out-of-ports connect is retried: a listener under load has a full
    // backlog for a moment; a gone listener fails every try until the deadline.
    ::poll(nullptr, 0, 2);
  } while (clock_type::now() < deadline);
  return {};
}

/// Sends all of `bytes` before the deadline; false when the peer closed or time ran out.
bool send_all(int fd, std::span<const std::uint8_t> bytes, clock_type::time_point deadline) {
  while (!bytes.empty()) {
    auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes = bytes.subspan(static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!(wait_for(fd, POLLOUT, deadline) & POLLOUT))
        return false;
    } else {
      return false;
    }
  }
  return true;
}

/// Reads into `buf` once something arrives before the deadline: bytes read, 0 when the
/// peer closed or the deadline passed.
std::size_t receive(int fd, std::span<std::uint8_t> buf, clock_type::time_point deadline) {
  for (;;) {
    auto n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n > 0)
      return static_cast<std::size_t>(n);
    if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
      return 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      if (wait_for(fd, POLLIN, deadline) == 0)
        return 0;
  }
}

/// Reads whatever the engine answers within `window` (then as long as it keeps sending).
void drain(int fd, std::chrono::milliseconds window) {
  std::uint8_t buf[65536];
  auto deadline = clock_type::now() + window;
  while (receive(fd, buf, deadline) > 0)
    deadline = clock_type::now();
}

// -- the check -------------------------------------------------------------------------

/// Why the probe got no answer; thrown by the probe, judged by LLVMFuzzerTestOneInput.
struct no_answer {
  std::string why;
};

[[noreturn]] void engine_stopped_answering(std::string why) {
  throw no_answer{std::move(why)};
}

/// Reads frames from the probe's connection until one of type `want` with reference `ref`
/// arrives; any failure before the deadline means the engine stopped answering.
void await(int fd, parley::protocol::frame_reader& reader, parley::wire::Message want,
           std::uint64_t ref, clock_type::time_point deadline) {
  for (;;) {
    std::span<const std::uint8_t> frame;
    parley::protocol::frame_status st;
    while ((st = reader.next(frame)) == parley::protocol::frame_status::ok) {
      auto d = parley::protocol::decode(frame);
      if (d && d.envelope->message_type() == want && d.envelope->ref() == ref)
        return;
    }
    if (st == parley::protocol::frame_status::too_large)
      engine_stopped_answering("the engine sent a frame above 64 KiB");
    auto n = receive(fd, reader.prepare(), deadline);
    if (n == 0)
      engine_stopped_answering(std::string{"no "} + parley::wire::EnumNameMessage(want)
                               + (clock_type::now() < deadline ? ": the connection closed" : ""));
    reader.commit(n);
  }
}

/// Registers a fresh admin client, then pings: the Pong must come back before the deadline.
/// (A Ping sent before Registered would be answered "registration is still in progress".)
void alive(parley::engine::engine& eng) {
  auto deadline = clock_type::now() + probe_deadline;
  std::string why;
  auto s = connect_loopback(eng.port(parley::engine::listener_kind::interaction), deadline, why);
  if (!s)
    engine_stopped_answering(why);
  s.reset();
  parley::protocol::encoder enc;
  parley::protocol::frame_reader reader{64 * 1024, 4096};
  if (!send_all(s.get(), enc.register_client(1, "probe", parley::wire::ClientType::admin, ""),
                deadline))
    engine_stopped_answering("the engine closed the probe's connection before it registered");
  await(s.get(), reader, parley::wire::Message::Registered, 1, deadline);
  if (!send_all(s.get(), enc.ping(2, 2), deadline))
    engine_stopped_answering("the engine closed the probe's connection after Registered");
  await(s.get(), reader, parley::wire::Message::Pong, 2, deadline);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& eng = the_engine();
  // Even first bytes: a protocol session (bit 1 set: on the statistics port); odd: the console.
  bool console = size > 0 && (data[0] & 1);
  bool stat = size > 0 && (data[0] & 2);
  auto port = console ? eng.console_port()
              : stat  ? eng.port(parley::engine::listener_kind::stat)
                      : eng.port(parley::engine::listener_kind::interaction);
  auto deadline = clock_type::now() + 2s;
  std::string why;
  // A connection the engine refuses is for the probe to judge; the input is skipped.
  if (auto s = connect_loopback(port, deadline, why)) {
    bool open = true;
    if (!console && size > 1) {
      // Register as the client type the second byte names, then send the rest as-is.
      parley::protocol::encoder enc;
      auto type = static_cast<parley::wire::ClientType>(1 + data[1] % 6);
      open = send_all(s.get(), enc.register_client(1, "fuzz", type, ""), deadline);
    }
    if (open && size > 2)
      send_all(s.get(), {data + 2, size - 2}, deadline);
    drain(s.get(), 5ms);
  }
  try {
    if (!eng.draining())
      alive(eng);
  } catch (const no_answer& e) {
    if (!eng.draining()) {
      std::fprintf(stderr, "wire_fuzz: the engine did not answer the probe within %lld ms: %s\n",
                   static_cast<long long>(std::chrono::milliseconds{probe_deadline}.count()),
                   e.why.c_str());
      std::abort();
    }
  }
  if (eng.draining()) {
    // The input said `drain` on the console (perhaps just now, while the probe ran): by
    // design no new connection is answered. Nothing crashed; go on with a fresh engine.
    fuzzed.stop(true);
    the_engine();
  }
  return 0;
}
