// The router family (actors/routing/router_actor) on CAF's test coordinator, through its
// real neighbours: queues tell it their heads, agents their availability, desktops and
// gateways talk in frames. What a contact-center user relies on, as docs/protocol.md
// ("Routing") promises it: the longest-idle eligible agent first, skills, capacity per
// media counted before the agent has seen its invite, a rejected interaction offered again
// from its old position, and an external router bypassed exactly when
// routing.router_timeout_ms has passed on virtual time.
#include <doctest/doctest.h>

#include "support/local_fixture.hpp"

using namespace parley;
using namespace std::chrono_literals;
using test::error_of;
using test::local_client;
using test::ok;
using wire::ClientType;

namespace {

const char* center = R"(
[routing]
offer_timeout_ms = 60000
router_timeout_ms = 1000
media = ["voice", "chat"]

[[queues]]
name = "sales"

[[queues]]
name = "gold"
skills = { vip = 3 }

[[agent_groups]]
name = "seniors"
members = ["a1", "a2"]
skills = { vip = 3 }
capacity = { voice = 1, chat = 2 }

[[agent_groups]]
name = "juniors"
members = ["a3"]
skills = { vip = 2 }
capacity = { voice = 1, chat = 2 }
)";

struct fixture : test::local_fixture {
  local_client gw, d1, d2, d3;

  fixture() : local_fixture(center) {
    open(gw, ClientType::media_gateway);
    open(d1, ClientType::agent_desktop);
    open(d2, ClientType::agent_desktop);
    open(d3, ClientType::agent_desktop);
  }

  /// An external router client for sales.
  void open_router(local_client& x) {
    open(x, ClientType::router);
    auto& b = enc.start();
    auto queues = b.CreateVectorOfStrings({"sales"});
    REQUIRE(ok(ask(x, wire::CreateRegisterRouter(b, queues))));
  }
};

} // namespace

TEST_CASE_FIXTURE(fixture, "a new head goes to the agent idle longest, and an assignment restarts the idle time") {
  // All three log in first; they become ready (idle) a second apart: a2, a3, a1.
  login(d1, "a1", false);
  login(d2, "a2", false);
  login(d3, "a3", false);
  ready(d2);
  vt.advance(1s);
  ready(d3);
  vt.advance(1s);
  ready(d1);
  vt.advance(1s);

  auto i1 = submit(gw, "sales", "chat");
  CHECK(d2.invites() == std::vector<std::uint64_t>{i1});
  CHECK(d1.invites().empty());
  CHECK(d3.invites().empty());
  // a2 still has chat capacity, but its assignment made it the most recently used.
  vt.advance(1s);
  auto i2 = submit(gw, "sales", "chat");
  CHECK(d3.invites() == std::vector<std::uint64_t>{i2});
  vt.advance(1s);
  auto i3 = submit(gw, "sales", "chat");
  CHECK(d1.invites() == std::vector<std::uint64_t>{i3});
  vt.advance(1s);
  auto i4 = submit(gw, "sales", "chat");
  CHECK(d2.invites() == std::vector<std::uint64_t>{i1, i4});
  CHECK(state_of(gw, i4).second == std::vector<std::string>{"a2"});
}

TEST_CASE_FIXTURE(fixture, "only agents with every skill of the queue at its level are offered its interactions") {
  login(d3, "a3");  // vip = 2: below gold's 3
  vt.advance(1s);
  login(d1, "a1");  // vip = 3
  auto g = submit(gw, "gold");
  CHECK(d3.invites().empty());
  CHECK(d1.invites() == std::vector<std::uint64_t>{g});
  // sales needs no skill: the junior, idle longer, gets it.
  auto s = submit(gw, "sales");
  CHECK(d3.invites() == std::vector<std::uint64_t>{s});
  // A gold interaction with only the junior free waits.
  auto g2 = submit(gw, "gold");
  CHECK(state_of(gw, g2).first == wire::InteractionState::queued);
  CHECK(snapshot(gw, "gold") == std::vector<std::uint64_t>{g2});
}

