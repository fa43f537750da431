// The http scenario: the web API and its live updates (docs/web.md) under load.
//
// 1. `GET /api/v1/queues` with an API token, by wrk (--clients connections, 2 threads), on
//    an engine with --queues queues; requests/s and wrk's latency percentiles.
// 2. --count Server-Sent Events clients on GET /api/v1/live while a gateway submits
//    --rate interactions a second to one queue: each submit raises the queue's waiting
//    count, and each client's time from the submit's write to the `queue` event that shows
//    it is the event→client latency (goal p99 <= 250 ms at 1,000 clients).
// 3. The reference, with the engine stopped: nginx serving a static file of the same bytes
//    as the API's answer, under the same wrk load.
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>

#include "bench/parley_bench/reference.hpp"
#include "bench/parley_bench/scenarios.hpp"
#include "bench/parley_bench/sse.hpp"

namespace parley::bench {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr unsigned wrk_threads = 2;

/// One blocking GET on loopback: (status, body) of a `Connection: close` answer.
std::pair<int, std::string> http_get(std::uint16_t port, const std::string& target, const std::string& token) {
  asio::io_context io;
  tcp::socket s{io};
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  auto req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
             "\r\nConnection: close\r\n\r\n";
  asio::write(s, asio::buffer(req));
  std::string all;
  boost::system::error_code ec;
  asio::read(s, asio::dynamic_buffer(all), ec);
  auto head_end = all.find("\r\n\r\n");
  if (all.size() < 12 || head_end == std::string::npos)
    return {0, ""};
  return {std::atoi(all.c_str() + 9), all.substr(head_end + 4)};
}

/// The submits' write times, by the waiting count each one makes (1, 2, ...).
struct submit_times {
  std::mutex mx;
  std::vector<std::uint64_t> at_us{0};
  void add(std::uint64_t us) {
    std::lock_guard lock{mx};
    at_us.push_back(us);
  }
  std::uint64_t of(std::size_t waiting) {
    std::lock_guard lock{mx};
    return waiting < at_us.size() ? at_us[waiting] : 0;
  }
};

std::string queues_toml(unsigned n, std::uint64_t queue_size) {
  std::string t;
  for (unsigned i = 0; i < n; ++i)
    t += "[[queues]]\nname = \"q" + std::to_string(i) + "\"\ntenant = \"t" + std::to_string(i % 4) +
         "\"\nmax_size = " + std::to_string(queue_size) + "\n";
  return t;
}

field us_field(const std::string& key, std::uint64_t us, const std::string& label) {
  return {key, static_cast<double>(us) / 1000.0, label, "ms"};
}

} // namespace

