#include "bench/parley_bench/parleyd_process.hpp"

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace parley::bench {

std::string exe_dir() {
  return std::filesystem::canonical("/proc/self/exe").parent_path().string();
}

pid_t spawn_logged(const std::vector<std::string>& args, const std::string& log) {
  auto copy = args;
  std::vector<char*> argv;
  for (auto& a : copy)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = 0;
  auto rc = posix_spawn(&pid, copy.at(0).c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    throw std::runtime_error("cannot start " + copy.at(0) + ": " + std::strerror(rc));
  return pid;
}

parleyd_process::parleyd_process(const std::string& exe, const std::string& dir,
                                 const std::vector<std::string>& sets, int n)
  : dir_(dir), log_(dir + "/parleyd-" + std::to_string(n) + ".log") {
  std::filesystem::remove(dir + "/ports");
  std::vector<std::string> args{exe, "--config", dir + "/parley.toml", "--ports-file", dir + "/ports"};
  for (auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  pid_ = spawn_logged(args, log_);
}

void parleyd_process::wait_listening(std::chrono::milliseconds limit, std::chrono::milliseconds poll) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (ports_.empty()) {
    std::ifstream in{dir_ + "/ports"};  // written whole (renamed into place)
    std::string line;
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (eq != std::string::npos)
        ports_.emplace_back(line.substr(0, eq), static_cast<std::uint16_t>(std::stoi(line.substr(eq + 1))));
    }
    if (!ports_.empty())
      return;
    int status = 0;
    if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      std::ifstream l{log_};
      throw std::runtime_error("parleyd exited at start-up:\n"
                               + std::string{std::istreambuf_iterator<char>(l), {}});
    }
    if (std::chrono::steady_clock::now() > until)
      throw std::runtime_error("parleyd did not listen within "
                               + std::to_string(limit.count() / 1000) + " s (see " + log_ + ")");
    std::this_thread::sleep_for(poll);
  }
}

std::uint16_t parleyd_process::port(const std::string& which) const {
  for (auto& [name, p] : ports_)
    if (name == which)
      return p;
  return 0;
}

std::uint64_t parleyd_process::rss_bytes() const {
  std::ifstream in{"/proc/" + std::to_string(pid_) + "/status"};
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      std::uint64_t kb = 0;
      in >> kb;
      return kb * 1024;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

void parleyd_process::kill(int sig) {
  if (pid_ <= 0)
    return;
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = 0;
}

} // namespace parley::bench
