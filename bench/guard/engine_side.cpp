// The engine side of parley-guard (guard.hpp): an embedded engine under callgrind whose
// measured regions the driver marks through stdin. Callgrind's client requests are no-ops
// outside valgrind, so the same binary also runs natively (`parley-guard run --native`).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include <stdlib.h>
#include <valgrind/callgrind.h>

#include "bench/guard/guard.hpp"
#include "engine/config.hpp"
#include "engine/engine.hpp"
#include "engine/logging.hpp"

namespace parley::guard {

std::string guard_toml() {
  return R"(
[routing]
media = ["voice"]
offer_timeout_ms = 600000
max_no_answer = 0

[[queues]]
name = "q"
max_size = 1000000

# Statistics only: no agent has the skill, so what is submitted here stays queued.
[[queues]]
name = "s"
max_size = 1000000
skills = { statistics_only = 1 }

[[agent_groups]]
name = "guard"
members = ["a*"]
capacity = { voice = 1 }
wrap_up_ms = 0

[outbound.gateway]
seed = 7
answer = 0.0
busy = 0.5
no_answer = 0.5
machine = 0.0
fax = 0.0
sit = 0.0
dropped = 0.0
ring_mean_ms = 2
no_answer_after_ms = 2
talk_mean_ms = 60000
max_lines = 100000

[[campaigns]]
name = "d"
lists = ["d"]
mode = "predictive"
queue = "q"
media = "voice"
window = "00:00-24:00"
lines_per_agent = 20.0
lease_chunk = 100
)";
}

int run_engine_side() {
  char tmpl[] = "/tmp/parley-guard-XXXXXX";
  if (!::mkdtemp(tmpl)) {
    std::fprintf(stderr, "parley-guard engine: cannot create a data_dir under /tmp\n");
    return 1;
  }
  std::string dir = tmpl;
  int rc = 0;
  try {
    // One actor thread and one I/O thread: as few threads as the engine allows, so that
    // the instructions counted are the work and not threads waiting for each other.
    // Heartbeats far apart: a ping during a region would count as the region's work.
    // Historical reporting off: its writer folds events in on its own timer, in batches
    // whose size depends on timing (docs/benchmarks.md measures it on its own).
    auto cfg = engine::parse_config(
      guard_toml(), "parley-guard",
      {"listen.interaction_port=0", "listen.vq_port=0", "listen.stat_port=0", "console.port=0",
       "metrics.port=0", "http.port=0", "log.level=\"warn\"", "engine.data_dir=\"" + dir + "\"",
       "engine.actor_threads=1", "engine.io_threads=1", "limits.max_requests_per_second=0",
       "timeouts.heartbeat_interval_ms=3600000", "timeouts.heartbeat_timeout_ms=7200000",
       "reporting.enabled=false"});
    engine::setup_logging(cfg.log);
    engine::engine eng{cfg};
    eng.start();
    std::cout << "ports " << eng.port(engine::listener_kind::interaction) << ' '
              << eng.port(engine::listener_kind::stat) << ' ' << eng.console_port() << ' '
              << eng.metrics_port() << ' ' << dir << std::endl;
    for (std::string line; std::getline(std::cin, line);) {
      if (line == "start") {
        CALLGRIND_START_INSTRUMENTATION;
        CALLGRIND_ZERO_STATS;
      } else if (line.rfind("stop ", 0) == 0) {
        CALLGRIND_DUMP_STATS_AT(line.c_str());
        CALLGRIND_STOP_INSTRUMENTATION;
      } else if (line == "quit") {
        break;
      } else {
        std::cout << "error unknown command " << line << std::endl;
        continue;
      }
      std::cout << "ok" << std::endl;
    }
    eng.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parley-guard engine: %s\n", e.what());
    rc = 1;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return rc;
}

} // namespace parley::guard
