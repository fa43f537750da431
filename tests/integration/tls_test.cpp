// TLS on the protocol listeners: real TCP on port 0, certificates made at test time.
#include <doctest/doctest.h>

#include <mutex>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "support/test_env.hpp"
#include "support/test_pki.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;

namespace {

const char* sales = R"([[queues]]
name = "sales"
)";

std::vector<std::string> tls_sets(const test_pki& p, std::vector<std::string> more = {}) {
  std::vector<std::string> out{"tls.enabled=true", "tls.cert_file=\"" + p.server_cert + "\"",
                               "tls.key_file=\"" + p.server_key + "\""};
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

client::options tls_options(const std::string& ca) {
  client::options o;
  o.tls = true;
  o.tls_ca_file = ca;
  o.reconnect = false;  // a refused handshake ends the client: its state says why
  return o;
}

/// A client that is expected not to register; returns why it stopped.
std::string refused(std::uint16_t port, client::options o,
                    wire::ClientType type = wire::ClientType::media_gateway) {
  client::io_thread io;
  o.port = port;
  o.type = type;
  std::mutex mx;
  std::string why;
  auto cl = client::client::create(io.executor(), o);
  cl->on_state([&](client::state s, const std::string& w) {
    if (s == client::state::stopped) {
      std::lock_guard lock{mx};
      why = w;
    }
  });
  cl->start();
  CHECK_FALSE(cl->wait_registered(5s));
  CHECK(cl->current_state() == client::state::stopped);
  CHECK(cl->registrations() == 0);
  CHECK(eventually([&] {
    std::lock_guard lock{mx};
    return !why.empty();
  }));
  cl->stop();
  std::lock_guard lock{mx};
  return why;
}

std::uint64_t submit(client::client& gw) {
  auto a = gw.request([](protocol::encoder& e, std::uint64_t ref) {
               auto& fbb = e.start();
               return e.finish(ref, wire::CreateSubmitDirect(fbb, "", "", "voice", "sales", 0));
             }).get();
  REQUIRE(a.ok());
  return a.as<wire::Submitted>()->interaction_id();
}

} // namespace

TEST_CASE("a TLS client registers, submits and gets answers on every listener") {
  auto pki = make_test_pki();
  auto eng = start_engine_toml(sales, tls_sets(pki));
  connected_client gw{eng->port(listener_kind::interaction), wire::ClientType::media_gateway,
                      tls_options(pki.ca)};
  for (std::uint64_t i = 0; i < 50; ++i) {
    auto pong = gw.cl->ping(i).get();
    REQUIRE(pong.ok());
    CHECK(pong.as<wire::Pong>()->payload() == i);
  }
  CHECK(submit(*gw.cl) > 0);
  connected_client vq{eng->port(listener_kind::vq), wire::ClientType::router, tls_options(pki.ca)};
  CHECK(vq.cl->ping(7).get().ok());
  connected_client stat{eng->port(listener_kind::stat), wire::ClientType::stat_client,
                        tls_options(pki.ca)};
  CHECK(stat.cl->ping(8).get().ok());
  // By host name too (SNI and the DNS name in the certificate).
  auto by_name = tls_options(pki.ca);
  by_name.host = "localhost";
  connected_client named{eng->port(listener_kind::interaction), wire::ClientType::router, by_name};
  CHECK(named.cl->ping(9).get().ok());
  CHECK(eng->stats().tls_handshake_failures == 0);
}

TEST_CASE("a plain client on a TLS port is refused; the engine serves the others") {
  auto pki = make_test_pki();
  auto eng = start_engine(tls_sets(pki));
  auto port = eng->port(listener_kind::interaction);
  connected_client good{port, wire::ClientType::router, tls_options(pki.ca)};
  auto registered = eng->stats().registrations.load();

  // Raw bytes: a Register frame where a ClientHello belongs. No Registered comes back, and
  // the connection closes (a TLS alert at most: never a frame).
  raw_conn plain{port};
  protocol::encoder enc;
  plain.send(enc.register_client(1, "plain", wire::ClientType::media_gateway, ""));
  CHECK_FALSE(plain.read_frame(3s));
  CHECK(plain.closed_by_peer());

  // The client library without TLS fails the same way.
  client::options o;
  o.reconnect = false;
  o.request_timeout = 2s;
  refused(port, o);

  CHECK(eventually([&] { return eng->stats().tls_handshake_failures >= 2; }));
  CHECK(eng->stats().registrations == registered);
  CHECK(good.cl->ping(1).get().ok());
  auto page = http_get(eng->metrics_port(), "/metrics").body;
  CHECK(page.find("parley_tls_handshake_failures_total ") != std::string::npos);
  CHECK(page.find("parley_tls_handshake_failures_total 0") == std::string::npos);
}

/// One HTTPS GET to loopback `port`, the server verified against `ca`: (status, body), or
/// status 0 when the handshake or the request failed.
std::pair<unsigned, std::string> https_get(std::uint16_t port, const std::string& ca, const std::string& target) {
  namespace asio = boost::asio;
  namespace http = boost::beast::http;
  asio::io_context io;
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  ctx.load_verify_file(ca);
  ctx.set_verify_mode(asio::ssl::verify_peer);
  asio::ssl::stream<asio::ip::tcp::socket> s{io, ctx};
  boost::system::error_code ec;
  s.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec)
    s.handshake(asio::ssl::stream_base::client, ec);
  if (ec)
    return {0, ec.message()};
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  http::write(s, req, ec);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  if (!ec)
    http::read(s, buf, res, ec);
  if (ec)
    return {0, ec.message()};
  return {res.result_int(), res.body()};
}