TEST_CASE_FIXTURE(fixture, "capacity per media: an offer out counts, so a second call waits; chat has room of its own") {
  login(d1, "a1");
  auto v1 = submit(gw, "sales", "voice");
  auto v2 = submit(gw, "sales", "voice");
  vt.advance(1s);
  auto c1 = submit(gw, "sales", "chat");
  auto c2 = submit(gw, "sales", "chat");
  auto c3 = submit(gw, "sales", "chat");
  // voice = 1: v1 is offered and not answered, v2 waits; chat = 2: c1 and c2, not c3.
  CHECK(d1.invites() == std::vector<std::uint64_t>{v1, c1, c2});
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{v2, c3});
  // Another agent becomes ready: the heads of both media go to it, the older one first.
  login(d2, "a2");
  CHECK(d2.invites() == std::vector<std::uint64_t>{v2, c3});
  CHECK(snapshot(gw, "sales").empty());
  // a1 finishes its voice call: nothing is waiting, nothing more is offered.
  accept(d1, v1);
  stop(gw, v1);
  CHECK(d1.invites().size() == 3);
}

TEST_CASE_FIXTURE(fixture, "a rejected interaction keeps its place ahead of later arrivals") {
  login(d1, "a1");
  vt.advance(1s);
  login(d2, "a2");
  auto i1 = submit(gw, "sales");
  auto i2 = submit(gw, "sales");
  REQUIRE(d1.invites() == std::vector<std::uint64_t>{i1});
  REQUIRE(d2.invites() == std::vector<std::uint64_t>{i2});
  auto i3 = submit(gw, "sales");
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{i3});
  REQUIRE(ok(ask(d1, wire::CreateRejectDirect(enc.start(), i1, "busy"))));
  // i1 is back at its old position, before i3: a1 (free again) gets it, not i3.
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{i3});
  CHECK(d1.invites() == std::vector<std::uint64_t>{i1, i1});
  CHECK(d1.revoked() == std::vector<std::pair<std::uint64_t, std::string>>{{i1, "rejected"}});
  // When a1 is done with it, the next in line is its.
  accept(d1, i1);
  stop(gw, i1);
  CHECK(d1.invites() == std::vector<std::uint64_t>{i1, i1, i3});
  CHECK(d2.invites() == std::vector<std::uint64_t>{i2});
}

TEST_CASE_FIXTURE(fixture, "an external router is asked, and bypassed exactly at router_timeout_ms") {
  login(d1, "a1");
  vt.advance(1s);
  login(d2, "a2");
  local_client x;
  open_router(x);

  auto i1 = submit(gw, "sales");
  auto requests = x.all<wire::RouteRequest>();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0]->info()->id() == i1);
  // The ready agents, longest idle first.
  REQUIRE(requests[0]->ready_agents());
  REQUIRE(requests[0]->ready_agents()->size() == 2);
  CHECK(requests[0]->ready_agents()->Get(0)->str() == "a1");
  CHECK(requests[0]->ready_agents()->Get(1)->str() == "a2");
  // The router's choice wins over the built-in one (a2, not the longest idle).
  auto rid = requests[0]->request_id();
  CHECK(error_of(ask(x, wire::CreateRouteToDirect(enc.start(), rid, "nobody"))) == wire::ErrorCode::unknown_id);
  REQUIRE(ok(ask(x, wire::CreateRouteToDirect(enc.start(), rid, "a2"))));
  CHECK(d2.invites() == std::vector<std::uint64_t>{i1});
  CHECK(d1.invites().empty());
  CHECK(error_of(ask(x, wire::CreateRouteToDirect(enc.start(), rid, "a1"))) == wire::ErrorCode::unknown_id);

  // No answer: nothing happens for 999 ms, the built-in router decides at 1000 ms.
  auto i2 = submit(gw, "sales");
  requests = x.all<wire::RouteRequest>();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1]->info()->id() == i2);
  vt.advance(999ms);
  CHECK(d1.invites().empty());
  vt.advance(1ms);
  CHECK(d1.invites() == std::vector<std::uint64_t>{i2});
  // Too late for the router now.
  CHECK(error_of(ask(x, wire::CreateRouteToDirect(enc.start(), requests[1]->request_id(), "a1")))
        == wire::ErrorCode::unknown_id);
}

TEST_CASE_FIXTURE(fixture, "an external router that disconnects hands its open requests to the built-in router at once") {
  login(d1, "a1");
  local_client x;
  open_router(x);
  auto i1 = submit(gw, "sales");
  REQUIRE(x.all<wire::RouteRequest>().size() == 1);
  CHECK(d1.invites().empty());
  x.s->close();
  vt.run();
  CHECK(d1.invites() == std::vector<std::uint64_t>{i1});
  // From then on the queue is routed built-in, without waiting.
  accept(d1, i1);
  login(d2, "a2");
  auto i2 = submit(gw, "sales");
  CHECK(d2.invites() == std::vector<std::uint64_t>{i2});
}
