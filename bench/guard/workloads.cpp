// The workloads of parley-guard (guard.hpp), each one operation at a time so that the same
// run does the same work: no window whose fill depends on timing, no request racing another.
// Setup (connections, logins, opening statistics, importing the list) happens before the
// measured region, and each region ends only when its last operation is fully done.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <sqlite3.h>

#include "bench/guard/guard.hpp"
#include "bench/parley_bench/outbound.hpp"
#include "protocol/client/client.hpp"

namespace parley::guard {

using namespace std::chrono_literals;
using build_fn = client::client::build_fn;
using fbb = flatbuffers::FlatBufferBuilder;

namespace {

template <class F>
build_fn make(F f) {
  return [f = std::move(f)](protocol::encoder& e, std::uint64_t ref) { return e.finish(ref, f(e.start())); };
}

/// One connection and the events it received, waited for one at a time.
class conn {
public:
  conn(client::io_thread& io, std::uint16_t port, const std::string& name, wire::ClientType type) {
    client::options o;
    o.port = port;
    o.name = name;
    o.type = type;
    o.reconnect = false;
    o.request_timeout = 60s;  // the engine runs under valgrind: slow, never stuck
    cl_ = client::client::create(io.executor(), o);
    cl_->on_event([this](const client::answer& a) {
      std::lock_guard l{mx_};
      events_.push_back(a);
      cv_.notify_all();
    });
    cl_->start();
    if (!cl_->wait_registered(60s))
      throw std::runtime_error(name + " could not register");
  }
  ~conn() { cl_->stop(); }

  /// Sends a request and waits for its answer; throws unless the engine accepted it.
  client::answer ask(build_fn f, const char* what) {
    auto a = cl_->request(std::move(f)).get();
    if (!a.ok())
      throw std::runtime_error(std::string{what} + ": " + a.error_text());
    return a;
  }

