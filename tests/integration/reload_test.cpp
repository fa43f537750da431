// engine::reload (what SIGHUP and the console's reload run) against an in-process engine:
// reloadable keys take effect over TCP at once, anything else refuses the whole reload.
#include <doctest/doctest.h>

#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using engine::listener_kind;

namespace {

bool has_line(const std::vector<std::string>& lines, const std::string& text) {
  for (auto& l : lines)
    if (l.find(text) != std::string::npos)
      return true;
  return false;
}

wire::ErrorCode register_error(std::uint16_t port, const std::string& credential) {
  raw_conn c{port};
  protocol::encoder enc;
  c.send(enc.register_client(1, "r", wire::ClientType::router, credential));
  auto f = c.read_frame();
  REQUIRE(f);
  return error_of(*f);
}

} // namespace

TEST_CASE("reload applies limits, timeouts and tokens at once, or nothing") {
  auto eng = start_engine({"auth.router=\"old-token\""});
  auto port = eng->port(listener_kind::interaction);
  // The reloaded config must match the running one everywhere else (its data_dir too).
  std::vector<std::string> same{"engine.data_dir=\"" + eng->cfg().data_dir + "\""};
  auto next = [&](std::vector<std::string> sets) {
    sets.insert(sets.end(), same.begin(), same.end());
    return test_config(sets);
  };
  raw_conn first{port};
  REQUIRE(first.register_as(wire::ClientType::router, "old-token") > 0);

  SUBCASE("nothing changed") {
    auto did = eng->reload(next({"auth.router=\"old-token\""}), "test");
    CHECK(did.outcome == engine::reload_outcome::unchanged);
    CHECK(has_line(did.lines, "nothing changed"));
    CHECK(eng->stats().reloads_unchanged == 1);
  }

  SUBCASE("safe keys: one line each, secrets not shown, effective over TCP") {
    auto did = eng->reload(next({"auth.router=\"new-token\"", "limits.max_connections=2",
                                 "timeouts.registration_ms=1500"}),
                           "test");
    CHECK(did.outcome == engine::reload_outcome::applied);
    auto& lines = did.lines;
    CAPTURE(lines);
    CHECK(lines.size() == 3);
    CHECK(has_line(lines, "limits.max_connections 10000 -> 2"));
    CHECK(has_line(lines, "timeouts.registration_ms 2000 -> 1500"));
    CHECK(has_line(lines, "auth.router (secret) -> (secret)"));
    CHECK_FALSE(has_line(lines, "new-token"));
    CHECK(eng->live().get()->limits.max_connections == 2);
    CHECK(eng->cfg().limits.max_connections == 10000);  // the start-up config stays

    CHECK(register_error(port, "old-token") == wire::ErrorCode::bad_credential);
    CHECK(eventually([&] { return eng->open_sessions() == 1; }));
    raw_conn second{port};
    CHECK(second.register_as(wire::ClientType::router, "new-token") > 0);
    raw_conn third{port};  // over the new limit of 2
    auto f = third.read_frame();
    REQUIRE(f);
    CHECK(error_of(*f) == wire::ErrorCode::too_many_connections);
    CHECK(eng->stats().reloads_applied == 1);
  }

  SUBCASE("one unsafe key refuses everything, and says which") {
    auto did = eng->reload(next({"auth.router=\"new-token\"", "limits.max_connections=2",
                                 "engine.name=\"renamed\"", "storage.batch_size=10"}),
                           "test");
    CHECK(did.refused());
    auto& lines = did.lines;
    CAPTURE(lines);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "not applied: engine.name, storage.batch_size need a restart; nothing changed");
    CHECK(eng->live().get()->limits.max_connections == 10000);
    raw_conn again{port};
    CHECK(again.register_as(wire::ClientType::router, "old-token") > 0);
    CHECK(eng->stats().reloads_refused == 1);
    CHECK(eng->stats().reloads_applied == 0);
  }

  SUBCASE("queues count as one unsafe key") {
    auto changed = next({});
    changed.tokens[wire::ClientType::router] = "old-token";
    changed.domain.queues.push_back(queue_config{});
    changed.domain.queues.back().name = "new-queue";
    auto lines = eng->reload(changed, "test").lines;
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "not applied: queues needs a restart; nothing changed");
  }

  SUBCASE("an embedded engine has no file to read again") {
    auto did = eng->reload_from_source("test");
    CHECK(did.refused());
    CHECK(has_line(did.lines, "no config file"));
  }
}

TEST_CASE("config_diff knows every key of the option table") {
  auto a = test_config();
  auto b = test_config({"engine.data_dir=\"" + a.data_dir + "\"", "log.level=debug",
                        "listen.interaction_port=7999", "tls.enabled=true",
                        "tls.cert_file=\"c.pem\"", "tls.key_file=\"k.pem\""});
  auto changes = engine::config_diff(a, b);
  std::vector<std::string> keys;
  for (auto& c : changes)
    keys.push_back(c.key + (c.reloadable ? " safe" : " unsafe"));
  CHECK(keys == std::vector<std::string>{"listen.interaction_port unsafe", "log.level safe",
                                         "tls.enabled unsafe", "tls.cert_file unsafe",
                                         "tls.key_file unsafe"});
  // Showing a token never adds one (an empty token would let empty credentials in).
  CHECK(a.tokens.empty());
}
