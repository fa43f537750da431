#include "bench/parley_bench/harness.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/asio/post.hpp>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/logging.hpp"

namespace parley::bench {

using namespace std::chrono_literals;

// -- process facts ------------------------------------------------------------------------

std::uint64_t rss_bytes(int pid) {
  std::ifstream in{pid ? "/proc/" + std::to_string(pid) + "/statm" : std::string{"/proc/self/statm"}};
  std::uint64_t size = 0, resident = 0;
  if (!(in >> size >> resident))
    return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t raise_fd_limit() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return 0;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit want = lim;
    want.rlim_cur = lim.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &want) == 0)
      lim = want;
  }
  return lim.rlim_cur;
}

double stat_cpu_s(const std::string& stat_path) {
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::ifstream stat_in{stat_path};
  std::string stat{std::istreambuf_iterator<char>{stat_in}, {}};
  auto close = stat.rfind(')');
  if (close == std::string::npos)
    return 0;
  // After "pid (comm)" come fields 3...; utime and stime are fields 14 and 15.
  std::istringstream rest{stat.substr(close + 2)};
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14)
      utime = std::stod(field);
    if (i == 15)
      stime = std::stod(field);
  }
  return (utime + stime) / ticks;
}

cpu_times cpu_now() {
  cpu_times out;
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  auto self = std::to_string(::getpid());
  std::error_code ec;
  for (auto& task : std::filesystem::directory_iterator{"/proc/self/task", ec}) {
    std::ifstream comm_in{task.path() / "comm"};
    std::string comm;
    std::getline(comm_in, comm);
    auto used = stat_cpu_s((task.path() / "stat").string());
    bool loadgen = comm.rfind("bench.", 0) == 0 || task.path().filename() == self;
    (loadgen ? out.loadgen_s : out.engine_s) += used;
  }
  // cpu  user nice system idle iowait irq softirq steal ...
  std::ifstream stat_in{"/proc/stat"};
  std::string cpu;
  double user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
  if (stat_in >> cpu >> user >> nice >> sys >> idle >> iowait >> irq >> softirq)
    out.machine_busy_s = (user + nice + sys + irq + softirq) / ticks;
  return out;
}

void add_cpu_fields(result& r, const cpu_times& from, const cpu_times& to) {
  auto wall = std::chrono::duration<double>(to.at - from.at).count();
  if (wall <= 0)
    return;
  r.extra.push_back({"cpu_engine_pct", 100 * (to.engine_s - from.engine_s) / wall,
                     "cpu: engine threads", "% of one core"});
  r.extra.push_back({"cpu_loadgen_pct", 100 * (to.loadgen_s - from.loadgen_s) / wall,
                     "cpu: load generator threads", "% of one core"});
  auto ours = (to.engine_s - from.engine_s) + (to.loadgen_s - from.loadgen_s);
  auto other = std::max(0.0, 100 * ((to.machine_busy_s - from.machine_busy_s) - ours) / wall);
  r.extra.push_back({"cpu_other_pct", other, "cpu: other processes", "% of one core"});
  if (other >= 20)
    r.notes.push_back("other processes (or kernel work not charged to this one) used "
                      + std::to_string(static_cast<int>(other))
                      + " % of a core during the run: the figures are lower and noisier than on "
                        "an idle machine");
}

// -- progress_bar ---------------------------------------------------------------------------

progress_bar::progress_bar(std::string label, bool enabled)
  : label_(std::move(label)), enabled_(enabled) {
}

void progress_bar::update(double done_fraction, double elapsed_s, std::uint64_t count, double rate,
                          std::uint64_t errors, const std::string& extra) {
  if (!enabled_)
    return;
  auto now = steady::now();
  if (drawn_ && now - last_ < 200ms)
    return;
  last_ = now;
  drawn_ = true;
  constexpr int width = 24;
  auto filled = static_cast<int>(std::clamp(done_fraction, 0.0, 1.0) * width);
  std::string bar(filled, '#');
  bar.resize(width, '.');
  std::fprintf(stderr, "\r\033[K%s [%s] %5.1f s  %s  %s/s  errors %s%s%s", label_.c_str(),
               bar.c_str(), elapsed_s, grouped(count).c_str(),
               grouped(static_cast<std::uint64_t>(rate)).c_str(), grouped(errors).c_str(),
               extra.empty() ? "" : "  ", extra.c_str());
  std::fflush(stderr);
}

