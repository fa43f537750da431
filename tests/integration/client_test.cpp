// The C++ client library against a real engine.
#include <doctest/doctest.h>

#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;

TEST_CASE("the client registers, gets one answer per request and events") {
  auto eng = start_engine();
  connected_client c{eng->port(listener_kind::interaction), wire::ClientType::router};
  CHECK(c.cl->session_id() > 0);
  std::vector<std::future<client::answer>> answers;
  for (std::uint64_t i = 0; i < 500; ++i)
    answers.push_back(c.cl->ping(i));
  for (std::uint64_t i = 0; i < 500; ++i) {
    auto a = answers[i].get();
    REQUIRE(a.ok());
    CHECK(a.as<wire::Pong>()->payload() == i);
  }
  // An error answer is an answer: it carries the engine's code and text.
  auto err = c.cl->request([](protocol::encoder& e, std::uint64_t ref) { return e.ack(ref); }).get();
  CHECK_FALSE(err.ok());
  CHECK(err.error_code() == wire::ErrorCode::not_allowed);
  CHECK(err.error_text().find("not_allowed") == 0);
}

TEST_CASE("a refused registration stops the client with the reason") {
  auto eng = start_engine({"auth.router=tok"});
  client::io_thread io;
  client::options o;
  o.port = eng->port(listener_kind::interaction);
  o.type = wire::ClientType::router;
  o.credential = "not-it";
  std::string why;
  std::mutex mx;
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
  // The state callback runs on the client's strand, possibly just after the waiter woke.
  CHECK(eventually([&] {
    std::lock_guard lock{mx};
    return why.find("bad_credential") != std::string::npos;
  }));
  auto late = cl->ping().get();
  CHECK(late.transport() == client::status::stopped);
}

TEST_CASE("the client reconnects with backoff when the engine comes back") {
  auto first = start_engine();
  auto port = first->port(listener_kind::interaction);
  client::options o;
  o.backoff_initial = 20ms;
  o.backoff_max = 200ms;
  o.request_timeout = 5s;
  connected_client c{port, wire::ClientType::media_gateway, o};
  REQUIRE(c.cl->ping().get().ok());
  auto first_session = c.cl->session_id();

  first->stop();
  first.reset();
  REQUIRE(eventually([&] { return c.cl->current_state() != client::state::registered; }));
  // A request made while the engine is gone waits for the next registration.
  auto waiting = c.cl->ping(77);

  auto second = start_engine({"listen.interaction_port=" + std::to_string(port)});
  REQUIRE(c.cl->wait_registered(5s));
  CHECK(c.cl->registrations() == 2);
  CHECK(c.cl->session_id() != 0);
  (void)first_session;
  auto a = waiting.get();
  REQUIRE(a.ok());
  CHECK(a.as<wire::Pong>()->payload() == 77);
}

TEST_CASE("requests time out locally when nothing answers") {
  // A listener that accepts and never says a word stands in for a hung engine.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acc{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
  client::io_thread cio;
  client::options o;
  o.port = acc.local_endpoint().port();
  o.request_timeout = 200ms;
  o.reconnect = false;
  auto cl = client::client::create(cio.executor(), o);
  cl->start();
  auto a = cl->ping().get();
  CHECK(a.transport() == client::status::timeout);
  cl->stop();
}