result run_http(harness& h) {
  auto& o = h.opts();
  if (!h.embedded())
    throw std::runtime_error("http runs on its own embedded engine (no --connect)");
  unsigned sse_clients = o.count ? o.count : 1000;
  unsigned nq = std::max(1u, o.queues);
  h.start_engine(queues_toml(nq, 1'000'000), sse_clients + o.clients + 64);
  auto* eng = h.engine_ptr();
  auto token = bench_token(eng->cfg());
  auto port = eng->http_port();
  auto base = "http://127.0.0.1:" + std::to_string(port);

  auto [status, body] = http_get(port, "/api/v1/queues", token);
  if (status != 200)
    throw std::runtime_error("GET /api/v1/queues answered " + std::to_string(status) + ": " + body.substr(0, 200));

  result r;
  r.scenario = "http";
  // 1. The API under wrk.
  if (!o.json)
    std::fprintf(stderr, "wrk on GET /api/v1/queues (%zu bytes), %u connections, %.0f s ...\n", body.size(), o.clients,
                 o.duration_s);
  std::string why;
  auto cpu0 = cpu_now();
  auto api = run_wrk(base + "/api/v1/queues", wrk_threads, o.clients, o.duration_s, "Authorization: Bearer " + token, why);
  auto cpu1 = cpu_now();
  if (!api)
    throw std::runtime_error(why);

  // 2. Live updates to sse_clients while a gateway submits at o.rate.
  if (!o.json)
    std::fprintf(stderr, "%u live-update clients, %.0f submits/s for %.0f s ...\n", sse_clients, o.rate, o.duration_s);
  raise_fd_limit();
  submit_times times;
  histogram lat;  // on the streams' io thread until the pool is gone
  std::atomic<std::uint64_t> measured{0};
  std::atomic<long> snapshots{0};
  auto pool = std::make_unique<sse_pool>();
  for (unsigned i = 0; i < sse_clients; ++i)
    pool->open(port, "/api/v1/live", token, [&](std::string_view type, std::string_view data, std::uint64_t now) {
      // Each submit raises q0's waiting count: the `queue` event showing count N answers submit N.
      if (type == "snapshot")
        ++snapshots;
      if (type != "queue")
        return;
      auto j = nlohmann::json::parse(data, nullptr, false);
      if (j.is_discarded() || j.value("name", "") != "q0")
        return;
      auto sent = times.of(j.value("waiting", std::size_t{0}));
      if (sent == 0 || sent > now)
        return;
      ++measured;
      lat.record(now - sent);
    });
  h.wait_until(steady::now() + 30s, [&] { return snapshots.load() == static_cast<long>(sse_clients); }, {});
  auto connected = snapshots.load();

  auto gw = h.make_client("bench-http-gateway", wire::ClientType::media_gateway);
  gw->start();
  if (!h.wait_registered({gw}, 10s))
    throw std::runtime_error("the gateway did not register: " + h.errors().first());
  clients_guard guard{h};
  auto t0 = steady::now();
  auto interval = std::chrono::duration<double>(1.0 / std::max(0.1, o.rate));
  std::uint64_t submitted = 0;
  auto next = t0;
  auto end = t0 + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(o.duration_s));
  while (steady::now() < end) {
    std::this_thread::sleep_until(next);
    next += std::chrono::duration_cast<steady::duration>(interval);
    auto ans = gw->request([&](protocol::encoder& e, std::uint64_t ref) {
                   times.add(now_us());  // on the strand, right before the write
                   auto& fbb = e.start();
                   auto ext = fbb.CreateString("");
                   auto t = fbb.CreateString("t0");
                   auto media = fbb.CreateString(o.media);
                   auto q = fbb.CreateString("q0");
                   return e.finish(ref, wire::CreateSubmit(fbb, ext, t, media, q, 0));
                 }).get();
    if (!ans.ok())
      h.errors().record(ans);
    ++submitted;
    auto e = std::chrono::duration<double>(steady::now() - t0).count();
    h.progress().update(e / o.duration_s, e, submitted, submitted / std::max(e, 1e-3), h.errors().total());
  }
  std::this_thread::sleep_for(1s);  // the last events on their way
  h.progress().clear();
  auto streams = pool->streams;
  pool.reset();  // every stream closed: their counts, failures and latencies stand still
  std::uint64_t events = 0;
  std::string failure;
  for (auto& w : streams) {
    events += w->events;
    if (failure.empty())
      failure = w->failure;
  }
  r.rss_bytes = rss_bytes();
  h.finish_clients();
  h.stop_engine();  // the reference gets the machine to itself

  // 3. nginx with the same bytes under the same load.
  if (!o.no_reference) {
    if (!o.json)
      std::fprintf(stderr, "the reference: nginx serving the same %zu bytes ...\n", body.size());
    auto ref = nginx_static_reference(body, 2, wrk_threads, o.clients, o.duration_s, why);
    if (ref) {
      r.ref = reference{"nginx, a static file of the same size", ref->requests_per_s, ref->command};
      r.extra.push_back(us_field("nginx_p50_ms", ref->p50_us, "nginx p50"));
      r.extra.push_back(us_field("nginx_p99_ms", ref->p99_us, "nginx p99"));
    } else {
      r.notes.push_back("no reference: " + why);
    }
  } else {
    r.notes.push_back("reference skipped (--no-reference)");
  }

  r.count_what = "GET /api/v1/queues answered (wrk)";
  r.count = api->requests;
  r.duration_s = o.duration_s;
  r.throughput_per_s = api->requests_per_s;
  r.latency_what = "submit written -> queue event read by a live-update client";
  r.latency = latency_summary::of(lat);
  r.extra.insert(r.extra.begin(), {
    {"body_bytes", static_cast<std::int64_t>(body.size()), "answer size", "bytes"},
    {"queues", std::int64_t{nq}, "queues", ""},
    {"wrk_connections", std::int64_t{o.clients}, "wrk connections", ""},
    us_field("api_p50_ms", api->p50_us, "API p50"),
    us_field("api_p90_ms", api->p90_us, "API p90"),
    us_field("api_p99_ms", api->p99_us, "API p99"),
    {"api_failed", static_cast<std::int64_t>(api->failed), "API failed requests", ""},
    {"sse_clients", static_cast<std::int64_t>(connected), "live-update clients connected", ""},
    {"submits", static_cast<std::int64_t>(submitted), "submits", ""},
    {"sse_events", static_cast<std::int64_t>(events), "events received", ""},
    {"sse_measured", static_cast<std::int64_t>(measured), "queue events timed", ""},
    {"sse_expected", static_cast<std::int64_t>(submitted * connected), "submits x clients", ""},
  });
  add_cpu_fields(r, cpu0, cpu1);
  r.notes.push_back("the command: " + api->command);
  if (!failure.empty())
    h.errors().record_other("sse_client", failure);
  r.aim.text = "live updates: p99 submit -> client <= 250 ms at 1,000 clients; the API next to nginx (no goal)";
  r.aim.met = r.latency.samples > 0 && r.latency.p99 <= 250'000 && connected == static_cast<long>(sse_clients);
  char buf[200];
  std::snprintf(buf, sizeof buf, "live p99 %.1f ms over %ld clients; API %.0f/s%s", r.latency.p99 / 1000.0, connected,
                api->requests_per_s,
                r.ref && r.ref->throughput_per_s > 0
                  ? (" = " + std::to_string(static_cast<int>(100 * api->requests_per_s / r.ref->throughput_per_s + 0.5)) +
                     " % of nginx").c_str()
                  : "");
  r.aim.verdict = buf;
  finish_result(h, r);
  r.ran = r.count > 0 && r.latency.samples > 0;
  return r;
}

} // namespace parley::bench
