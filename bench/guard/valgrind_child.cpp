#include "bench/guard/valgrind_child.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace parley::guard {

bool valgrind_available(const std::string& valgrind) {
  if (valgrind.find('/') != std::string::npos)
    return ::access(valgrind.c_str(), X_OK) == 0;
  std::istringstream path{std::getenv("PATH") ? std::getenv("PATH") : ""};
  for (std::string d; std::getline(path, d, ':');)
    if (!d.empty() && ::access((d + "/" + valgrind).c_str(), X_OK) == 0)
      return true;
  return false;
}

valgrind_child::valgrind_child(std::string valgrind, bool keep)
  : valgrind_(std::move(valgrind)), keep_(keep) {
  char tmpl[] = "/tmp/parley-guard-run-XXXXXX";
  if (!::mkdtemp(tmpl))
    throw std::runtime_error("cannot create a directory under /tmp");
  dir_ = tmpl;
}

valgrind_child::~valgrind_child() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  for (int fd : {to_child_, from_child_})
    if (fd >= 0)
      ::close(fd);
  std::error_code ignored;
  if (keep_)
    std::fprintf(stderr, "parley-guard: dumps and engine log kept in %s\n", dir_.c_str());
  else
    std::filesystem::remove_all(dir_, ignored);
}

engine_ports valgrind_child::start() {
  auto self = std::filesystem::canonical("/proc/self/exe").string();
  std::vector<std::string> args;
  if (!valgrind_.empty())
    // Nothing is counted until the engine side says "start"; each "stop NAME" dumps the
    // region to a file of its own. --fair-sched: threads take turns in a fixed order.
    args = {valgrind_, "--tool=callgrind", "--instr-atstart=no", "--fair-sched=yes",
            "--dump-line=no", "--callgrind-out-file=" + dir_ + "/callgrind.out"};
  args.push_back(self);
  args.push_back("engine");
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe: " + std::string{std::strerror(errno)});
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  auto log = dir_ + "/engine.log";
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  auto rc = posix_spawnp(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(in[0]);
  ::close(out[1]);
  to_child_ = in[1];
  from_child_ = out[0];
  if (rc != 0) {
    pid_ = 0;
    throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
  }
  std::istringstream line{read_line(300)};
  std::string word;
  engine_ports p;
  if (!(line >> word >> p.interaction >> p.stat >> p.console >> p.metrics >> p.data_dir) || word != "ports")
    throw std::runtime_error("the engine side did not start:\n" + log_tail());
  return p;
}

void valgrind_child::command(const std::string& line) {
  auto text = line + "\n";
  if (::write(to_child_, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw std::runtime_error("the engine side is gone:\n" + log_tail());
  auto reply = read_line(300);
  if (reply != "ok")
    throw std::runtime_error("the engine side answered \"" + reply + "\" to " + line + ":\n" + log_tail());
}

std::map<std::string, region_cost> valgrind_child::finish() {
  const std::string quit = "quit\n";
  (void)!::write(to_child_, quit.data(), quit.size());
  // The engine stops (bounded by its shutdown timeout) and callgrind writes its last dump.
  int status = 0;
  for (int i = 0; i < 1200; ++i) {
    auto r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = 0;
      break;
    }
    ::usleep(100'000);
  }
  if (pid_ != 0)
    throw std::runtime_error("the engine side did not exit within 120 s of quit");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("the engine side failed:\n" + log_tail());
  if (valgrind_.empty())
    return {};
  return read_dumps(dir_);
}

std::string valgrind_child::read_line(int timeout_s) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds{timeout_s};
  for (;;) {
    auto nl = buffered_.find('\n');
    if (nl != std::string::npos) {
      auto line = buffered_.substr(0, nl);
      buffered_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      throw std::runtime_error("the engine side did not answer within " + std::to_string(timeout_s)
                               + " s:\n" + log_tail());
    pollfd p{from_child_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      continue;
    char buf[512];
    auto n = ::read(from_child_, buf, sizeof buf);
    if (n <= 0)
      throw std::runtime_error("the engine side exited:\n" + log_tail());
    buffered_.append(buf, static_cast<std::size_t>(n));
  }
}

std::string valgrind_child::log_tail() const {
  std::ifstream in{dir_ + "/engine.log"};
  std::string all{std::istreambuf_iterator<char>{in}, {}};
  return all.size() > 4000 ? "..." + all.substr(all.size() - 4000) : all;
}

} // namespace parley::guard