  /// The next event of type T (others are dropped), within 60 s.
  template <class T>
  client::answer next() {
    std::unique_lock l{mx_};
    auto until = std::chrono::steady_clock::now() + 60s;
    for (;;) {
      while (!events_.empty()) {
        auto a = std::move(events_.front());
        events_.pop_front();
        if (a.as<T>())
          return a;
      }
      if (cv_.wait_until(l, until) == std::cv_status::timeout)
        throw std::runtime_error("an expected event did not come within 60 s");
    }
  }

private:
  std::shared_ptr<client::client> cl_;
  std::mutex mx_;
  std::condition_variable cv_;
  std::deque<client::answer> events_;
};

build_fn submit(const char* queue) {
  return make([queue](fbb& b) { return wire::CreateSubmitDirect(b, "", "", "voice", queue, 0); });
}

/// One agent desk, logged in and ready.
std::unique_ptr<conn> ready_desk(client::io_thread& io, const engine_ports& p) {
  auto d = std::make_unique<conn>(io, p.interaction, "guard-desk", wire::ClientType::agent_desktop);
  d->ask(make([](fbb& b) { return wire::CreateAgentLoginDirect(b, "a1"); }), "agent login");
  d->ask(make([](fbb& b) { return wire::CreateAgentReady(b); }), "agent ready");
  return d;
}

/// submit -> Invite -> Accept -> StopProcessing -> the gateway's ProcessingStopped.
void one_lifecycle(conn& gw, conn& desk) {
  auto id = gw.ask(submit("q"), "submit").as<wire::Submitted>()->interaction_id();
  auto inv = desk.next<wire::Invite>();
  if (inv.as<wire::Invite>()->info()->id() != id)
    throw std::runtime_error("the desk was invited to another interaction");
  desk.ask(make([id](fbb& b) { return wire::CreateAccept(b, id); }), "accept");
  desk.ask(make([id](fbb& b) { return wire::CreateStopProcessing(b, id); }), "stop");
  gw.next<wire::ProcessingStopped>();
}

/// Lets the engine finish what the setup started (the writer's last commit above all): a
/// call under way when a region starts would be counted with its cost before the start.
void quiet() {
  std::this_thread::sleep_for(500ms);
}

/// History rows of the engine's SQLite file (attempts), read beside the engine.
std::int64_t attempt_rows(const std::string& path) {
  sqlite3* db = nullptr;
  std::int64_t out = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM attempts", -1, &s, nullptr) == SQLITE_OK
        && sqlite3_step(s) == SQLITE_ROW)
      out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

} // namespace

figure lifecycle_workload(const engine_ports& p, const sizes& s, region_control& rc) {
  client::io_thread io;
  conn gw{io, p.interaction, "guard-gateway", wire::ClientType::media_gateway};
  auto desk = ready_desk(io, p);
  for (unsigned i = 0; i < s.warmup; ++i)  // first-time costs (statements, allocations) out
    one_lifecycle(gw, *desk);
  quiet();
  rc.on();
  for (unsigned i = 0; i < s.lifecycles; ++i)
    one_lifecycle(gw, *desk);
  // What follows the last stop (its reporting events, the writer's commit) is part of it.
  std::this_thread::sleep_for(300ms);
  rc.off("lifecycle");
  return {"lifecycle", "submit -> queued -> offered -> accepted -> stopped (gateway and desk over TCP, SQLite commit)",
          s.lifecycles, 0};
}

figure stats_workload(const engine_ports& p, const sizes& s, region_control& rc) {
  client::io_thread io;
  conn gw{io, p.interaction, "guard-gateway", wire::ClientType::media_gateway};
  conn board{io, p.stat, "guard-board", wire::ClientType::stat_client};
  for (unsigned i = 0; i < s.stats; ++i) {
    auto metric = i % 2 ? "current_in_queue" : "entered";
    board.ask(make([metric](fbb& b) {
                return wire::CreateOpenStat(b, wire::StatObjectType::queue, b.CreateString("s"),
                                            b.CreateString(metric));
              }),
              "open statistic");
  }
  auto drive = [&] {  // one submit changes every statistic once: wait for all of them
    gw.ask(submit("s"), "submit");
    for (unsigned k = 0; k < s.stats; ++k)
      board.next<wire::StatInfo>();
  };
  for (unsigned i = 0; i < 3; ++i)
    drive();
  quiet();
  rc.on();
  for (unsigned i = 0; i < s.stat_events; ++i)
    drive();
  std::this_thread::sleep_for(300ms);
  rc.off("stat_notification");
  return {"stat_notification",
          "one on-change notification of " + std::to_string(s.stats) + " open on a queue, driven by submits to it",
          std::uint64_t{s.stats} * s.stat_events, 0};
}

figure dial_workload(const engine_ports& p, const sizes& s, region_control& rc) {
  client::io_thread io;
  auto desk = ready_desk(io, p);  // a predictive campaign dials only while agents are there
  bench::console_link con{"127.0.0.1", p.console};
  bench::write_contact_list(p.data_dir + "/import", "d.csv", s.dials);
  bench::import_list(con, "d", "d.csv", s.dials, 120s);
  const auto db = p.data_dir + "/parley.db";
  quiet();
  rc.on();
  if (con.ask("campaign start d").find(" running ") == std::string::npos)
    throw std::runtime_error("campaign d did not start");
  // Every record is dialed once (busy and no answer are retried minutes later): two
  // history rows each once its call ended. Read from the database file, not the engine.
  auto until = std::chrono::steady_clock::now() + 300s;
  while (attempt_rows(db) < 2 * std::int64_t{s.dials}) {
    if (std::chrono::steady_clock::now() > until)
      throw std::runtime_error("the campaign did not dial its list within 300 s");
    std::this_thread::sleep_for(20ms);
  }
  con.ask("campaign stop d");
  std::this_thread::sleep_for(300ms);
  rc.off("dial_attempt");
  auto st = bench::campaign_status_of(con, "d");
  if (st.dialed != s.dials)
    throw std::runtime_error("campaign d dialed " + std::to_string(st.dialed) + " of "
                             + std::to_string(s.dials) + " records");
  return {"dial_attempt",
          "a predictive campaign's dial: lease, compliance, pacing, dialer session, simulated gateway (busy or no answer), history",
          s.dials, 0};
}

} // namespace parley::guard
