#include "support/child.hpp"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace parley::test {

child::child(const std::vector<std::string>& argv, const std::string& output_file) {
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int fd = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    ::execv(args[0], args.data());
    ::_exit(127);
  }
}

child::~child() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds{5});
  }
}

void child::signal(int signo) {
  if (!status_ && pid_ > 0)
    ::kill(pid_, signo);
}

std::optional<int> child::wait(std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!status_) {
    int st = 0;
    auto r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (std::chrono::steady_clock::now() > until)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return status_;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string temp_dir() {
  std::string tmpl = "/tmp/parley-test-XXXXXX";
  if (!::mkdtemp(tmpl.data()))
    throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

std::pair<int, std::string> run(const std::vector<std::string>& argv,
                                std::chrono::milliseconds limit) {
  auto out = temp_dir() + "/output";
  child c{argv, out};
  auto code = c.wait(limit);
  if (!code) {
    c.signal(SIGKILL);
    c.wait(std::chrono::seconds{5});
    return {-1, read_file(out) + "\n(killed: ran longer than the limit)"};
  }
  return {*code, read_file(out)};
}

} // namespace parley::test
