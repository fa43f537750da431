// Interactions recovered at start-up that wait in their queue without an actor (the queue
// holds a waiting_record; the registry spawns the actor when something needs it), on CAF's
// test coordinator. The recovery is the registry's recover_atom with stored rows, as the
// engine sends it. Whatever reaches such an interaction — an agent (routing), its gateway
// (stop, properties, a resubmit), the queue's overflow timer, the console's `queue clear`,
// a lookup — finds it exactly as an interaction whose actor had requeued it: its position,
// its properties, its overflow deadline, its reports.
#include <doctest/doctest.h>

#include <caf/all.hpp>

#include "actors/interaction/interaction_registry.hpp"
#include "actors/persistence/rows.hpp"
#include "support/local_fixture.hpp"

using namespace parley;
using namespace std::chrono_literals;
using test::local_client;
using test::ok;
using wire::ClientType;
using wire::InteractionState;
using wire::ReportingKind;

namespace {

const char* center = R"(
[routing]
offer_timeout_ms = 60000

[[queues]]
name = "sales"
overflow_after_ms = 30000
overflow_to = "backup"

[[queues]]
name = "backup"

[[agent_groups]]
name = "team"
members = ["a1"]
capacity = { voice = 1 }
)";

struct fixture : test::local_fixture {
  local_client gw, desk, rep;
  std::int64_t now_ms = 0;

  fixture() : local_fixture(center) {
    open(gw, ClientType::media_gateway);
    open(desk, ClientType::agent_desktop);
    open(rep, ClientType::reporting);
    REQUIRE(ok(ask(rep, wire::CreateSubscribeReporting(enc.start()))));
    now_ms = clk->now_ms();
  }

  /// A stored row: waiting in `queue` at position `seq` since `waited` ago.
  storage::interaction_row row(std::uint64_t id, const std::string& queue, std::uint64_t seq,
                               std::chrono::milliseconds waited, std::int32_t priority = 0) {
    interaction_view v;
    v.id = id;
    v.external_id = "ext-" + std::to_string(id);
    v.tenant = "default";
    v.media = "voice";
    v.queue = queue;
    v.priority = priority;
    v.state = InteractionState::queued;
    v.properties = {property{"customer", "c" + std::to_string(id), 0, false}};
    v.submitted_ms = v.changed_ms = now_ms - waited.count();
    return to_row(v, seq, now_ms - waited.count());
  }

  /// Runs the registry's recovery of `live` to the end; how many it recovered.
  std::uint64_t recover(std::vector<storage::interaction_row> live) {
    std::uint64_t n = 0;
    bool answered = false;
    auto max_id = live.empty() ? 0 : live.back().id;
    auto registry = eng->domain()->interactions;
    sys.spawn([=, &n, &answered](caf::event_based_actor* self) {
      self->request(registry, caf::infinite, recover_atom_v, live, std::vector<storage::interaction_row>{},
                    max_id, std::uint64_t{100})
        .then([&](std::uint64_t count) {
          n = count;
          answered = true;
        });
    });
    vt.run();
    REQUIRE(answered);
    return n;
  }

  /// The reports the reporting client got about `iid`, as (kind, state, reason).
  std::vector<std::tuple<ReportingKind, InteractionState, std::string>> reports(std::uint64_t iid) const {
    std::vector<std::tuple<ReportingKind, InteractionState, std::string>> out;
    for (auto* e : rep.all<wire::ReportingEvent>())
      if (e->interaction_id() == iid)
        out.emplace_back(e->kind(), e->state(), e->reason() ? e->reason()->str() : "");
    return out;
  }

  std::uint64_t live_count() {
    std::uint64_t n = 0;
    auto registry = eng->domain()->interactions;
    sys.spawn([=, &n](caf::event_based_actor* self) {
      self->request(registry, caf::infinite, count_atom_v).then([&](std::uint64_t c) { n = c; });
    });
    vt.run();
    return n;
  }
};

} // namespace

