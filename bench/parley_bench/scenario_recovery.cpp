// recovery: how fast a restarted engine has its open interactions back and routable.
//
// Fill: a real parleyd (on a fresh SQLite file, or --backend postgresql --dsn of an empty
// database) gets --count submits from --gateways media gateways (--window in flight each)
// to queue `q`, all queued; then --agents desks log in: the first half accept what they are
// offered (handled), every fourth desk parks it after accepting (parked, in the queue's
// workbin), the other half never answer (offered, the offer timeout an hour away). Every
// request is acknowledged, so it is committed (durability commit). Then kill -9.
// Restart: the same parleyd on the same database. Measured from the restart: the ports file
// (parleyd listens only after recovery), /readyz answering 200, the first Invite a fresh
// desk gets (the first routed interaction), and QueueSnapshot of `q` holding every
// interaction that was not parked (all routable). Then the engine stops cleanly.
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/parley_bench/messages.hpp"
#include "bench/parley_bench/parleyd_process.hpp"
#include "bench/parley_bench/scenarios.hpp"

namespace parley::bench {

using namespace std::chrono_literals;

namespace {

double seconds_since(steady::time_point t0) {
  return std::chrono::duration<double>(steady::now() - t0).count();
}

/// GET `path` on 127.0.0.1:port: the status and the body ({0, ""} when it does not answer).
std::pair<int, std::string> http_get(std::uint16_t port, const std::string& path) {
  namespace asio = boost::asio;
  try {
    asio::io_context io;
    asio::ip::tcp::socket s{io};
    s.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval limit{5, 0};  // a server that never closes must not hang the run
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    auto req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    asio::write(s, asio::buffer(req));
    std::string all;
    boost::system::error_code ec;
    asio::read(s, asio::dynamic_buffer(all), ec);  // to the end: Connection: close
    if (all.size() < 12)
      return {0, ""};
    auto body = all.find("\r\n\r\n");
    return {std::atoi(all.c_str() + 9), body == std::string::npos ? "" : all.substr(body + 4)};
  } catch (const std::exception&) {
    return {0, ""};
  }
}

/// The sum of parley_interactions samples whose state label is `state`.
std::uint64_t live_in_state(const std::string& metrics, const std::string& state) {
  std::uint64_t sum = 0;
  std::istringstream in{metrics};
  for (std::string line; std::getline(in, line);)
    if (line.rfind("parley_interactions{", 0) == 0 && line.find("state=\"" + state + "\"") != std::string::npos)
      sum += static_cast<std::uint64_t>(std::stod(line.substr(line.rfind(' ') + 1)));
  return sum;
}

struct client_set {
  client::io_thread io;
  std::vector<std::shared_ptr<client::client>> all;

