// harness: what every parley-bench scenario stands on.
//
// main() creates one harness per run. It owns, in this order of teardown: the client io
// threads and every client created through it (finish_clients() stops them and joins the
// threads, so scenario state captured by callbacks must outlive that call), and the embedded
// engine (start_engine(), stop_engine(); nothing with --connect). It also draws the progress
// bar, counts errors, and reads the process's RSS and file-descriptor limit.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench/parley_bench/report.hpp"
#include "engine/engine.hpp"
#include "protocol/client/client.hpp"

namespace parley::bench {

using steady = std::chrono::steady_clock;

/// The hard cap on the real time of one virtual-time run (simulate, pacing).
inline constexpr double max_real_hours = 24;

/// The steady time `seconds` from now.
inline steady::time_point after(double seconds) {
  return steady::now()
         + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(seconds));
}

/// Command-line options; 0 for a count means "the scenario's default".
struct options {
  std::string scenario;
  double duration_s = 10;
  double drain_s = 2;
  bool json = false;
  std::string connect;             ///< HOST:PORT of a running engine's interaction port
  unsigned io_threads = 1;         ///< client io threads
  std::vector<std::string> engine_set;  ///< --set key=value for the embedded engine
  std::string queue = "q";
  std::string media = "voice";
  std::string agent_prefix = "a";
  unsigned gateways = 0;
  unsigned window = 0;
  unsigned agents = 200;
  double rate = 5000;
  unsigned clients = 50;
  unsigned pipeline = 1;
  unsigned count = 0;
  int engine_pid = 0;              ///< capacity --connect: the engine's pid, for its RSS
  unsigned concurrency = 256;      ///< agents: logins in progress at once
  unsigned queues = 100;           ///< stats: queues the statistics and submits spread over
  unsigned boards = 10;            ///< stats: wallboard connections on 2060
  double refresh_s = 0;            ///< dashboards: the periodic statistics' refresh (default 10)
  double stats_rate = 0;           ///< stats: submits per second by the clock; 0 = closed loop
  bool no_reference = false;
  std::string backend = "sqlite";  ///< crash: "sqlite" or "postgresql"
  std::string dsn;                 ///< crash: PostgreSQL connection string
  unsigned rounds = 0;             ///< crash: kill -9 rounds
  std::string parleyd;             ///< crash: the parleyd binary (default: beside parley-bench)
  bool no_progress = false;
  // simulate: a traffic profile (0: the preset's value) on scaled time
  std::string preset = "westbay";
  std::string sim_mode = "virtual";  ///< simulate: virtual (discrete-event time) or scaled
  double patience_s = 0;             ///< simulate: callers' mean patience (0: nobody abandons)
  double calls_per_hour = 0;
  double aht_s = 0;
  unsigned sim_agents = 0;
  double sl_target_s = 0;
  double hours = 8;            ///< measured domain hours, after the warm-up
  double warmup_h = 0.25;      ///< domain hours before the measurement starts
  double scale = 100;          ///< engine.clock_scale: domain seconds per real second (scaled mode)
  std::uint64_t seed = 1;
  unsigned batches = 20;       ///< batch means for the confidence intervals
  // outbound (pacing, dial): the simulated gateway and the campaigns; 0 (or < 0 for the
  // answer share): the scenario's default
  double answer_share = -1;    ///< share of calls a live person answers
  double ring_s = 0;           ///< mean ring time, domain seconds
  double no_answer_s = 0;      ///< no answer after, domain seconds
  double talk_s = 120;         ///< pacing: mean talk time (exponential), domain seconds
  double machine_share = 0;    ///< pacing: share of calls an answering machine answers
  std::string machine_policy = "drop";  ///< pacing: the campaign's answering_machine
  double lines_per_agent = 0;  ///< the campaigns' lines_per_agent
  double target_abandon = 0.03;
  unsigned lease_chunk = 0;
  unsigned max_in_flight = 0;  ///< dial: per campaign, 0: no cap
  unsigned campaigns = 1;      ///< dial: campaigns, one list each
  double warmup_s = 2;         ///< dial: real seconds before the measured window
  std::string gateway = "simulated";  ///< dial: "external" = parley-dial-gateway (after an embedded pass)
};

/// Microseconds on the steady clock: what latencies are measured in.
inline std::uint64_t now_us() {
  return static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::microseconds>(steady::now().time_since_epoch()).count());
}

/// A process's resident set size from /proc/PID/statm: this process's when `pid` is 0
/// (0 when unreadable).
std::uint64_t rss_bytes(int pid = 0);

