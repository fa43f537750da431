// parleyd_process: the real parleyd binary as a child process on free ports, for tests that
// must talk to the process users run (config from the file, signals, the console).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/child.hpp"

namespace parley::test {

/// Path of the built parleyd.
std::string parleyd_path();

class parleyd_process {
public:
  /// Starts parleyd with `config_file`, every port 0, a fresh data directory and `sets`
  /// (more --set KEY=VALUE), and waits for its ports file. With `dir` (the dir() of an
  /// earlier process, e.g. one killed with SIGKILL) it runs on that directory's data
  /// instead: a restart.
  explicit parleyd_process(const std::string& config_file, std::vector<std::string> sets = {},
                           const std::string& dir = {});

  /// The same with TOML text, written to a file in the process's directory first.
  static std::unique_ptr<parleyd_process> with_toml(const std::string& toml,
                                                    std::vector<std::string> sets = {},
                                                    const std::string& dir = {});

  /// interaction, vq, stat or console.
  std::uint16_t port(const std::string& name) const { return ports_.at(name); }
  std::string log() const;
  child& proc() { return *proc_; }
  const std::string& dir() const noexcept { return dir_; }

  /// Runs one console command and returns its answer (without the closing empty line).
  std::string console(const std::string& command) const;

private:
  std::string dir_;
  std::unique_ptr<child> proc_;
  std::map<std::string, std::uint16_t> ports_;
};

} // namespace parley::test
