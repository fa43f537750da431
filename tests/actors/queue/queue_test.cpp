// The queue family (actors/queue/queue_actor) on CAF's test coordinator, through its real
// neighbours: interactions enter and leave it, the router takes its heads, the reporting
// bus carries its virtual-queue events to 7122 subscribers. What docs/protocol.md promises:
// priority then age per media, max_size refused with limit_exceeded, overflow exactly
// overflow_after_ms after an interaction entered (a requeue does not restart the wait), a
// stopped waiting interaction leaving the queue, and the VQ events of each move.
#include <doctest/doctest.h>

#include <tuple>

#include "support/local_fixture.hpp"

using namespace parley;
using namespace std::chrono_literals;
using engine::listener_kind;
using test::error_of;
using test::local_client;
using test::ok;
using wire::ClientType;
using wire::VqEventKind;

namespace {

const char* center = R"(
[routing]
offer_timeout_ms = 60000
media = ["voice", "chat"]

[[queues]]
name = "sales"
max_size = 3
overflow_after_ms = 30000
overflow_to = "backup"

[[queues]]
name = "backup"

[[queues]]
name = "small"
max_size = 1

[[agent_groups]]
name = "team"
members = ["a1", "a2"]
capacity = { voice = 1, chat = 1 }
)";

/// A VQ event as (kind, queue, interaction, agent, reason).
using vq = std::tuple<VqEventKind, std::string, std::uint64_t, std::string, std::string>;

struct fixture : test::local_fixture {
  local_client gw, d1, d2, wall;

  fixture() : local_fixture(center) {
    open(gw, ClientType::media_gateway);
    open(d1, ClientType::agent_desktop);
    open(d2, ClientType::agent_desktop);
    open(wall, ClientType::stat_client, listener_kind::vq);
  }

  void subscribe(std::vector<std::string> queues) {
    auto& b = enc.start();
    auto names = b.CreateVectorOfStrings(queues);
    REQUIRE(ok(ask(wall, wire::CreateVqSubscribe(b, names))));
  }

  std::vector<vq> vq_events() const {
    std::vector<vq> out;
    for (auto* e : wall.all<wire::VqEvent>())
      out.emplace_back(e->kind(), e->vq()->str(), e->interaction_id(),
                       e->agent() ? e->agent()->str() : "", e->reason() ? e->reason()->str() : "");
    return out;
  }

  /// Engine time of the VQ events, in order.
  std::vector<std::int64_t> vq_times() const {
    std::vector<std::int64_t> out;
    for (auto* e : wall.all<wire::VqEvent>())
      out.push_back(e->engine_ms());
    return out;
  }
};

const std::int64_t start_ms = std::chrono::milliseconds{test::local_epoch}.count();

} // namespace

TEST_CASE_FIXTURE(fixture, "priority first, then arrival, per media; an agent takes them in that order") {
  auto low1 = submit(gw, "backup", "voice", 0);
  auto high1 = submit(gw, "backup", "voice", 5);
  auto low2 = submit(gw, "backup", "voice", 0);
  auto high2 = submit(gw, "backup", "voice", 5);
  auto chat = submit(gw, "backup", "chat", 1);
  // The snapshot merges the media into one routing order.
  CHECK(snapshot(gw, "backup") == std::vector<std::uint64_t>{high1, high2, chat, low1, low2});
  // An agent with room for one voice and one chat: the best of each.
  login(d1, "a1");
  CHECK(d1.invites() == std::vector<std::uint64_t>{high1, chat});
  std::vector<std::uint64_t> voice_order;
  for (int i = 0; i < 4; ++i) {
    auto got = d1.invites();
    auto iid = got.back() == chat ? got[got.size() - 2] : got.back();
    voice_order.push_back(iid);
    accept(d1, iid);
    stop(gw, iid);
  }
  CHECK(voice_order == std::vector<std::uint64_t>{high1, high2, low1, low2});
}

TEST_CASE_FIXTURE(fixture, "a full queue refuses a new arrival with limit_exceeded and changes nothing") {
  subscribe({"small"});
  local_client rep;
  open(rep, ClientType::reporting);
  REQUIRE(ok(ask(rep, wire::CreateSubscribeReporting(enc.start()))));
  auto first = submit(gw, "small");
  auto reports = rep.count(wire::Message::ReportingEvent);
  CHECK(reports == 2);  // submitted, queued
  auto* refused = ask(gw, wire::CreateSubmitDirect(enc.start(), nullptr, nullptr, "voice", "small"));
  CHECK(error_of(refused) == wire::ErrorCode::limit_exceeded);
  CHECK(snapshot(gw, "small") == std::vector<std::uint64_t>{first});
  CHECK(vq_events() == std::vector<vq>{{VqEventKind::entered, "small", first, "", ""}});
  // A refused submit reports nothing (docs/protocol.md, "Reporting stream").
  CHECK(rep.count(wire::Message::ReportingEvent) == reports);
  // Room again once the first left: the next one is taken.
  stop(gw, first);
  auto second = submit(gw, "small");
  CHECK(snapshot(gw, "small") == std::vector<std::uint64_t>{second});
}

