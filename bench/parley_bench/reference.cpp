#include "bench/parley_bench/reference.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

throwaway_redis::throwaway_redis() {
  auto server = find_in_path("redis-server");
  if (server.empty()) {
    why_ = "redis-server is not installed (apt-get install redis-server)";
    return;
  }
  auto port = free_port();
  pid_ = spawn({server, "--port", std::to_string(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "no"},
               nullptr);
  if (pid_ < 0 || !port_open(port, 3s)) {
    why_ = "redis-server did not start on port " + std::to_string(port);
    return;
  }
  port_ = port;
}

throwaway_redis::~throwaway_redis() {
  end_child(pid_);
}

std::optional<reference> redis_command_reference(std::uint16_t port, const std::vector<std::string>& command,
                                                 unsigned clients, unsigned pipeline, std::uint64_t n,
                                                 std::string& why) {
  auto bench = find_in_path("redis-benchmark");
  if (bench.empty()) {
    why = "redis-benchmark is not installed: no reference (apt-get install redis-tools)";
    return std::nullopt;
  }
  std::vector<std::string> argv{bench, "-h", "127.0.0.1", "-p", std::to_string(port), "-c", std::to_string(clients),
                                "-P", std::to_string(pipeline), "-n", std::to_string(n), "-q", "--csv"};
  argv.insert(argv.end(), command.begin(), command.end());
  auto out = run_capture(argv, std::chrono::minutes{5});
  // The CSV's first row after the header: "<the command>","<rps>",...
  auto row = out ? out->find("\n\"") : std::string::npos;
  auto rps_at = row == std::string::npos ? std::string::npos : out->find("\",\"", row + 2);
  double rps = rps_at == std::string::npos ? 0 : std::strtod(out->c_str() + rps_at + 3, nullptr);
  if (rps <= 0) {
    why = "redis-benchmark gave no rate";
    return std::nullopt;
  }
  std::string cmd = "redis-benchmark";
  for (std::size_t i = 1; i < argv.size(); ++i)
    cmd += " " + (argv[i] == "*" ? std::string{"'*'"} : argv[i]);
  return reference{"redis-benchmark " + command.front() + " (same connection count and pipeline)", rps, cmd};
}

std::optional<reference> redis_ping_reference(unsigned clients, unsigned pipeline,
                                              double duration_s, std::string& why) {
  auto bench = find_in_path("redis-benchmark");
  if (bench.empty()) {
    why = "redis-server / redis-benchmark not installed: no reference (apt-get install redis-server)";
    return std::nullopt;
  }
  throwaway_redis server;
  auto port = server.port();
  if (port == 0) {
    why = server.why();
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
  return out;
}

} // namespace parley::bench

namespace parley::bench {

namespace {

/// "1.23ms" -> 1230 (µs); wrk prints us, ms, s (and m for minutes).
std::uint64_t wrk_duration_us(const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  std::string unit{end ? end : ""};
  double scale = unit.rfind("us", 0) == 0 ? 1 : unit.rfind("ms", 0) == 0 ? 1e3 : unit.rfind("m", 0) == 0 ? 60e6 : 1e6;
  return static_cast<std::uint64_t>(v * scale + 0.5);
}

std::optional<wrk_figures> parse_wrk(const std::string& out) {
  wrk_figures f;
  std::istringstream in{out};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words{line};
    std::string first, second;
    words >> first >> second;
    if (first == "50%")
      f.p50_us = wrk_duration_us(second);
    else if (first == "90%")
      f.p90_us = wrk_duration_us(second);
    else if (first == "99%")
      f.p99_us = wrk_duration_us(second);
    else if (first == "Requests/sec:")
      f.requests_per_s = std::strtod(second.c_str(), nullptr);
    else if (second == "requests")
      f.requests = std::strtoull(first.c_str(), nullptr, 10);
    else if (line.find("Non-2xx or 3xx responses:") != std::string::npos)
      f.failed += std::strtoull(line.substr(line.rfind(':') + 1).c_str(), nullptr, 10);
    else if (first == "Socket" && second == "errors:") {
      // "Socket errors: connect 0, read 0, write 0, timeout 0"
      std::string word;
      while (words >> word)
        if (!word.empty() && std::isdigit(static_cast<unsigned char>(word[0])))
          f.failed += std::strtoull(word.c_str(), nullptr, 10);
    }
  }
  if (f.requests_per_s <= 0)
    return std::nullopt;
  return f;
}

} // namespace

std::optional<wrk_figures> run_wrk(const std::string& url, unsigned threads, unsigned connections,
                                   double duration_s, const std::string& header, std::string& why) {
  auto exe = find_in_path("wrk");
  if (exe.empty()) {
    why = "wrk is not installed (apt-get install wrk)";
    return std::nullopt;
  }
  std::vector<std::string> argv{exe, "--latency", "-t", std::to_string(threads), "-c", std::to_string(connections),
                                "-d", std::to_string(std::max(1, static_cast<int>(duration_s + 0.5))) + "s"};
  if (!header.empty()) {
    argv.push_back("-H");
    argv.push_back(header);
  }
  argv.push_back(url);
  auto out = run_capture(argv, std::chrono::milliseconds(static_cast<long>(duration_s * 1000) + 30'000));
  auto f = out ? parse_wrk(*out) : std::nullopt;
  if (!f) {
    why = "wrk printed no rate for " + url;
    return std::nullopt;
  }
  f->command = "wrk";
  for (std::size_t i = 1; i < argv.size(); ++i)
    f->command += " " + (argv[i].find(' ') != std::string::npos ? "'" + argv[i] + "'" : argv[i]);
  return f;
}

std::optional<wrk_figures> nginx_static_reference(const std::string& body, unsigned workers, unsigned threads,
                                                  unsigned connections, double duration_s, std::string& why) {
  auto exe = find_in_path("nginx");
  if (exe.empty())
    exe = ::access("/usr/sbin/nginx", X_OK) == 0 ? "/usr/sbin/nginx" : "";
  if (exe.empty()) {
    why = "nginx is not installed (apt-get install nginx-light)";
    return std::nullopt;
  }
  char tmpl[] = "/tmp/parley-bench-nginx-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    why = "no temporary folder for nginx";
    return std::nullopt;
  }
  std::string dir = tmpl;
  ::chmod(dir.c_str(), 0755);  // nginx's workers run as nobody when we are root
  ::mkdir((dir + "/html").c_str(), 0755);
  ::mkdir((dir + "/tmp").c_str(), 0755);
  {
    std::ofstream file{dir + "/html/queues.json", std::ios::binary};
    file << body;
  }
  ::chmod((dir + "/html/queues.json").c_str(), 0644);
  auto port = free_port();
  std::ofstream{dir + "/nginx.conf"}
    << "worker_processes " << workers << ";\n"
    << "daemon off;\npid " << dir << "/nginx.pid;\nerror_log " << dir << "/error.log;\n"
    << "events { worker_connections 4096; }\n"
    << "http {\n  access_log off;\n  keepalive_requests 100000000;\n"
    << "  client_body_temp_path " << dir << "/tmp;\n  proxy_temp_path " << dir << "/tmp;\n"
    << "  fastcgi_temp_path " << dir << "/tmp;\n  uwsgi_temp_path " << dir << "/tmp;\n"
    << "  scgi_temp_path " << dir << "/tmp;\n"
    << "  server {\n    listen 127.0.0.1:" << port << ";\n    root " << dir << "/html;\n"
    << "    location / { default_type application/json; }\n  }\n}\n";
  auto pid = spawn({exe, "-p", dir, "-c", dir + "/nginx.conf", "-e", dir + "/error.log"}, nullptr);
  std::optional<wrk_figures> out;
  if (pid < 0 || !port_open(port, 3s)) {
    why = "nginx did not start on port " + std::to_string(port) + " (see " + dir + "/error.log)";
  } else {
    out = run_wrk("http://127.0.0.1:" + std::to_string(port) + "/queues.json", threads, connections, duration_s, "",
                  why);
  }
  end_child(pid);
  if (out)
    std::filesystem::remove_all(dir);
  return out;
}

} // namespace parley::bench
