// crash: the persistence promise under kill -9. Rounds of: start parleyd (a real process, on
// one SQLite file or PostgreSQL database for the whole run), check the previous round,
// load it (gateways submit with external ids, some stop what they submitted), SIGKILL it at
// a random moment (seeded). Checking a round = the clients retry every submit with the same
// external id, as a real gateway does after a reconnect:
//   - acknowledged submit        -> the engine says `existing`, same id, in its last acked
//                                   state (queued; stopped when the stop was acked)
//   - unacknowledged submit      -> found (existing) or created now — once either way
// At the end parleyd stops cleanly and the database itself is read: every external id is
// stored exactly once. Anything else is an error and parley-bench exits non-zero.
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include <unistd.h>

#include "bench/parley_bench/messages.hpp"
#include "bench/parley_bench/parleyd_process.hpp"
#include "bench/parley_bench/scenarios.hpp"
#include "storage/store.hpp"

namespace parley::bench {

namespace {

enum class fate : std::uint8_t { sent, acked, stop_sent, stopped };

struct entry {
  std::string ext;
  fate f = fate::sent;
  std::uint64_t id = 0;
};

/// One parleyd process, listening (recovered) when constructed.
struct parleyd : parleyd_process {
  parleyd(const std::string& exe, const std::string& dir, const std::vector<std::string>& sets, int n)
    : parleyd_process(exe, dir, sets, n) {
    wait_listening(std::chrono::seconds{30});
  }
};

/// Gateways on one io thread: the callbacks never run concurrently.
struct gateways {
  client::io_thread io;
  std::vector<std::shared_ptr<client::client>> all;

  gateways(std::uint16_t port, unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      client::options o;
      o.port = port;
      o.name = "crash-gw-" + std::to_string(i);
      o.reconnect = false;
      o.request_timeout = std::chrono::seconds{20};
      auto c = client::client::create(io.executor(), o);
      c->start();
      all.push_back(c);
    }
    for (auto& c : all)
      if (!c->wait_registered(std::chrono::seconds{10}))
        throw std::runtime_error("a gateway could not register");
  }
  ~gateways() {
    for (auto& c : all)
      c->stop();
  }
};

msg::build_fn submit_ext(const std::string& ext, const std::string& queue) {
  return msg::make([ext, queue](msg::fbb& b) {
    return wire::CreateSubmitDirect(b, ext.c_str(), "", "voice", queue.c_str(), 0);
  });
}

struct tally {
  std::uint64_t acked = 0, stops_acked = 0, unacked = 0, unacked_found = 0, lost = 0,
                wrong_state = 0, duplicates = 0, retry_failed = 0;
};

/// Retries every submit of a round with its external id and checks the answers.
void check_round(std::uint16_t port, std::vector<entry>& round, const std::string& queue,
                 tally& t, error_counts& errors) {
  gateways gw{port, 1};
  std::mutex mx;
  std::size_t next = 0, done = 0;
  std::function<void()> send_next = [&] {
    if (next >= round.size())
      return;
    auto& e = round[next++];
    gw.all[0]->request(submit_ext(e.ext, queue), [&, &e = e](client::answer a) {
      std::lock_guard l{mx};
      ++done;
      if (!a.ok()) {
        ++t.retry_failed;
        errors.record(a);
      } else {
        auto* s = a.as<wire::Submitted>();
        auto state = s->state();
        switch (e.f) {
          case fate::sent:  // unacknowledged: found or created, either is right
            t.unacked_found += s->existing() ? 1 : 0;
            break;
          case fate::acked:
          case fate::stop_sent:
          case fate::stopped:
            if (!s->existing() || s->interaction_id() != e.id) {
              ++t.lost;
              errors.record_other("lost", e.ext + " was acknowledged as " + std::to_string(e.id)
                                            + " but the engine does not have it");
            } else if ((e.f == fate::acked && state != wire::InteractionState::queued)
                       || (e.f == fate::stopped && state != wire::InteractionState::stopped)) {
              ++t.wrong_state;
              errors.record_other("wrong_state", e.ext + " is "
                                                   + wire::EnumNameInteractionState(state));
            }
            break;
        }
      }
      send_next();
    });
  };
  {
    std::lock_guard l{mx};
    for (int i = 0; i < 64; ++i)
      send_next();
  }
  for (int i = 0; i < 6000; ++i) {
    {
      std::lock_guard l{mx};
      if (done == round.size())
        return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{10});
  }
  throw std::runtime_error("retrying the submits of a round did not finish in 60 s");
}

} // namespace

