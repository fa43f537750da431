#include "support/test_env.hpp"

#include "engine/logging.hpp"

#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <doctest/doctest.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include "protocol/frame_reader.hpp"
#include "support/child.hpp"

namespace parley::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string source_dir() {
  auto* v = std::getenv("PARLEY_SOURCE_DIR");
  return v ? v : ".";
}

std::string binary_dir() {
  auto* v = std::getenv("PARLEY_BINARY_DIR");
  return v ? v : ".";
}

std::string read_text(const std::string& path) {
  std::ifstream in{path};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

namespace {

engine::config test_config_from(const std::string& toml, const std::vector<std::string>& overrides) {
  std::vector<std::string> all{
    "listen.interaction_port=0", "listen.vq_port=0",           "listen.stat_port=0",
    "engine.io_threads=1",       "engine.actor_threads=2",     "timeouts.registration_ms=2000",
    "timeouts.heartbeat_interval_ms=1000", "timeouts.heartbeat_timeout_ms=3000",
    "timeouts.shutdown_ms=3000", "log.level=warn", "console.port=0", "metrics.port=0", "http.port=0",
    // Each engine its own database (an override may point it elsewhere).
    "engine.data_dir=\"" + temp_dir() + "\""};
  all.insert(all.end(), overrides.begin(), overrides.end());
  return engine::parse_config(toml, "test", all);
}

} // namespace

engine::config test_config(const std::vector<std::string>& overrides) {
  return test_config_from("", overrides);
}

std::unique_ptr<engine::engine> start_engine(const std::vector<std::string>& overrides) {
  return start_engine_toml("", overrides);
}

std::unique_ptr<engine::engine> start_engine_toml(const std::string& toml,
                                                  const std::vector<std::string>& overrides) {
  auto cfg = test_config_from(toml, overrides);
  spdlog::set_level(engine::spdlog_level(cfg.log.level));
  auto e = std::make_unique<engine::engine>(cfg);
  e->start();
  return e;
}

double metric_value(const std::string& page, const std::string& series) {
  std::istringstream in{page};
  for (std::string line; std::getline(in, line);)
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0
        && line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  return -1;
}

http_reply http_get(std::uint16_t port, const std::string& target, const std::string& method) {
  namespace http = boost::beast::http;
  asio::io_context io;
  boost::beast::tcp_stream s{io};
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  s.expires_after(std::chrono::seconds{10});
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "localhost");
  http::write(s, req);
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  return {static_cast<int>(res.result_int()), res.body()};
}

// -- raw_conn -------------------------------------------------------------------------

raw_conn::raw_conn(std::uint16_t port) : sock_(io_) {
  sock_.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port});
  sock_.set_option(tcp::no_delay(true));
}

void raw_conn::send(std::span<const std::uint8_t> bytes) {
  boost::system::error_code ec;
  asio::write(sock_, asio::buffer(bytes.data(), bytes.size()), ec);
}

void raw_conn::shutdown_send() {
  boost::system::error_code ec;
  sock_.shutdown(tcp::socket::shutdown_send, ec);
}

bool raw_conn::fill(std::size_t n, std::chrono::steady_clock::time_point until) {
  while (buf_.size() < n && !eof_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd p{sock_.native_handle(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      continue;
    std::uint8_t tmp[65536];
    boost::system::error_code ec;
    auto got = sock_.read_some(asio::buffer(tmp), ec);
    if (ec) {
      eof_ = true;
      break;
    }
    buf_.insert(buf_.end(), tmp, tmp + got);
  }
  return buf_.size() >= n;
}

std::optional<std::vector<std::uint8_t>> raw_conn::read_frame(std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  if (!fill(protocol::prefix_bytes, until))
    return std::nullopt;
  auto len = protocol::read_prefix(buf_.data());
  if (!fill(protocol::prefix_bytes + len, until))
    return std::nullopt;
  std::vector<std::uint8_t> body(buf_.begin(), buf_.begin() + protocol::prefix_bytes + len);
  buf_.erase(buf_.begin(), buf_.begin() + protocol::prefix_bytes + len);
  REQUIRE(protocol::decode(body));
  return body;
}

bool raw_conn::closed_by_peer(std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!eof_ && std::chrono::steady_clock::now() < until) {
    buf_.clear();
    fill(1, until);
  }
  return eof_;
}

std::uint64_t raw_conn::register_as(wire::ClientType type, const std::string& credential) {
  protocol::encoder enc;
  send(enc.register_client(1, "raw-test", type, credential));
  auto f = read_frame();
  if (!f)
    return 0;
  auto* reg = envelope_of(*f).message_as_Registered();
  return reg ? reg->session_id() : 0;
}

const wire::Envelope& envelope_of(const std::vector<std::uint8_t>& body) {
  return *protocol::envelope_of(body);
}

wire::ErrorCode error_of(const std::vector<std::uint8_t>& body) {
  auto* err = envelope_of(body).message_as_Error();
  return err ? err->code() : wire::ErrorCode::none;
}

// -- connected_client -----------------------------------------------------------------

connected_client::connected_client(std::uint16_t port, wire::ClientType type,
                                   client::options base) {
  base.port = port;
  base.type = type;
  cl = client::client::create(io.executor(), base);
  cl->start();
  REQUIRE(cl->wait_registered(5s));
}

connected_client::~connected_client() {
  cl->stop();
  // Wait until the stop has run on the client's thread: no event callback runs after it. A
  // callback that holds the raw client (auto_agent's) ran on a freed one when the client was
  // destroyed while an event was being dispatched (AddressSanitizer,
  // san.outbound_campaign_tests).
  std::promise<void> stopped;
  boost::asio::post(io.executor(), [&stopped] { stopped.set_value(); });
  stopped.get_future().wait_for(5s);
  cl.reset();
}

} // namespace parley::test