TEST_CASE_FIXTURE(fixture, "recovered waiting interactions: back in routing order, reported once, routed and stopped") {
  // 3 and 4 wait in sales (4 with a higher priority), 5 in backup.
  REQUIRE(recover({row(3, "sales", 7, 1s), row(4, "sales", 9, 1s, 1), row(5, "backup", 2, 1s)}) == 3);
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{4, 3});
  CHECK(snapshot(gw, "backup") == std::vector<std::uint64_t>{5});
  CHECK(live_count() == 3);
  using R = std::tuple<ReportingKind, InteractionState, std::string>;
  CHECK(reports(3) == std::vector<R>{{ReportingKind::recovered, InteractionState::submitted, ""},
                                     {ReportingKind::queued, InteractionState::queued, "engine restart"}});
  // A lookup finds it queued, with its properties.
  auto* info = ask(gw, wire::CreateGetInteraction(enc.start(), 3));
  REQUIRE(ok(info));
  auto* i = info->message_as_InteractionData()->info();
  CHECK(i->state() == InteractionState::queued);
  CHECK(i->queue()->str() == "sales");
  REQUIRE(i->properties()->size() == 1);
  CHECK(i->properties()->Get(0)->text()->str() == "c3");
  // The agent gets the head (its actor spawned on the way) and handles it.
  login(desk, "a1");
  REQUIRE(desk.invites() == std::vector<std::uint64_t>{4});
  accept(desk, 4);
  CHECK(state_of(gw, 4).first == InteractionState::handled);
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{3});
  // Its gateway stops one: it leaves its queue as abandoned.
  stop(gw, 5);
  CHECK(snapshot(gw, "backup").empty());
  CHECK(std::get<0>(reports(5).back()) == ReportingKind::abandoned);
  // New work goes behind the recovered ones, with new ids.
  auto fresh = submit(gw, "sales");
  CHECK(fresh > 5);
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{3, fresh});
  CHECK(live_count() == 3);  // 3, 4 (handled), fresh
}

TEST_CASE_FIXTURE(fixture, "a resubmit of a recovered waiting interaction finds it, in place") {
  REQUIRE(recover({row(8, "sales", 1, 1s), row(9, "sales", 2, 1s)}) == 2);
  auto* a = ask(gw, wire::CreateSubmitDirect(enc.start(), "ext-9", "", "voice", "sales", 0, nullptr));
  REQUIRE(ok(a));
  auto* s = a->message_as_Submitted();
  CHECK(s->existing());
  CHECK(s->interaction_id() == 9);
  CHECK(s->state() == InteractionState::queued);
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{8, 9});
  // Its events go to the gateway that resubmitted: the stop is its own.
  stop(gw, 9);
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{8});
}

TEST_CASE_FIXTURE(fixture, "overflow counts from when it entered before the restart; a queue clear stops those without an actor") {
  // 11 has waited 20 s of its 30: it overflows to backup 10 s after the recovery; 12 entered
  // just now and stays.
  REQUIRE(recover({row(11, "sales", 1, 20s), row(12, "sales", 2, 0s), row(13, "backup", 1, 0s)}) == 3);
  vt.advance(9999ms);
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{11, 12});
  vt.advance(1ms);
  CHECK(snapshot(gw, "sales") == std::vector<std::uint64_t>{12});
  CHECK(snapshot(gw, "backup") == std::vector<std::uint64_t>{13, 11});
  CHECK(std::get<0>(reports(11).back()) == ReportingKind::overflowed);
  // The console's `queue clear` (the queue's stop_atom): each stops itself, as cleared.
  auto backup = eng->domain()->queue("backup");
  std::uint64_t cleared = 0;
  sys.spawn([=, &cleared](caf::event_based_actor* self) {
    self->request(backup, caf::infinite, stop_atom_v, std::string{"cleared by test"})
      .then([&](std::uint64_t n) { cleared = n; });
  });
  vt.run();
  CHECK(cleared == 2);
  CHECK(snapshot(gw, "backup").empty());
  CHECK(std::get<0>(reports(13).back()) == ReportingKind::stopped);
  CHECK(std::get<0>(reports(11).back()) == ReportingKind::stopped);
  CHECK(live_count() == 1);  // 12, still without an actor
  CHECK(test::error_of(ask(gw, wire::CreateGetInteraction(enc.start(), 13))) == wire::ErrorCode::unknown_id);
}