void progress_bar::clear() {
  if (enabled_ && drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
}

// -- harness ----------------------------------------------------------------------------

harness::harness(options o)
  : opts_(std::move(o)),
    progress_(opts_.scenario,
              !opts_.no_progress && ::isatty(STDOUT_FILENO) && ::isatty(STDERR_FILENO)) {
  raise_fd_limit();  // every connection costs a descriptor, two when the engine is embedded
  for (unsigned i = 0; i < std::max(1u, opts_.io_threads); ++i) {
    io_.push_back(std::make_unique<client::io_thread>());
    // Named so that cpu_now() can tell the load generator from the engine.
    boost::asio::post(io_.back()->context(), [name = "bench.io" + std::to_string(i)] {
      ::pthread_setname_np(::pthread_self(), name.c_str());
    });
  }
}

harness::~harness() {
  progress_.clear();
  finish_clients();
  clients_.clear();
  io_.clear();
  stop_engine();
}

std::string harness::target() const {
  return embedded() ? "embedded engine" : "engine at " + opts_.connect;
}

void harness::start_engine(const std::string& toml, std::size_t connections) {
  if (!embedded()) {
    auto colon = opts_.connect.rfind(':');
    if (colon == std::string::npos || colon == 0)
      throw std::runtime_error("--connect wants HOST:PORT, got \"" + opts_.connect + "\"");
    host_ = opts_.connect.substr(0, colon);
    auto p = std::strtoul(opts_.connect.c_str() + colon + 1, nullptr, 10);
    if (p == 0 || p > 65535)
      throw std::runtime_error("--connect: bad port in \"" + opts_.connect + "\"");
    port_ = static_cast<std::uint16_t>(p);
    return;
  }
  char tmpl[] = "/tmp/parley-bench-XXXXXX";
  if (!::mkdtemp(tmpl))
    throw std::runtime_error("cannot create a temporary data_dir under /tmp");
  data_dir_ = tmpl;
  std::vector<std::string> overrides{
    "log.level=warn", "timeouts.shutdown_ms=3000", "engine.data_dir=\"" + data_dir_ + "\"",
    "limits.max_connections=" + std::to_string(connections + 64)};
  // Every port the engine listens on (listeners, console, metrics, ...) on 0: a bench run
  // never collides with a running parleyd or another run. [redis] is a client's port.
  std::istringstream keys{engine::describe_config()};
  for (std::string line; std::getline(keys, line);) {
    auto key = line.substr(0, line.find_first_of(" ="));
    if (key.size() > 4 && key.compare(key.size() - 4, 4, "port") == 0
        && (key[key.size() - 5] == '.' || key[key.size() - 5] == '_') && key.rfind("redis.", 0) != 0)
      overrides.push_back(key + "=0");
    if (key == "limits.max_requests_per_second")  // a load generator is not abuse
      overrides.push_back(key + "=0");
  }
  overrides.insert(overrides.end(), opts_.engine_set.begin(), opts_.engine_set.end());
  auto cfg = engine::parse_config(toml, "parley-bench " + opts_.scenario, overrides);
  engine::setup_logging(cfg.log);
  engine_ = std::make_unique<engine::engine>(cfg);
  engine_->start();
  port_ = engine_->port(engine::listener_kind::interaction);
  stat_port_ = engine_->port(engine::listener_kind::stat);
}

void harness::stop_engine() {
  if (engine_) {
    engine_->stop();
    engine_.reset();
  }
  if (!data_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(data_dir_, ignored);
    data_dir_.clear();
  }
}

std::shared_ptr<client::client> harness::make_client(const std::string& name,
                                                     wire::ClientType type, bool stat_port) {
  client::options o;
  o.host = host_;
  o.port = stat_port ? stat_port_ : port_;
  o.name = name;
  o.type = type;
  o.reconnect = false;  // a lost connection is an error to count, not to paper over
  auto& io = *io_[next_io_++ % io_.size()];
  auto c = client::client::create(io.executor(), o);
  c->on_state([this](client::state s, const std::string& why) {
    if (s == client::state::stopped && !errors_.closing)
      errors_.record_disconnect(why);
  });
  clients_.push_back(c);
  return c;
}

bool harness::wait_registered(const std::vector<std::shared_ptr<client::client>>& clients,
                              std::chrono::milliseconds limit) {
  auto until = steady::now() + limit;
  for (auto& c : clients) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - steady::now());
    if (!c->wait_registered(std::max(left, 0ms)))
      return false;
  }
  return true;
}

void harness::finish_clients() {
  if (finished_)
    return;
  finished_ = true;
  errors_.closing = true;
  for (auto& c : clients_)
    c->stop();
  auto until = steady::now() + 5s;
  for (auto& c : clients_)
    while (c->current_state() != client::state::stopped && steady::now() < until)
      std::this_thread::sleep_for(2ms);
  // Barriers per io thread: callbacks already queued (the stopped requests' answers) run
  // before the scenario's state goes away. Twice, for what those callbacks queue in turn.
  for (int round = 0; round < 2; ++round)
    for (auto& io : io_) {
      auto p = std::make_shared<std::promise<void>>();
      auto f = p->get_future();
      boost::asio::post(io->context(), [p] { p->set_value(); });
      f.wait_for(5s);
    }
}

void harness::new_round() {
  finish_clients();
  clients_.clear();
  finished_ = false;
  errors_.closing = false;
}

void harness::wait_until(steady::time_point deadline, const std::function<bool()>& done,
                         const std::function<void()>& tick) {
  for (;;) {
    if (tick)
      tick();
    if ((done && done()) || steady::now() >= deadline)
      return;
    std::this_thread::sleep_for(std::min<steady::duration>(20ms, deadline - steady::now()));
  }
}

} // namespace parley::bench