result run_crash(harness& h) {
  auto& o = h.opts();
  result r;
  r.scenario = "crash";
  r.target = "parleyd processes, storage " + o.backend;
  r.embedded = false;
  r.count_what = "acknowledged submits checked after kill -9";
  r.latency_what = "Submit sent -> Submitted (before the kill)";
  auto exe = o.parleyd.empty() ? exe_dir() + "/parleyd" : o.parleyd;
  auto dir = std::filesystem::temp_directory_path() / ("parley-crash-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream cfg{dir / "parley.toml"};
    cfg << "[[queues]]\nname = \"" << o.queue << "\"\nmax_size = 10000000\n";
  }
  std::vector<std::string> sets{"listen.interaction_port=0", "listen.vq_port=0", "listen.stat_port=0",
                                "console.port=0", "metrics.port=0", "http.port=0", "log.level=\"warn\"",
                                "engine.data_dir=\"" + dir.string() + "\""};
  storage::config db;
  if (o.backend == "postgresql") {
    if (o.dsn.empty())
      throw std::runtime_error("--backend postgresql needs --dsn");
    sets.push_back("storage.backend=\"postgresql\"");
    sets.push_back("storage.dsn=\"" + o.dsn + "\"");
    db.backend = storage::backend_kind::postgresql;
    db.dsn = o.dsn;
  } else {
    db.path = (dir / "parley.db").string();
  }
  for (auto& s : o.engine_set)
    sets.push_back(s);
  std::mt19937_64 rng{o.seed};
  auto rounds = o.rounds == 0 ? 3u : o.rounds;
  auto gateways_n = o.gateways == 0 ? 4u : o.gateways;
  auto window = o.window == 0 ? 16u : o.window;
  std::vector<std::vector<entry>> all(rounds);
  tally t;
  histogram lat;
  double load_s = 0;
  std::uint64_t serial = 0;
  for (unsigned round = 0; round <= rounds; ++round) {
    parleyd p{exe, dir.string(), sets, static_cast<int>(round)};
    if (round > 0)
      check_round(p.port(), all[round - 1], o.queue, t, h.errors());
    if (round == rounds) {
      p.kill(SIGTERM);
      break;
    }
    // Load, then kill -9 at a random moment.
    auto& mine = all[round];
    mine.reserve(2'000'000);
    std::mutex mx;
    std::bernoulli_distribution stop_it{0.3};
    std::mt19937_64 load_rng{rng()};
    std::atomic<bool> killed{false};
    {
      std::function<void(std::size_t)> next;  // outlives the gateways: their callbacks call it
      gateways gw{p.port(), gateways_n};
      next = [&](std::size_t g) {
        std::lock_guard l{mx};
        if (killed || mine.size() >= mine.capacity())
          return;
        auto i = mine.size();
        mine.push_back({"r" + std::to_string(o.seed) + "-" + std::to_string(++serial), fate::sent, 0});
        auto t0 = now_us();
        gw.all[g]->request(submit_ext(mine[i].ext, o.queue), [&, g, i, t0](client::answer a) {
          bool stop = false;
          {
            std::lock_guard l{mx};
            if (!a.ok())
              return;  // cut short by the kill: unacknowledged
            lat.record(now_us() - t0);
            mine[i].f = fate::acked;
            mine[i].id = a.as<wire::Submitted>()->interaction_id();
            stop = stop_it(load_rng);
            if (stop)
              mine[i].f = fate::stop_sent;
          }
          if (stop) {
            auto id = mine[i].id;
            gw.all[g]->request(msg::stop(id), [&, i](client::answer s) {
              std::lock_guard l{mx};
              if (s.ok())
                mine[i].f = fate::stopped;
            });
          }
          next(g);
        });
      };
      for (unsigned g = 0; g < gateways_n; ++g)
        for (unsigned w = 0; w < window; ++w)
          next(g);
      std::uniform_real_distribution<double> when{0.2 * o.duration_s, o.duration_s};
      auto wait = when(rng);
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
      load_s += wait;
      p.kill(SIGKILL);
      killed = true;
      h.progress().update(double(round + 1) / rounds, load_s, mine.size(), 0, h.errors().total(),
                          "round " + std::to_string(round + 1));
    }
    for (auto& e : mine) {
      t.acked += e.f != fate::sent ? 1 : 0;
      t.stops_acked += e.f == fate::stopped ? 1 : 0;
      t.unacked += e.f == fate::sent ? 1 : 0;
    }
  }
  // The database itself: every external id exactly once.
  auto s = storage::open_store(db);
  for (auto& round : all)
    for (auto& e : round) {
      auto n = s->by_external_id("default", e.ext).size();
      if (n != 1) {
        ++t.duplicates;
        h.errors().record_other(n == 0 ? "missing_row" : "duplicate_row",
                                e.ext + " is stored " + std::to_string(n) + " times");
      }
    }
  r.count = t.acked;
  r.duration_s = load_s;
  r.throughput_per_s = load_s > 0 ? double(t.acked) / load_s : 0;
  r.latency = latency_summary::of(lat);
  r.extra = {{"rounds", std::int64_t(rounds), "kill -9 rounds", ""},
             {"backend", o.backend, "storage", ""},
             {"seed", std::int64_t(o.seed), "seed", ""},
             {"acked_submits", std::int64_t(t.acked), "submits acknowledged", ""},
             {"acked_stops", std::int64_t(t.stops_acked), "stops acknowledged", ""},
             {"unacked", std::int64_t(t.unacked), "submits unanswered at the kill", ""},
             {"unacked_found", std::int64_t(t.unacked_found), "  of them stored before the kill", ""},
             {"lost", std::int64_t(t.lost), "acknowledged but lost", ""},
             {"wrong_state", std::int64_t(t.wrong_state), "not in the last acked state", ""},
             {"not_once", std::int64_t(t.duplicates), "stored other than exactly once", ""}};
  r.aim = {"every acknowledged submit present exactly once, in its last acknowledged state",
           t.lost + t.wrong_state + t.duplicates == 0 && t.retry_failed == 0,
           t.lost + t.wrong_state + t.duplicates == 0
             ? "held over " + std::to_string(rounds) + " kill -9 rounds"
             : "VIOLATED: see lost / wrong_state / not_once"};
  finish_result(h, r);
  r.target = "parleyd processes (" + exe + "), storage " + o.backend;
  r.embedded = false;
  std::error_code ignored;
  if (r.aim.met)
    std::filesystem::remove_all(dir, ignored);
  else
    r.notes.push_back("the database and parleyd logs are kept in " + dir.string());
  return r;
}

} // namespace parley::bench