  std::shared_ptr<client::client> add(std::uint16_t port, const std::string& name, wire::ClientType t) {
    client::options o;
    o.port = port;
    o.name = name;
    o.type = t;
    o.reconnect = false;
    o.request_timeout = 60s;
    all.push_back(client::client::create(io.executor(), o));
    return all.back();
  }
  ~client_set() {
    for (auto& c : all)
      c->stop();
  }
};

} // namespace

result run_recovery(harness& h) {
  auto& o = h.opts();
  const std::uint64_t n = o.count ? o.count : 20'000;
  const unsigned ng = o.gateways ? o.gateways : 4, window = o.window ? o.window : 64;
  const unsigned agents = o.agents;
  result r;
  r.scenario = "recovery";
  r.embedded = false;
  r.count_what = "open interactions back and routable after kill -9 and restart";
  r.latency_what = "Submit sent -> Submitted (the fill)";
  if (n < 2ull * agents)
    throw std::runtime_error("--count must be at least twice --agents (each desk takes one or two)");
  auto exe = o.parleyd.empty() ? exe_dir() + "/parleyd" : o.parleyd;
  auto dir = std::filesystem::temp_directory_path() / ("parley-recovery-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream cfg{dir / "parley.toml"};
    cfg << "[routing]\nmedia = [\"voice\"]\noffer_timeout_ms = 3600000\nmax_no_answer = 0\n\n"
        << "[[queues]]\nname = \"q\"\nmax_size = " << n * 2 + 1000 << "\n\n"
        << "[[agent_groups]]\nname = \"bench\"\nmembers = [\"a*\"]\ncapacity = { voice = 1 }\n"
        << "wrap_up_ms = 0\n";
  }
  std::vector<std::string> sets{"listen.interaction_port=0", "listen.vq_port=0", "listen.stat_port=0",
                                "console.port=0", "metrics.port=0", "http.port=0", "log.level=\"info\"",
                                "engine.data_dir=\"" + dir.string() + "\"",
                                "limits.max_requests_per_second=0",
                                "limits.max_connections=" + std::to_string(ng + agents + 64)};
  if (o.backend == "postgresql") {
    if (o.dsn.empty())
      throw std::runtime_error("--backend postgresql needs --dsn (an empty database)");
    sets.push_back("storage.backend=\"postgresql\"");
    sets.push_back("storage.dsn=\"" + o.dsn + "\"");
  }
  sets.insert(sets.end(), o.engine_set.begin(), o.engine_set.end());

  // -- fill ----------------------------------------------------------------------------------
  histogram lat;
  std::atomic<std::uint64_t> acked{0}, handled{0}, parked{0}, offered{0};
  auto t_fill = steady::now();
  {
    parleyd_process p{exe, dir.string(), sets, 0};
    p.wait_listening(60s);
    client_set cs;
    std::atomic<std::uint64_t> next{0};
    std::vector<std::shared_ptr<client::client>> gws;
    for (unsigned g = 0; g < ng; ++g)
      gws.push_back(cs.add(p.port(), "recovery-gw-" + std::to_string(g), wire::ClientType::media_gateway));
    std::function<void(unsigned)> pump = [&](unsigned g) {
      if (next.fetch_add(1) >= n)
        return;
      auto t0 = now_us();
      gws[g]->request(msg::submit(o.queue, o.media, false), [&, g, t0](client::answer a) {
        if (a.ok()) {
          lat.record(now_us() - t0);
          ++acked;
        } else {
          h.errors().record(a);
        }
        pump(g);
      });
    };
    for (auto& c : gws)
      c->start();
    if (!h.wait_registered(gws, 30s))
      throw std::runtime_error("the gateways could not register");
    for (unsigned g = 0; g < ng; ++g)
      for (unsigned w = 0; w < window; ++w)
        pump(g);
    h.wait_until(steady::now() + 3600s, [&] { return acked + h.errors().total() >= n; }, [&] {
      h.progress().update(double(acked) / n, seconds_since(t_fill), acked, acked / std::max(seconds_since(t_fill), 1e-3),
                          h.errors().total(), "filling");
    });
    // Desks: the first half accept and keep what they are offered (handled); of them every
    // fourth first parks one (parked, in the queue's workbin) and then keeps the next; the
    // other half never answer (offered). Each desk ends in a fixed state, and the kill waits
    // for all of them: no request is in flight at the kill, so the counts here are the
    // stored truth the restart is checked against.
    for (unsigned i = 0; i < agents; ++i) {
      auto d = cs.add(p.port(), "recovery-desk-" + std::to_string(i), wire::ClientType::agent_desktop);
      bool answers = i < agents / 2;
      auto parks_left = std::make_shared<int>(answers && i % 4 == 0 ? 1 : 0);
      d->on_event([&, d = d.get(), answers, parks_left](const client::answer& a) {
        auto* inv = a.as<wire::Invite>();
        if (!inv)
          return;
        if (!answers) {
          ++offered;
          return;
        }
        auto id = inv->info()->id();
        bool park = *parks_left > 0;  // events of one client arrive on one thread, in order
        *parks_left -= park ? 1 : 0;
        d->request(msg::accept(id), [&, d, id, park](client::answer ok) {
          if (!ok.ok())
            return h.errors().record(ok);
          if (!park) {
            ++handled;
            return;
          }
          d->request(msg::make([id](msg::fbb& b) { return wire::CreatePark(b, id); }), [&](client::answer pk) {
            pk.ok() ? void(++parked) : h.errors().record(pk);
          });
        });
      });
      d->start();
      if (!d->wait_registered(30s) || !d->request(msg::agent_login("a" + std::to_string(i))).get().ok()
          || !d->request(msg::agent_ready()).get().ok())
        throw std::runtime_error("desk " + std::to_string(i) + " could not log in");
    }
    const std::uint64_t settled = agents + (agents / 2 + 3) / 4;  // one each, and the parks
    auto desks_settled = [&] { return offered + handled + parked + h.errors().total() >= settled; };
    h.wait_until(steady::now() + 60s, desks_settled, nullptr);
    if (!desks_settled())
      h.errors().record_other("desks", "the desks did not settle within 60 s");
    p.kill(SIGKILL);
  }
  auto fill_s = seconds_since(t_fill);
  h.progress().clear();

  // -- restart ---------------------------------------------------------------------------------
  const std::uint64_t expect_queued = acked - parked;
  double listen_s = -1, ready_s = -1, routed_s = -1, all_s = -1;
  std::uint64_t in_queue = 0, in_workbin = 0, rss = 0;
  auto t0 = steady::now();
  {
    parleyd_process p{exe, dir.string(), sets, 1};
    p.wait_listening(600s, 1ms);
    listen_s = seconds_since(t0);
    client_set cs;
    auto desk = cs.add(p.port(), "recovery-first", wire::ClientType::agent_desktop);
    std::promise<void> invited;
    std::once_flag once;
    desk->on_event([&](const client::answer& a) {
      if (a.as<wire::Invite>())
        std::call_once(once, [&] {
          routed_s = seconds_since(t0);
          invited.set_value();
        });
    });
    desk->start();
    const double limit_s = 600;  // far past any goal; a run that gets there failed
    while (http_get(p.port("metrics"), "/readyz").first != 200 && seconds_since(t0) < limit_s)
      std::this_thread::sleep_for(1ms);
    ready_s = seconds_since(t0);
    if (desk->wait_registered(60s) && desk->request(msg::agent_login("a0")).get().ok())
      desk->request(msg::agent_ready()).get();
    if (invited.get_future().wait_for(60s) != std::future_status::ready)
      h.errors().record_other("not_routed", "no Invite within 60 s of the restart");
    // All routable: every interaction that was not parked is queued again (or offered to
    // the fresh desk), every parked one parked; read from /metrics (parley_interactions).
    for (;;) {
      auto [status, text] = http_get(p.port("metrics"), "/metrics");
      in_queue = live_in_state(text, "queued") + live_in_state(text, "offered");
      in_workbin = live_in_state(text, "parked");
      if ((in_queue >= expect_queued && in_workbin >= parked) || seconds_since(t0) > limit_s)
        break;
      std::this_thread::sleep_for(5ms);  // a /metrics page costs the engine a little
    }
    all_s = seconds_since(t0);
    rss = p.rss_bytes();
    p.kill(SIGTERM);
  }
  if (in_queue != expect_queued || in_workbin != parked)
    h.errors().record_other("lost", std::to_string(expect_queued) + " interactions should be routable and "
                                      + std::to_string(parked.load()) + " parked; "
                                      + std::to_string(in_queue) + " and " + std::to_string(in_workbin) + " are");

  r.count = in_queue;
  r.duration_s = all_s;
  r.throughput_per_s = all_s > 0 ? in_queue / all_s : 0;
  r.latency = latency_summary::of(lat);
  r.extra = {{"listen_s", listen_s, "restart -> listening (recovered)", "s"},
             {"ready_s", ready_s, "restart -> /readyz 200", "s"},
             {"first_routed_s", routed_s, "restart -> first Invite", "s"},
             {"all_routable_s", all_s, "restart -> all routable", "s"},
             {"requested", std::int64_t(n), "interactions submitted", ""},
             {"acked", std::int64_t(acked.load()), "acknowledged", ""},
             {"offered", std::int64_t(offered.load()), "  of them offered at the kill", ""},
             {"handled", std::int64_t(handled.load()), "  handled at the kill", ""},
             {"parked", std::int64_t(parked.load()), "  parked at the kill", ""},
             {"in_queue", std::int64_t(in_queue), "routable after the restart", ""},
             {"in_workbin", std::int64_t(in_workbin), "parked after the restart", ""},
             {"parleyd_rss_mib", double(rss) / (1 << 20), "parleyd RSS once all are routable", "MiB"},
             {"fill_s", fill_s, "fill (submits, desks)", "s"},
             {"backend", o.backend, "storage", ""}};
  r.aim.text = "1,000,000 open interactions back and routable <= 10 s after a restart";
  r.aim.met = n >= 1'000'000 && all_s <= 10 && in_queue == expect_queued;
  r.aim.verdict = (n < 1'000'000 ? "measured at " + grouped(n) + ", not 1,000,000: " : std::string{})
                  + "all routable after " + std::to_string(all_s).substr(0, 6) + " s";
  finish_result(h, r);
  r.target = "parleyd processes (" + exe + "), storage " + o.backend;
  r.embedded = false;
  if (h.errors().total() == 0) {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  } else {
    r.notes.push_back("the database and the parleyd logs are kept in " + dir.string());
  }
  r.ran = in_queue > 0;
  return r;
}

} // namespace parley::bench
