// child: a program started by a test (parleyd, python3), with its output in a file.
// The destructor kills it if it still runs, so a failing test leaves nothing behind.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace parley::test {

class child {
public:
  /// Starts argv[0] (a path) with stdout and stderr appended to `output_file`.
  child(const std::vector<std::string>& argv, const std::string& output_file);
  ~child();
  child(const child&) = delete;
  child& operator=(const child&) = delete;

  void signal(int signo);
  /// The exit code (128 + signal when killed), or nullopt if still running after `limit`.
  std::optional<int> wait(std::chrono::milliseconds limit);
  pid_t pid() const noexcept { return pid_; }

private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

/// Runs a program to completion (bounded by `limit`) and returns (exit code, output).
std::pair<int, std::string> run(const std::vector<std::string>& argv,
                                std::chrono::milliseconds limit = std::chrono::seconds{30});

std::string read_file(const std::string& path);

/// A fresh temporary directory for one test.
std::string temp_dir();

} // namespace parley::test
