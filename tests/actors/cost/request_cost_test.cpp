// What the common requests cost in actor messages, counted on CAF's test coordinator (one
// message per job): every message any actor handles from the frame's arrival until nothing
// is left to do — the answer's path, the reporting bus, the statistics feed and the
// writer's group commit (durability = commit, SQLite) included. docs/protocol.md ("What a
// request costs") states these figures; a change that makes a request dearer fails here
// and must say why in that table.
#include <doctest/doctest.h>

#include "support/local_fixture.hpp"

using namespace parley;
using namespace parley::test;

namespace {

const char* one_queue = R"(
[storage]
durability = "commit"

[[queues]]
name = "sales"

[[agent_groups]]
name = "team"
members = ["a1"]
capacity = { voice = 1 }
)";

struct cost_fixture : local_fixture {
  cost_fixture() : local_fixture(one_queue, storage_mode::store) {}

  /// Sends `msg` as `c` and runs every actor until none has work: the messages handled.
  template <class T>
  std::size_t cost(local_client& c, flatbuffers::Offset<T> msg) {
    c.s->send(enc.finish(++ref, msg));
    auto n = vt.run();
    REQUIRE(ok(c.answer(ref)));
    return n;
  }
};

} // namespace

TEST_CASE_FIXTURE(cost_fixture, "messages per request: ready, submit, accept, stop") {
  local_client gw, desk;
  open(gw, wire::ClientType::media_gateway);
  open(desk, wire::ClientType::agent_desktop);
  login(desk, "a1", false);

  // Nobody ready: the submit waits in its queue.
  auto submit_waiting = cost(gw, wire::CreateSubmitDirect(enc.start(), nullptr, nullptr, "voice", "sales"));
  // Ready with one waiting: the agent is ready, and the waiting one is routed and offered.
  auto ready_routes = cost(desk, wire::CreateAgentReady(enc.start()));
  auto iid = desk.invites().at(0);
  auto accept = cost(desk, wire::CreateAccept(enc.start(), iid));
  auto stop = cost(desk, wire::CreateStopProcessingDirect(enc.start(), iid, "done"));
  // Ready with nothing waiting (after-call work is off: the agent is ready again already).
  auto ready_idle = cost(desk, wire::CreateAgentNotReadyDirect(enc.start(), "break"));
  ready_idle = cost(desk, wire::CreateAgentReady(enc.start()));
  // A submit routed at once to the ready agent.
  auto submit_routed = cost(gw, wire::CreateSubmitDirect(enc.start(), nullptr, nullptr, "voice", "sales"));

  MESSAGE("submit (waits) " << submit_waiting << ", submit (routed at once) " << submit_routed
                            << ", ready (nothing waits) " << ready_idle << ", ready (routes one) "
                            << ready_routes << ", accept " << accept << ", stop " << stop);
  // The figures of docs/protocol.md, "What a request costs" (2026-12-06): no request may
  // get dearer without that table saying why; one made cheaper lowers its figure here.
  CHECK(submit_waiting <= 22);
  CHECK(submit_routed <= 38);
  CHECK(ready_idle <= 11);
  CHECK(ready_routes <= 28);
  CHECK(accept <= 12);
  CHECK(stop <= 18);
}
