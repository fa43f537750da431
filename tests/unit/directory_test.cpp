// The directory actor on CAF's deterministic test coordinator (no threads, no sleeps).
#include <doctest/doctest.h>

#include <caf/all.hpp>

#include "actors/directory/directory_actor.hpp"

using namespace parley;

namespace {

struct directory_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  caf::scoped_actor self;

  static caf::actor_system_config& prepare(caf::actor_system_config& c) {
    c.set("scheduler.policy", caf::atom("testing"));
    c.add_message_types<caf::id_block::parley>();
    return c;
  }

  directory_fixture()
    : sys(prepare(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
      self(sys, true) {}

  /// Sends a request, runs the coordinator, returns the answer or the error.
  template <class T, class Handle, class... Ts>
  caf::expected<T> ask(Handle h, Ts... xs) {
    caf::expected<T> out = caf::sec::request_timeout;
    auto pending = self->request(h, caf::infinite, xs...);
    sched.run();  // the answer is in our mailbox before we wait for it
    pending.receive([&](T& x) { out = std::move(x); }, [&](caf::error& e) { out = std::move(e); });
    return out;
  }
};

client_info desk(std::uint64_t id, std::string credential = "") {
  client_info i;
  i.session_id = id;
  i.name = "desk-" + std::to_string(id);
  i.type = wire::ClientType::agent_desktop;
  i.credential = std::move(credential);
  i.protocol_version = protocol::protocol_version;
  return i;
}

} // namespace

TEST_CASE_FIXTURE(directory_fixture, "the directory admits, counts and forgets clients") {
  auto dir = spawn_directory(sys, token_map{{wire::ClientType::agent_desktop, "tok"}});
  sched.run();

  auto ok = ask<std::uint64_t>(dir, register_atom_v, desk(1, "tok"));
  REQUIRE(ok);
  CHECK(*ok == 1);

  auto bad = ask<std::uint64_t>(dir, register_atom_v, desk(2, "tok2"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error() == wire::ErrorCode::bad_credential);

  auto again = ask<std::uint64_t>(dir, register_atom_v, desk(1, "tok"));
  CHECK(again.error() == wire::ErrorCode::already_registered);

  auto old = desk(3, "tok");
  old.protocol_version = 99;
  CHECK(ask<std::uint64_t>(dir, register_atom_v, old).error()
        == wire::ErrorCode::unsupported_version);

  auto nobody = desk(4, "tok");
  nobody.type = wire::ClientType::unknown;
  CHECK(ask<std::uint64_t>(dir, register_atom_v, nobody).error()
        == wire::ErrorCode::wrong_client_type);

  // A media gateway needs no token here.
  auto gw = desk(5);
  gw.type = wire::ClientType::media_gateway;
  CHECK(ask<std::uint64_t>(dir, register_atom_v, gw));

  auto counts = ask<client_counts>(dir, count_atom_v);
  REQUIRE(counts);
  CHECK((*counts)[static_cast<std::size_t>(wire::ClientType::agent_desktop)] == 1);
  CHECK((*counts)[static_cast<std::size_t>(wire::ClientType::media_gateway)] == 1);

  self->send(dir, unreg_atom_v, std::uint64_t{1});
  self->send(dir, unreg_atom_v, std::uint64_t{777});  // unknown: ignored
  sched.run();
  counts = ask<client_counts>(dir, count_atom_v);
  CHECK((*counts)[static_cast<std::size_t>(wire::ClientType::agent_desktop)] == 0);

  self->send_exit(dir, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_CASE("same_secret compares whole secrets") {
  CHECK(same_secret("abc", "abc"));
  CHECK_FALSE(same_secret("abc", "abd"));
  CHECK_FALSE(same_secret("abc", "ab"));
  CHECK_FALSE(same_secret("", "x"));
  CHECK(same_secret("", ""));
}
