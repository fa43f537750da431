// harden(): a message an actor does not understand is answered, logged and counted —
// never dropped in silence (actors/runtime/unexpected.hpp).
#include <doctest/doctest.h>

#include <caf/all.hpp>

#include <optional>

#include "actors/runtime/harden.hpp"
#include "actors/runtime/unexpected.hpp"

using namespace parley;

namespace {

struct probe_state {
  static inline const char* name = "harden_probe";
};

caf::behavior probe(caf::stateful_actor<probe_state>* self) {
  harden(self);
  return {[](caf::get_atom) { return 42; }};
}

std::uint64_t count_of(const std::string& actor) {
  auto all = unexpected_messages::instance().counts();
  auto i = all.find(actor);
  return i == all.end() ? 0 : i->second;
}

} // namespace

TEST_CASE("an unknown request is answered unexpected_message and counted for its actor") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto a = sys.spawn(probe);
  caf::scoped_actor self{sys};
  auto before = count_of("harden_probe");

  std::optional<caf::error> got;
  self->request(a, std::chrono::seconds{5}, caf::put_atom_v, 1)
    .receive([&](int) { FAIL("an unknown message was handled"); },
             [&](caf::error& e) { got = e; });
  REQUIRE(got);
  CHECK(*got == caf::sec::unexpected_message);
  CHECK(count_of("harden_probe") == before + 1);

  // A fire-and-forget one is counted too, and the actor carries on answering what it knows.
  self->send(a, std::string{"stray"});
  int answer = 0;
  self->request(a, std::chrono::seconds{5}, caf::get_atom_v).receive([&](int x) { answer = x; },
                                                                     [&](caf::error&) {});
  CHECK(answer == 42);
  CHECK(count_of("harden_probe") == before + 2);
}

TEST_CASE("each actor and signature is logged once, however often it comes") {
  auto& u = unexpected_messages::instance();
  CHECK(u.record("log_once_probe", "(atom 'put', 1 more)"));
  CHECK_FALSE(u.record("log_once_probe", "(atom 'put', 1 more)"));
  CHECK(u.record("log_once_probe", "(atom 'get')"));
  CHECK(count_of("log_once_probe") == 3);
}

TEST_CASE("every actor family is listed at 0 before anything went wrong") {
  auto all = unexpected_messages::instance().counts();
  for (auto name : {"interaction", "queue", "router", "agent", "campaign", "persistence_writer"})
    CHECK(all.count(name) == 1);
}