TEST_CASE_FIXTURE(fixture, "overflow exactly overflow_after_ms after entering; a requeue keeps the clock running") {
  subscribe({});
  auto i1 = submit(gw, "sales");
  vt.advance(10s);
  // Offered at 10 s and rejected at 20 s: back in sales at its old position, same deadline.
  login(d1, "a1");
  REQUIRE(d1.invites() == std::vector<std::uint64_t>{i1});
  vt.advance(10s);
  REQUIRE(ok(ask(d1, wire::CreateAgentNotReadyDirect(enc.start(), "break"))));
  REQUIRE(ok(ask(d1, wire::CreateRejectDirect(enc.start(), i1, ""))));
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{i1});
  vt.advance(9999ms);
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{i1});
  CHECK(snapshot(gw, "backup").empty());
  vt.advance(1ms);
  CHECK(snapshot(gw, "sales").empty());
  CHECK(snapshot(gw, "backup") == std::vector<std::uint64_t>{i1});
  auto [state, agents] = state_of(gw, i1);
  CHECK(state == wire::InteractionState::queued);
  CHECK(vq_events() == std::vector<vq>{
                         {VqEventKind::entered, "sales", i1, "", ""},
                         {VqEventKind::diverted, "sales", i1, "a1", ""},
                         {VqEventKind::entered, "sales", i1, "", ""},
                         {VqEventKind::cleared, "sales", i1, "", "overflow"},
                         {VqEventKind::entered, "backup", i1, "", ""},
                       });
  CHECK(vq_times() == std::vector<std::int64_t>{start_ms, start_ms + 10'000, start_ms + 20'000,
                                                start_ms + 30'000, start_ms + 30'000});
  // The VQ stream's own sequence, gap-free from 1 (nothing else made VQ events here), and
  // the queues' tenant.
  std::vector<std::uint64_t> seqs;
  for (auto* e : wall.all<wire::VqEvent>()) {
    seqs.push_back(e->seq());
    CHECK(e->tenant()->str() == "default");
  }
  CHECK(seqs == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  // In backup there is no overflow: it waits there.
  vt.advance(60s);
  CHECK(snapshot(gw, "backup") == std::vector<std::uint64_t>{i1});
}

TEST_CASE_FIXTURE(fixture, "an interaction that left before its overflow time does not overflow later") {
  subscribe({"backup"});
  auto i1 = submit(gw, "sales");
  vt.advance(5s);
  stop(gw, i1);
  vt.advance(60s);
  CHECK(vq_events().empty());
  CHECK(snapshot(gw, "backup").empty());
}

TEST_CASE_FIXTURE(fixture, "a stopped waiting interaction leaves the queue: abandoned by its gateway, cleared by others") {
  subscribe({"backup"});
  auto i1 = submit(gw, "backup");
  auto i2 = submit(gw, "backup");
  auto i3 = submit(gw, "backup");
  REQUIRE(ok(ask(gw, wire::CreateStopProcessingDirect(enc.start(), i2, "hung up"))));
  CHECK(snapshot(gw, "backup") == std::vector<std::uint64_t>{i1, i3});
  local_client admin;
  open(admin, ClientType::admin);
  REQUIRE(ok(ask(admin, wire::CreateStopProcessingDirect(enc.start(), i1, "cleanup"))));
  CHECK(snapshot(gw, "backup") == std::vector<std::uint64_t>{i3});
  CHECK(vq_events() == std::vector<vq>{
                         {VqEventKind::entered, "backup", i1, "", ""},
                         {VqEventKind::entered, "backup", i2, "", ""},
                         {VqEventKind::entered, "backup", i3, "", ""},
                         {VqEventKind::abandoned, "backup", i2, "", "hung up"},
                         {VqEventKind::cleared, "backup", i1, "", "cleanup"},
                       });
  // The stopped ones are gone; an agent gets the one left.
  login(d1, "a1");
  CHECK(d1.invites() == std::vector<std::uint64_t>{i3});
}

TEST_CASE_FIXTURE(fixture, "VQ subscriptions: only the named queues, an unknown name refused, a second one replaces") {
  auto& b = enc.start();
  auto bad = b.CreateVectorOfStrings({"sales", "nowhere"});
  CHECK(error_of(ask(wall, wire::CreateVqSubscribe(b, bad))) == wire::ErrorCode::unknown_id);
  subscribe({"small"});
  auto s = submit(gw, "sales");
  vt.advance(1s);
  auto m = submit(gw, "small");
  CHECK(vq_events() == std::vector<vq>{{VqEventKind::entered, "small", m, "", ""}});
  subscribe({"sales"});
  login(d1, "a1");
  // a1 idles: it gets the older one (sales), whose diversion the wallboard now sees.
  CHECK(d1.invites() == std::vector<std::uint64_t>{s});
  CHECK(vq_events() == std::vector<vq>{{VqEventKind::entered, "small", m, "", ""},
                                       {VqEventKind::diverted, "sales", s, "a1", ""}});
  REQUIRE(ok(ask(wall, wire::CreateVqUnsubscribe(enc.start()))));
  stop(gw, m);
  CHECK(vq_events().size() == 2);
}
