// The interaction actor on CAF's test coordinator: a transfer lives within the time its
// client waits (actors/runtime/budget.hpp). The target agent is held back (its invite sits
// in its mailbox, unprocessed) until the transfer's budget has run out: the client is told
// `timeout`, and the transfer must then not happen after all — the transferring agent
// keeps the interaction, the target's late invite is taken back, and the reporting stream
// shows nothing of it. With a fixed inner timeout longer than the client's (5 s inside 5 s,
// as it was), the client got `timeout` and the target then got the interaction.
#include <doctest/doctest.h>

#include <algorithm>

#include <caf/all.hpp>

#include "support/local_fixture.hpp"

using namespace parley;
using namespace std::chrono_literals;
using test::local_client;
using test::ok;

namespace {

const char* two_agents = R"(
[timeouts]
request_ms = 1000

[routing]
offer_timeout_ms = 60000

[[queues]]
name = "sales"

[[agent_groups]]
name = "team"
members = ["a1", "a2"]
capacity = { voice = 1 }
)";

struct fixture : test::local_fixture {
  fixture() : local_fixture(two_agents) {}
};

} // namespace

TEST_CASE_FIXTURE(fixture, "a transfer that ran out of time is not carried out afterwards") {
  local_client gw, d1, d2, rep;
  open(gw, wire::ClientType::media_gateway);
  open(d1, wire::ClientType::agent_desktop);
  open(d2, wire::ClientType::agent_desktop);
  open(rep, wire::ClientType::reporting);
  REQUIRE(ok(ask(rep, wire::CreateSubscribeReporting(enc.start()))));
  REQUIRE(ok(ask(d1, wire::CreateAgentLoginDirect(enc.start(), "a1"))));
  REQUIRE(ok(ask(d2, wire::CreateAgentLoginDirect(enc.start(), "a2"))));
  REQUIRE(ok(ask(d1, wire::CreateAgentReady(enc.start()))));
  auto* sub = ask(gw, wire::CreateSubmitDirect(enc.start(), nullptr, nullptr, "voice", "sales"));
  REQUIRE(ok(sub));
  auto iid = sub->message_as_Submitted()->interaction_id();
  REQUIRE(ok(ask(d1, wire::CreateAccept(enc.start(), iid))));
  REQUIRE(ok(ask(d2, wire::CreateAgentReady(enc.start()))));
  auto reports_before = rep.events().size();

  // The transfer: everything runs but a2, whose invite waits in its mailbox.
  auto* a2 = dynamic_cast<caf::resumable*>(caf::actor_cast<caf::abstract_actor*>(agent_actor("a2")));
  REQUIRE(a2);
  auto& sched = vt.coordinator();
  auto all_but_a2 = [&] { sched.run_jobs_filtered([&](caf::resumable* r) { return r != a2; }); };
  auto transfer = ++ref;
  d1.s->send(enc.finish(transfer, wire::CreateTransferDirect(enc.start(), iid, "a2")));
  all_but_a2();
  REQUIRE(std::find(sched.jobs.begin(), sched.jobs.end(), a2) != sched.jobs.end());
  CHECK_FALSE(d1.answer(transfer));

  // 900 ms of the client's 1000: past what the interaction may wait for a2, not past what
  // the connection waits for the interaction.
  sched.advance_time(900ms);
  all_but_a2();
  auto* answer = d1.answer(transfer);
  REQUIRE(answer);
  REQUIRE(answer->message_as_Error());
  CHECK(answer->message_as_Error()->code() == wire::ErrorCode::timeout);

  // Now a2 catches up: it shows the late invite and takes it back at once.
  vt.run();
  auto d2_events = d2.events();
  auto invite = std::find(d2_events.begin(), d2_events.end(), wire::Message::Invite);
  REQUIRE(invite != d2_events.end());
  CHECK(std::find(invite, d2_events.end(), wire::Message::Revoked) != d2_events.end());

  // The transfer did not happen: a1 still handles it, a2 cannot accept it.
  auto* info = ask(gw, wire::CreateGetInteraction(enc.start(), iid));
  REQUIRE(ok(info));
  auto* v = info->message_as_InteractionData()->info();
  CHECK(v->state() == wire::InteractionState::handled);
  REQUIRE(v->agents());
  REQUIRE(v->agents()->size() == 1);
  CHECK(v->agents()->Get(0)->str() == "a1");
  CHECK_FALSE(ok(ask(d2, wire::CreateAccept(enc.start(), iid))));
  CHECK(ok(ask(d1, wire::CreateHold(enc.start(), iid))));
  // Nothing of it on the reporting stream: the next event is the hold.
  auto reports = rep.events();
  REQUIRE(reports.size() > reports_before);
  std::vector<wire::ReportingKind> kinds;
  for (auto& f : rep.frames)
    if (auto* e = protocol::envelope_of(f)->message_as_ReportingEvent())
      kinds.push_back(e->kind());
  CHECK(std::find(kinds.begin(), kinds.end(), wire::ReportingKind::transferred) == kinds.end());
  CHECK(kinds.back() == wire::ReportingKind::held);

  // With time to spare, the same transfer goes through.
  auto again = ask(d1, wire::CreateTransferDirect(enc.start(), iid, "a2"));
  CHECK(ok(again));
  CHECK(ok(ask(d2, wire::CreateAccept(enc.start(), iid))));
}
