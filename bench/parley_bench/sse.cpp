#include "bench/parley_bench/sse.hpp"

#include <pthread.h>

#include <algorithm>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "bench/parley_bench/harness.hpp"
#include "engine/config.hpp"
#include "engine/web/users.hpp"
#include "storage/store.hpp"

namespace parley::bench {

namespace asio = boost::asio;

std::string bench_token(const engine::config& cfg) {
  auto store = storage::open_store(engine::store_config(cfg));
  auto now = engine::web::now_ms();
  if (auto e = engine::web::add_user(store->users(), {"bench", "bench-password-0", "viewer", "*"}, now); !e.empty())
    throw std::runtime_error("cannot add the bench user: " + e);
  std::string token;
  if (auto e = engine::web::add_token(store->users(), "bench", "http", now, token); !e.empty())
    throw std::runtime_error("cannot make the bench token: " + e);
  return token;
}

sse_stream::sse_stream(asio::io_context& io, sse_handler on_event) : sock_(io), on_event_(std::move(on_event)) {}

void sse_stream::start(std::uint16_t port, const std::string& target, const std::string& token) {
  req_ = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + token
         + "\r\n\r\n";
  sock_.async_connect({asio::ip::make_address("127.0.0.1"), port}, [self = shared_from_this()](auto ec) {
    if (ec)
      return self->fail("connect: " + ec.message());
    asio::async_write(self->sock_, asio::buffer(self->req_), [self](auto ec, std::size_t) {
      if (ec)
        return self->fail("write: " + ec.message());
      self->read();
    });
  });
}

void sse_stream::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  sock_.close(ignored);
}

void sse_stream::fail(std::string why) {
  if (failure.empty() && !stopped_)
    failure = std::move(why);
}

void sse_stream::read() {
  sock_.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](auto ec, std::size_t n) {
    if (ec)
      return self->fail("read: " + ec.message());
    self->buf_.append(self->chunk_.data(), n);
    self->parse(now_us());
    self->read();
  });
}

void sse_stream::parse(std::uint64_t now) {
  if (!headers_done_) {
    auto end = buf_.find("\r\n\r\n");
    if (end == std::string::npos)
      return;
    if (buf_.compare(0, 12, "HTTP/1.1 200") != 0)
      return fail("answer: " + buf_.substr(0, buf_.find("\r\n")));
    buf_.erase(0, end + 4);
    headers_done_ = true;
    answered = true;
  }
  std::size_t at = 0;
  for (auto end = buf_.find("\n\n"); end != std::string::npos; end = buf_.find("\n\n", at)) {
    std::string_view block{buf_.data() + at, end - at};
    at = end + 2;
    auto ev = block.find("event: "), data = block.find("data: ");
    if (ev == std::string_view::npos || data == std::string_view::npos)
      continue;
    auto type = block.substr(ev + 7, block.find('\n', ev) - ev - 7);
    auto line = block.substr(data + 6, std::min(block.size(), block.find('\n', data)) - data - 6);
    ++events;
    on_event_(type, line, now);
  }
  buf_.erase(0, at);
}

sse_pool::sse_pool() : work(asio::make_work_guard(io)), thread([this] {
  pthread_setname_np(pthread_self(), "bench.sse");
  io.run();
}) {}

sse_pool::~sse_pool() {
  asio::post(io, [this] {
    for (auto& s : streams)
      s->stop();
  });
  work.reset();
  thread.join();
}

std::shared_ptr<sse_stream> sse_pool::open(std::uint16_t port, const std::string& target, const std::string& token,
                                           sse_handler on_event) {
  auto s = std::make_shared<sse_stream>(io, std::move(on_event));
  streams.push_back(s);
  asio::post(io, [s, port, target, token] { s->start(port, target, token); });
  return s;
}

long sse_pool::answered() const {
  return std::count_if(streams.begin(), streams.end(), [](auto& s) { return s->answered.load(); });
}

} // namespace parley::bench
