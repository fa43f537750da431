#include "bench/parley_bench/reference.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace parley::bench {

namespace {

using namespace std::chrono_literals;
using clk = std::chrono::steady_clock;

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs{path ? path : "/usr/bin:/bin"};
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    auto full = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(full.c_str(), X_OK) == 0)
      return full;
  }
  return {};
}

/// Spawns `argv` with stdin and stderr on /dev/null; stdout into a pipe when `out_fd`.
pid_t spawn(const std::vector<std::string>& argv, int* out_fd) {
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int pipe_fds[2] = {-1, -1};
  if (out_fd && ::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  if (out_fd)
    posix_spawn_file_actions_adddup2(&fa, pipe_fds[1], 1);
  else
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (::posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), environ) != 0)
    pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  if (out_fd) {
    ::close(pipe_fds[1]);
    if (pid < 0)
      ::close(pipe_fds[0]);
    else
      *out_fd = pipe_fds[0];
  }
  return pid;
}

/// Ends a child: SIGTERM, then SIGKILL after 2 s; always reaped.
void end_child(pid_t pid) {
  if (pid <= 0)
    return;
  ::kill(pid, SIGTERM);
  auto until = clk::now() + 2s;
  while (clk::now() < until) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid)
      return;
    std::this_thread::sleep_for(10ms);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

/// Runs `argv` to its end (killed after `limit`) and returns its stdout.
std::optional<std::string> run_capture(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  int fd = -1;
  auto pid = spawn(argv, &fd);
  if (pid < 0)
    return std::nullopt;
  std::string out;
  auto until = clk::now() + limit;
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clk::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<long>(left, 200))) <= 0)
      continue;
    char buf[4096];
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (timed_out) {
    end_child(pid);
    return std::nullopt;
  }
  ::waitpid(pid, nullptr, 0);
  return out;
}

std::uint16_t free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  std::uint16_t port = 0;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0
      && ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(s);
  return port;
}

bool port_open(std::uint16_t port, std::chrono::milliseconds limit) {
  auto until = clk::now() + limit;
  while (clk::now() < until) {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    if (ok)
      return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

/// The rps column of `"PING_MBULK","123.45",...` in redis-benchmark's CSV (0 when absent).
double mbulk_rps(const std::string& csv) {
  auto at = csv.find("\"PING_MBULK\",\"");
  if (at == std::string::npos)
    return 0;
  return std::strtod(csv.c_str() + at + std::strlen("\"PING_MBULK\",\""), nullptr);
}

std::vector<std::string> bench_argv(const std::string& exe, std::uint16_t port, unsigned clients,
                                    unsigned pipeline, std::uint64_t n) {
  return {exe, "-h", "127.0.0.1", "-p", std::to_string(port), "-t", "ping",
          "-c", std::to_string(clients), "-P", std::to_string(pipeline),
          "-n", std::to_string(n), "-q", "--csv"};
}

} // namespace

std::optional<reference> redis_ping_reference(unsigned clients, unsigned pipeline,
                                              double duration_s, std::string& why) {
  auto server = find_in_path("redis-server");
  auto bench = find_in_path("redis-benchmark");
  if (server.empty() || bench.empty()) {
    why = "redis-server / redis-benchmark not installed: no reference (apt-get install redis-server)";
    return std::nullopt;
  }
  auto port = free_port();
  auto pid = spawn({server, "--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--daemonize", "no"},
                   nullptr);
  if (pid < 0 || !port_open(port, 3s)) {
    end_child(pid);
    why = "redis-server did not start on port " + std::to_string(port);
    return std::nullopt;
  }
  // A short calibration run sizes the real one to last about `duration_s`.
  std::uint64_t n0 = std::clamp<std::uint64_t>(20'000ull * pipeline, 20'000, 400'000);
  auto cal = run_capture(bench_argv(bench, port, clients, pipeline, n0), 30s);
  double rps = cal ? mbulk_rps(*cal) : 0;
  std::optional<reference> out;
  if (rps > 0) {
    auto n = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(rps * duration_s), n0, 100'000'000);
    auto argv = bench_argv(bench, port, clients, pipeline, n);
    auto limit = std::chrono::milliseconds(static_cast<long>(duration_s * 4000) + 10'000);
    auto main_run = run_capture(argv, limit);
    double main_rps = main_run ? mbulk_rps(*main_run) : 0;
    if (main_rps > 0) {
      std::string cmd = "redis-benchmark";
      for (std::size_t i = 1; i < argv.size(); ++i)
        cmd += " " + argv[i];
      out = reference{"redis-benchmark ping (PING_MBULK)", main_rps, cmd};
    } else {
      why = "redis-benchmark gave no PING_MBULK rate";
    }
  } else {
    why = "redis-benchmark calibration gave no PING_MBULK rate";
  }
  end_child(pid);
  return out;
}

} // namespace parley::bench
