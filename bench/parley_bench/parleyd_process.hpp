// parleyd_process: one real parleyd process for the scenarios that need a process to kill
// (crash, recovery). The scenario creates it (spawned at once, with `--config DIR/parley.toml
// --ports-file DIR/ports` and the given --set overrides, its output in DIR/parleyd-N.log),
// waits for it to listen, and ends it with kill(); the destructor sends SIGKILL to a process
// still running, so no run leaves a parleyd behind.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

namespace parley::bench {

class parleyd_process {
public:
  parleyd_process(const std::string& exe, const std::string& dir,
                  const std::vector<std::string>& sets, int n);
  ~parleyd_process() { kill(9); }
  parleyd_process(const parleyd_process&) = delete;
  parleyd_process& operator=(const parleyd_process&) = delete;

  /// Waits until parleyd listens (it opens its ports only after recovery), polling its
  /// ports file every `poll`. Throws when it exits first (with its log) or `limit` passes.
  void wait_listening(std::chrono::milliseconds limit,
                      std::chrono::milliseconds poll = std::chrono::milliseconds{50});

  /// The ports from the ports file ("interaction", "stat", "console", "metrics"; 0 before
  /// wait_listening()).
  std::uint16_t port(const std::string& which = "interaction") const;
  pid_t pid() const noexcept { return pid_; }
  const std::string& log() const noexcept { return log_; }
  /// Resident set size of the process from /proc (0 when gone).
  std::uint64_t rss_bytes() const;

  /// Sends `sig` and waits for the process (SIGTERM: a clean stop).
  void kill(int sig);

private:
  pid_t pid_ = 0;
  std::string dir_, log_;
  std::vector<std::pair<std::string, std::uint16_t>> ports_;
};

/// The directory of the running executable (parleyd is expected beside parley-bench).
std::string exe_dir();

/// Starts `args[0]` (a path) with `args`, stdout and stderr into `log` (truncated); its pid.
/// Throws std::runtime_error when it cannot start.
pid_t spawn_logged(const std::vector<std::string>& args, const std::string& log);

} // namespace parley::bench
