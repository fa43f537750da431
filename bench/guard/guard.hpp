// guard: the performance regression guard (bench/README.md, "parley-guard").
//
// Instructions, counted by valgrind's callgrind, per lifecycle, per statistic notification
// and per dial attempt over a small fixed workload, compared with a committed baseline
// (bench/guard/baseline.json). Instruction counts do not move with machine noise the way
// wall-clock times do, so a growth past the baseline's tolerance is a regression.
//
// Two processes. `parley-guard engine` is the engine side, started by the driver under
// `valgrind --tool=callgrind --instr-atstart=no`: an embedded engine (the same library as
// parleyd) on port 0 that reads `start` / `stop NAME` / `quit` lines on stdin and turns
// them into callgrind client requests, so that only the measured regions are counted and
// each region is dumped to a file of its own. `parley-guard run` is the driver: a native
// process (not counted) that starts the engine side, drives the workloads over loopback TCP
// and the console, reads the dumps and compares them with the baseline. main() owns both.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace parley::guard {

/// The ports the engine side listens on, and its data directory.
struct engine_ports {
  std::uint16_t interaction = 0, stat = 0, console = 0, metrics = 0;
  std::string data_dir;
};

/// One measured workload: what one operation is and how many the region held.
struct figure {
  std::string name;  ///< lifecycle, stat_notification, dial_attempt
  std::string op;    ///< what one operation is, in words
  std::uint64_t ops = 0;
  std::uint64_t instructions = 0;  ///< in the region (engine side only)
  std::uint64_t storage = 0;       ///< of them inside the storage backends
  double per_op() const { return ops ? double(instructions) / double(ops) : 0; }
};

/// The engine side: runs until `quit` or the end of stdin. Returns the exit status.
int run_engine_side();

/// The engine side's config (TOML): queues `q` (agents) and `s` (statistics only), an agent
/// group for `a*`, campaign `d` on list `d` with a simulated gateway that never answers.
std::string guard_toml();

/// Sizes of the workloads (fixed: a figure is only comparable with the same sizes).
struct sizes {
  unsigned lifecycles = 300;
  unsigned warmup = 30;
  unsigned stats = 50;     ///< open statistics on queue `s`
  unsigned stat_events = 40;  ///< submits to `s`, each changing every statistic once
  unsigned dials = 400;    ///< records in list `d`: each dialed once
};

/// Marks a measured region on the engine side: on(), then off(name) once the work is done.
struct region_control {
  std::function<void()> on;
  std::function<void(const std::string&)> off;
};

/// The three workloads, driven over loopback TCP against `p`; each fills `ops` and calls
/// `rc` around its measured part. Throw std::runtime_error when the engine misbehaves.
figure lifecycle_workload(const engine_ports& p, const sizes& s, region_control& rc);
figure stats_workload(const engine_ports& p, const sizes& s, region_control& rc);
figure dial_workload(const engine_ports& p, const sizes& s, region_control& rc);

/// What one region cost: every instruction, and those inside calls into the storage
/// backends (parley::storage::*: SQLite or libpq work, whose batching depends on timing).
struct region_cost {
  std::uint64_t total = 0;
  std::uint64_t storage = 0;
};

/// The cost of every callgrind dump in `dir` whose trigger was a client request
/// `stop NAME`, by NAME. Throws when a dump cannot be read.
std::map<std::string, region_cost> read_dumps(const std::string& dir);

/// What the figures were compared with: bench/guard/baseline.json.
struct baseline {
  std::string build;  ///< the compiler and build type the figures hold for
  std::map<std::string, double> per_op;
  std::map<std::string, double> tolerance;  ///< growth allowed, per figure (0.01 = 1 %)
  std::map<std::string, std::uint64_t> ops;
};
baseline read_baseline(const std::string& path);
/// Figures named "*.storage" get `storage_tolerance`, the others `tolerance`.
void write_baseline(const std::string& path, const std::vector<figure>& figs, double tolerance,
                    double storage_tolerance, const std::string& note);

/// Each workload's figure split in two: NAME (every instruction outside the storage
/// backends) and NAME.storage (inside them), as compared with the baseline.
std::vector<figure> split_storage(const std::vector<figure>& figs);

/// The compiler and build type of this binary (e.g. "g++ 12.2.0 RelWithDebInfo").
std::string build_id();

} // namespace parley::guard
