#include "engine/metrics/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace parley::engine {

namespace {

/// The fields of /proc/self/stat after "pid (comm)": [0] is field 3 (state) of proc(5).
std::vector<std::string> stat_fields() {
  std::ifstream in{"/proc/self/stat"};
  std::string line;
  if (!std::getline(in, line))
    return {};
  auto close = line.rfind(')'); // comm may hold blanks and parentheses
  if (close == std::string::npos)
    return {};
  std::istringstream rest{line.substr(close + 1)};
  std::vector<std::string> out;
  for (std::string f; rest >> f;)
    out.push_back(f);
  return out;
}

double boot_time_seconds() {
  std::ifstream in{"/proc/stat"};
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

} // namespace

std::optional<process_stats> read_process_stats() {
  auto f = stat_fields();
  // Field k of proc(5) is f[k - 3]: utime 14, stime 15, starttime 22, vsize 23, rss 24.
  if (f.size() < 22)
    return std::nullopt;
  auto ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  auto page_bytes = static_cast<double>(::sysconf(_SC_PAGESIZE));
  process_stats s;
  try {
    s.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
    s.start_time_seconds = boot_time_seconds() + std::stod(f[19]) / ticks;
    s.virtual_bytes = std::stod(f[20]);
    s.resident_bytes = std::stod(f[21]) * page_bytes;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::error_code ec;
  for (std::filesystem::directory_iterator it{"/proc/self/fd", ec}, end; !ec && it != end;
       it.increment(ec))
    ++s.open_fds;
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0)
    s.max_fds = static_cast<double>(lim.rlim_cur); // unlimited: 2^64 - 1, as client_golang
  return s;
}

void process_part(page& p) {
  auto s = read_process_stats();
  if (!s)
    return;
  p.single("process_cpu_seconds_total", "counter",
           "Total user and system CPU time spent in seconds.", s->cpu_seconds);
  p.single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
           s->resident_bytes);
  p.single("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
           s->virtual_bytes);
  p.single("process_open_fds", "gauge", "Number of open file descriptors.", s->open_fds);
  p.single("process_max_fds", "gauge", "Maximum number of open file descriptors.", s->max_fds);
  p.single("process_start_time_seconds", "gauge",
           "Start time of the process since unix epoch in seconds.", s->start_time_seconds);
}

} // namespace parley::engine