TEST_CASE("with [tls] the HTTP port speaks HTTPS only") {
  auto pki = make_test_pki();
  auto eng = start_engine(tls_sets(pki));
  auto doc = https_get(eng->http_port(), pki.ca, "/api/v1/openapi.json");
  CHECK(doc.first == 200);
  CHECK(doc.second.find("\"openapi\"") != std::string::npos);
  auto page = https_get(eng->http_port(), pki.ca, "/");
  CHECK(page.first == 200);
  CHECK(page.second.find("<html") != std::string::npos);
  CHECK(https_get(eng->http_port(), pki.ca, "/api/v1/status").first == 401);
  // Plain HTTP on it gets no answer, and the failed handshake is counted.
  auto failures = eng->stats().tls_handshake_failures.load();
  CHECK_THROWS(http_get(eng->http_port(), "/api/v1/openapi.json"));  // closed, no HTTP answer
  CHECK(eventually([&] { return eng->stats().tls_handshake_failures > failures; }));
}

TEST_CASE("a peer that never finishes the handshake is closed at the registration timeout") {
  auto pki = make_test_pki();
  auto eng = start_engine(tls_sets(pki, {"timeouts.registration_ms=200"}));
  raw_conn silent{eng->port(listener_kind::interaction)};
  CHECK(silent.closed_by_peer(5s));
  CHECK(eventually([&] { return eng->open_sessions() == 0; }));
  CHECK(eng->stats().tls_handshake_failures == 1);
}

TEST_CASE("a client that does not trust the engine's certificate does not connect") {
  auto pki = make_test_pki();
  auto eng = start_engine(tls_sets(pki));
  auto port = eng->port(listener_kind::interaction);
  connected_client good{port, wire::ClientType::router, tls_options(pki.ca)};

  auto why = refused(port, tls_options(pki.other_ca));
  CHECK(why.find("tls handshake") != std::string::npos);
  CHECK(why.find("certificate verify failed") != std::string::npos);
  // The right CA but another name: the host name check refuses it.
  auto wrong_name = tls_options(pki.ca);
  wrong_name.tls_server_name = "parley.example.com";
  CHECK(refused(port, wrong_name).find("tls handshake") != std::string::npos);
  // A CA file that is not there ends the client at once.
  CHECK(refused(port, tls_options(pki.dir + "/missing.pem")).find("tls_ca_file") != std::string::npos);

  CHECK(eventually([&] { return eng->stats().tls_handshake_failures >= 2; }));
  CHECK(good.cl->ping(2).get().ok());
}

TEST_CASE("mutual TLS refuses clients without a certificate from tls.ca_file") {
  auto pki = make_test_pki();
  auto eng = start_engine(tls_sets(pki, {"tls.ca_file=\"" + pki.ca + "\"",
                                         "tls.require_client_cert=true", "tls.min_version=\"1.3\""}));
  auto port = eng->port(listener_kind::interaction);
  auto with_cert = tls_options(pki.ca);
  with_cert.tls_cert_file = pki.client_cert;
  with_cert.tls_key_file = pki.client_key;
  connected_client good{port, wire::ClientType::router, with_cert};
  CHECK(good.cl->ping(3).get().ok());

  refused(port, tls_options(pki.ca));  // no certificate
  auto stranger = tls_options(pki.ca);
  stranger.tls_cert_file = pki.stranger_cert;
  stranger.tls_key_file = pki.stranger_key;
  refused(port, stranger);  // a certificate from a CA the engine does not trust

  CHECK(eventually([&] { return eng->stats().tls_handshake_failures >= 2; }));
  CHECK(good.cl->ping(4).get().ok());
}

TEST_CASE("TLS files that cannot be used stop the start, naming the key and the file") {
  auto pki = make_test_pki();
  auto start_error = [&](std::vector<std::string> sets) {
    try {
      start_engine(sets);
    } catch (const std::exception& e) {
      return std::string{e.what()};
    }
    return std::string{"(started)"};
  };
  auto missing = pki.dir + "/nope.pem";
  auto e = start_error({"tls.enabled=true", "tls.cert_file=\"" + missing + "\"",
                        "tls.key_file=\"" + pki.server_key + "\""});
  CHECK(e.find("tls.cert_file \"" + missing + "\": cannot read") != std::string::npos);

  e = start_error({"tls.enabled=true", "tls.cert_file=\"" + pki.server_cert + "\"",
                   "tls.key_file=\"" + pki.stranger_key + "\""});
  CHECK(e.find("tls.key_file \"" + pki.stranger_key + "\": does not match") != std::string::npos);

  auto ext = pki.dir + "/server.ext";  // exists, but is no certificate
  e = start_error({"tls.enabled=true", "tls.cert_file=\"" + ext + "\"",
                   "tls.key_file=\"" + pki.server_key + "\""});
  CHECK(e.find("tls.cert_file \"" + ext + "\": not a PEM certificate") != std::string::npos);

  e = start_error(tls_sets(pki, {"tls.ca_file=\"" + missing + "\""}));
  CHECK(e.find("tls.ca_file \"" + missing + "\": cannot read") != std::string::npos);
}