/// CPU time this process's threads used so far, split by who they belong to: threads named
/// "bench.*" (client io threads, the pacer) and the main thread are the load generator,
/// every other thread (CAF's "caf.*", the engine's unnamed io threads) the embedded engine.
struct cpu_times {
  double engine_s = 0;
  double loadgen_s = 0;
  double machine_busy_s = 0;  ///< every process on the machine (/proc/stat)
  steady::time_point at = steady::now();
};
cpu_times cpu_now();
/// utime + stime, in seconds, from a /proc stat file ("/proc/PID/stat", a task's); 0 when
/// unreadable.
double stat_cpu_s(const std::string& stat_path);
/// Appends cpu_engine_pct, cpu_loadgen_pct and cpu_other_pct (other processes; 100 = one
/// core busy) between two samples, and a note when other processes took a noticeable share.
void add_cpu_fields(result& r, const cpu_times& from, const cpu_times& to);

/// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft limit now in force.
std::uint64_t raise_fd_limit();

/// A one-line progress bar on stderr, drawn at most ~5 times a second when stdout and
/// stderr are terminals (and --no-progress is not given).
class progress_bar {
public:
  progress_bar(std::string label, bool enabled);
  /// `done_fraction` of the run is over; `count` so far, `rate` per second, `errors`.
  void update(double done_fraction, double elapsed_s, std::uint64_t count, double rate,
              std::uint64_t errors, const std::string& extra = "");
  /// Erases the bar.
  void clear();

private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  steady::time_point last_{};
};

class harness {
public:
  explicit harness(options o);
  ~harness();
  harness(const harness&) = delete;
  harness& operator=(const harness&) = delete;

  const options& opts() const noexcept { return opts_; }
  bool embedded() const noexcept { return opts_.connect.empty(); }
  /// "embedded engine" or "engine at HOST:PORT".
  std::string target() const;

  /// Starts the embedded engine from `toml` (queues, groups, routing) with every port 0,
  /// log level warn, a temporary data_dir and max_connections above `connections`; the
  /// user's --set overrides come last. With --connect: only resolves HOST:PORT.
  /// Throws std::runtime_error when the engine cannot start.
  void start_engine(const std::string& toml, std::size_t connections);
  void stop_engine();
  engine::engine* engine_ptr() noexcept { return engine_.get(); }
  /// The embedded engine's temporary engine.data_dir ("" before start_engine()).
  const std::string& data_dir() const noexcept { return data_dir_; }
  const std::string& host() const noexcept { return host_; }
  std::uint16_t port() const noexcept { return port_; }

  /// A client for the target, not started yet: set on_event, then start() it. It does not
  /// reconnect; a dropped connection is counted as an error.
  /// `stat_port`: to the statistics listener (2060) instead of the interaction one.
  std::shared_ptr<client::client> make_client(const std::string& name, wire::ClientType type,
                                              bool stat_port = false);
  /// Waits until every client is registered (or stopped); false on timeout or a failure.
  bool wait_registered(const std::vector<std::shared_ptr<client::client>>& clients,
                       std::chrono::milliseconds limit);
  std::size_t client_count() const noexcept { return clients_.size(); }
  /// Stops every client (their cut-short requests are not errors), waits for them, joins
  /// the io threads. Idempotent.
  void finish_clients();
  /// Finishes the clients (finish_clients()) and forgets them, so that a scenario's next
  /// round (a second engine) makes new ones. The io threads stay.
  void new_round();

  error_counts& errors() noexcept { return errors_; }
  progress_bar& progress() noexcept { return progress_; }

  /// Sleeps on the calling (main) thread until `deadline` or until `done()` holds, calling
  /// `tick()` about every 20 ms (progress updates, pacing of new work).
  void wait_until(steady::time_point deadline, const std::function<bool()>& done,
                  const std::function<void()>& tick);

private:
  options opts_;
  std::string data_dir_;
  std::unique_ptr<engine::engine> engine_;
  std::string host_ = "127.0.0.1";
  std::uint16_t port_ = 0;
  std::uint16_t stat_port_ = 0;
  std::vector<std::unique_ptr<client::io_thread>> io_;
  std::vector<std::shared_ptr<client::client>> clients_;
  std::size_t next_io_ = 0;
  bool finished_ = false;
  error_counts errors_;
  progress_bar progress_;
};

/// Calls harness::finish_clients() when it goes out of scope. Declare it after the last
/// object that client callbacks capture: then neither a return nor an exception can leave
/// callbacks running on freed state.
class clients_guard {
public:
  explicit clients_guard(harness& h) : h_(h) {}
  ~clients_guard() { h_.finish_clients(); }
  clients_guard(const clients_guard&) = delete;
  clients_guard& operator=(const clients_guard&) = delete;

private:
  harness& h_;
};

} // namespace parley::bench
