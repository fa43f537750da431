// The agent family (actors/agent: agent_actor, agent_registry) on CAF's test coordinator,
// through its real neighbours: a desktop in frames, the router, the interactions it is
// offered. What docs/protocol.md promises an agent: login not ready, ready, an invite,
// accept, after-call work that ends by itself exactly after wrap_up_ms, not ready with a
// reason (and no offers then), capacity per media, not ready after max_no_answer offer
// timeouts in a row, and logout or disconnect with work in hand.
#include <doctest/doctest.h>

#include "support/local_fixture.hpp"

using namespace parley;
using namespace std::chrono_literals;
using test::error_of;
using test::local_client;
using test::ok;
using wire::AgentState;
using wire::ClientType;

namespace {

const char* center = R"(
[routing]
offer_timeout_ms = 10000
max_no_answer = 2
media = ["voice", "chat"]

[[queues]]
name = "sales"

[[agent_groups]]
name = "team"
members = ["a1", "a2"]
capacity = { voice = 1, chat = 2 }
wrap_up_ms = 5000
)";

using states = std::vector<std::pair<AgentState, std::string>>;
using revocations = std::vector<std::pair<std::uint64_t, std::string>>;

struct fixture : test::local_fixture {
  local_client gw, d1, d2;

  fixture() : local_fixture(center) {
    open(gw, ClientType::media_gateway);
    open(d1, ClientType::agent_desktop);
    open(d2, ClientType::agent_desktop);
  }

  /// AgentStatus.changed_ms of the desktop's last AgentStateChanged, relative to the start.
  std::int64_t last_change_ms(const local_client& d) const {
    auto all = d.all<wire::AgentStateChanged>();
    REQUIRE_FALSE(all.empty());
    return all.back()->status()->changed_ms() - std::chrono::milliseconds{test::local_epoch}.count();
  }
};

} // namespace

