// process_metrics: the numbers of Prometheus's standard process collector (process_cpu_
// seconds_total, process_resident_memory_bytes, ...), read from /proc/self at every scrape
// under the names every client library uses, so stock dashboards and alerts work on
// parleyd. Used by render_metrics; nothing to start or stop.
#pragma once

#include <optional>

#include "engine/metrics/page.hpp"

namespace parley::engine {

struct process_stats {
  double cpu_seconds = 0; ///< user + system CPU time
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;            ///< the soft RLIMIT_NOFILE
  double start_time_seconds = 0; ///< since the Unix epoch
};

/// This process's numbers; nullopt where /proc cannot be read (not Linux).
std::optional<process_stats> read_process_stats();

/// The process_* families (nothing without /proc).
void process_part(page& p);

} // namespace parley::engine
