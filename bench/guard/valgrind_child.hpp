// valgrind_child: the engine side of parley-guard as a child process of the driver, under
// `valgrind --tool=callgrind --instr-atstart=no` (or natively). The driver creates one per
// run; it talks to the child through the child's stdin and stdout (one command, one "ok"),
// keeps callgrind's dumps and the child's stderr in a temporary directory, and kills the
// child if it is destroyed before finish().
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <sys/types.h>

#include "bench/guard/guard.hpp"

namespace parley::guard {

/// True when `valgrind` can be run (a path, or a name found on PATH).
bool valgrind_available(const std::string& valgrind);

class valgrind_child {
public:
  /// `valgrind` empty: the engine side runs natively. `keep`: the directory stays.
  valgrind_child(std::string valgrind, bool keep);
  ~valgrind_child();
  valgrind_child(const valgrind_child&) = delete;
  valgrind_child& operator=(const valgrind_child&) = delete;

  /// Starts the child and waits for its ports (engine started). Throws on failure.
  engine_ports start();
  /// Sends one command line and waits for "ok". Throws with the child's log on failure.
  void command(const std::string& line);
  /// `quit`, waits for the child to exit, and returns the instructions of each region.
  std::map<std::string, region_cost> finish();

private:
  std::string read_line(int timeout_s);
  std::string log_tail() const;

  std::string valgrind_;
  bool keep_;
  std::string dir_;
  pid_t pid_ = 0;
  int to_child_ = -1, from_child_ = -1;
  std::string buffered_;
};

} // namespace parley::guard