TEST_CASE_FIXTURE(fixture, "login, ready, invite, accept, after-call work for exactly wrap_up_ms, ready again") {
  auto* in = ask(d1, wire::CreateAgentLoginDirect(enc.start(), "a1", "desk-7"));
  REQUIRE(ok(in));
  CHECK(in->message_as_AgentStatus()->state() == AgentState::not_ready);
  CHECK(d1.agent_states().empty());  // no state event at login
  // Not ready: a waiting interaction is not offered.
  auto i1 = submit(gw, "sales");
  CHECK(d1.invites().empty());
  ready(d1);
  CHECK(d1.invites() == std::vector<std::uint64_t>{i1});
  accept(d1, i1);
  CHECK(state_of(gw, i1) == std::pair{wire::InteractionState::handled, std::vector<std::string>{"a1"}});
  vt.advance(1s);
  stop(d1, i1);
  CHECK(d1.agent_states() == states{{AgentState::ready, ""}, {AgentState::after_call_work, ""}});
  CHECK(last_change_ms(d1) == 1'000);
  // In after-call work nothing is offered.
  auto i2 = submit(gw, "sales");
  vt.advance(4999ms);
  CHECK(d1.invites() == std::vector<std::uint64_t>{i1});
  CHECK(d1.agent_states().size() == 2);
  vt.advance(1ms);
  CHECK(d1.agent_states().back() == std::pair{AgentState::ready, std::string{}});
  CHECK(last_change_ms(d1) == 6'000);
  CHECK(d1.invites() == std::vector<std::uint64_t>{i1, i2});
}

TEST_CASE_FIXTURE(fixture, "after-call work ends early when the agent says ready, and not twice") {
  login(d1, "a1");
  auto i1 = submit(gw, "sales");
  accept(d1, i1);
  stop(gw, i1);
  REQUIRE(d1.agent_states().back().first == AgentState::after_call_work);
  vt.advance(2s);
  ready(d1);
  vt.advance(10s);  // the wrap-up timer of the earlier after-call work changes nothing
  CHECK(d1.agent_states() == states{{AgentState::ready, ""},
                                    {AgentState::after_call_work, ""},
                                    {AgentState::ready, ""}});
}

TEST_CASE_FIXTURE(fixture, "not ready with a reason: no offers until ready again") {
  login(d1, "a1");
  auto* nr = ask(d1, wire::CreateAgentNotReadyDirect(enc.start(), "lunch"));
  REQUIRE(ok(nr));
  CHECK(nr->message_as_AgentStatus()->state() == AgentState::not_ready);
  CHECK(nr->message_as_AgentStatus()->reason()->str() == "lunch");
  CHECK(d1.agent_states().back() == std::pair{AgentState::not_ready, std::string{"lunch"}});
  auto i1 = submit(gw, "sales");
  vt.advance(30min);
  CHECK(d1.invites().empty());
  ready(d1);
  CHECK(d1.invites() == std::vector<std::uint64_t>{i1});
}

TEST_CASE_FIXTURE(fixture, "capacity: two chats and a voice call at once, the third chat waits for a free slot") {
  login(d1, "a1");
  auto c1 = submit(gw, "sales", "chat");
  auto c2 = submit(gw, "sales", "chat");
  auto c3 = submit(gw, "sales", "chat");
  auto v1 = submit(gw, "sales", "voice");
  CHECK(d1.invites() == std::vector<std::uint64_t>{c1, c2, v1});
  accept(d1, c1);
  accept(d1, c2);
  accept(d1, v1);
  auto* st = ask(d1, wire::CreateAgentReady(enc.start()));
  REQUIRE(ok(st));
  std::map<std::string, std::uint32_t> use;
  for (auto* m : *st->message_as_AgentStatus()->media())
    use[m->media()->str()] = m->used();
  CHECK(use == std::map<std::string, std::uint32_t>{{"chat", 2}, {"voice", 1}});
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{c3});
  // One chat ends: the third is offered at once (another is still handled: no wrap-up).
  stop(gw, c1);
  CHECK(d1.invites() == std::vector<std::uint64_t>{c1, c2, v1, c3});
}

TEST_CASE_FIXTURE(fixture, "max_no_answer offer timeouts in a row make the agent not ready, reason no answer") {
  login(d1, "a1");
  auto i1 = submit(gw, "sales");
  vt.advance(9999ms);
  CHECK(d1.revoked().empty());
  vt.advance(1ms);
  // Revoked at 10 s and offered to the same agent again at once (nobody else is ready).
  CHECK(d1.revoked() == revocations{{i1, "timeout"}});
  CHECK(d1.invites() == std::vector<std::uint64_t>{i1, i1});
  CHECK(d1.agent_states() == states{{AgentState::ready, ""}});
  vt.advance(10s);
  // The second timeout in a row: Revoked, then not ready.
  CHECK(d1.revoked() == revocations{{i1, "timeout"}, {i1, "timeout"}});
  CHECK(d1.agent_states() == states{{AgentState::ready, ""}, {AgentState::not_ready, "no answer"}});
  CHECK(d1.events().back() == wire::Message::AgentStateChanged);
  CHECK(last_change_ms(d1) == 20'000);
  vt.advance(1min);
  CHECK(d1.invites().size() == 2);
  CHECK(state_of(gw, i1).first == wire::InteractionState::queued);
  // AgentReady resets the count: it takes two timeouts again.
  ready(d1);
  CHECK(d1.invites().size() == 3);
  vt.advance(10s);
  CHECK(d1.revoked().size() == 3);
  CHECK(d1.agent_states().back() == std::pair{AgentState::ready, std::string{}});
  CHECK(d1.invites().size() == 4);
  vt.advance(10s);
  CHECK(d1.revoked().size() == 4);
  CHECK(d1.agent_states().back() == std::pair{AgentState::not_ready, std::string{"no answer"}});
}

TEST_CASE_FIXTURE(fixture, "logout with work in hand: refused while handling; an offer goes to the next agent") {
  login(d1, "a1");
  vt.advance(1s);
  login(d2, "a2", false);
  auto i1 = submit(gw, "sales");
  REQUIRE(d1.invites() == std::vector<std::uint64_t>{i1});
  accept(d1, i1);
  CHECK(error_of(ask(d1, wire::CreateAgentLogout(enc.start()))) == wire::ErrorCode::wrong_state);
  // Only an offer out: the logout goes through and the offer goes back to the queue.
  auto i2 = submit(gw, "sales", "chat");
  REQUIRE(d1.invites() == std::vector<std::uint64_t>{i1, i2});
  stop(gw, i1);
  auto* out = ask(d1, wire::CreateAgentLogout(enc.start()));
  REQUIRE(ok(out));
  CHECK(out->message_as_AgentStatus()->state() == AgentState::logged_out);
  CHECK(d1.revoked().empty());  // not sent when the agent itself logs out
  CHECK(state_of(gw, i2).first == wire::InteractionState::queued);
  ready(d2);
  CHECK(d2.invites() == std::vector<std::uint64_t>{i2});
  // Logged out, the desktop's agent requests are refused.
  CHECK(error_of(ask(d1, wire::CreateAgentReady(enc.start()))) == wire::ErrorCode::wrong_state);
}

TEST_CASE_FIXTURE(fixture, "a desktop that disconnects while handling: the interaction goes back to its queue for the next agent") {
  login(d1, "a1");
  auto i1 = submit(gw, "sales");
  vt.advance(1s);
  auto i2 = submit(gw, "sales");
  accept(d1, i1);
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{i2});
  d1.s->close();
  vt.run();
  // i1 is back at its old position, ahead of i2.
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{i1, i2});
  auto removed = gw.all<wire::PartyRemoved>();
  REQUIRE(removed.size() == 1);
  CHECK(removed[0]->agent()->str() == "a1");
  CHECK(removed[0]->reason()->str() == "disconnected");
  // The agent can log in again elsewhere, and gets the head.
  local_client d3;
  open(d3, ClientType::agent_desktop);
  login(d3, "a1");
  CHECK(d3.invites() == std::vector<std::uint64_t>{i1});
}

TEST_CASE_FIXTURE(fixture, "a second login of the same agent is refused (second_login = reject)") {
  login(d1, "a1");
  CHECK(error_of(ask(d2, wire::CreateAgentLoginDirect(enc.start(), "a1"))) == wire::ErrorCode::wrong_state);
  CHECK(error_of(ask(d2, wire::CreateAgentLoginDirect(enc.start(), "nobody"))) == wire::ErrorCode::unknown_id);
  CHECK(error_of(ask(d1, wire::CreateAgentLoginDirect(enc.start(), "a2"))) == wire::ErrorCode::wrong_state);
  // d1's agent is untouched.
  auto i1 = submit(gw, "sales");
  CHECK(d1.invites() == std::vector<std::uint64_t>{i1});
}
