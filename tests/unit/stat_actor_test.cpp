// A statistic actor on virtual time (CAF's test coordinator and a manual clock moved in
// step): periodic notifications, and a growing_reset interval whose scheduled midnight
// reset sends the final value of the day (reset_based) and starts the next one at 0; and
// several statistics on one calculation.
#include <algorithm>

#include <doctest/doctest.h>

#include <caf/all.hpp>

#include "actors/stats/stat_actor.hpp"
#include "actors/runtime/types.hpp"
#include "protocol/codec.hpp"

using namespace parley;
using namespace parley::stats;
using namespace std::chrono_literals;

namespace {

struct stat_actor_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  std::shared_ptr<manual_clock> clk;
  std::shared_ptr<std::vector<frame>> got = std::make_shared<std::vector<frame>>();
  std::shared_ptr<std::vector<std::uint64_t>> got_ids = std::make_shared<std::vector<std::uint64_t>>();
  stat_client_actor client;

  static caf::actor_system_config& prepare(caf::actor_system_config& c) {
    c.set("scheduler.policy", caf::atom("testing"));
    return c;
  }

  stat_actor_fixture()
    : sys(prepare(cfg)),
      sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
      // 23:59:00 UTC on 2026-03-28: the daily reset is a minute away.
      clk(std::make_shared<manual_clock>(manual_clock::time_point{std::chrono::seconds{1'774'742'340}})) {
    auto sink = got;
    auto ids = got_ids;
    client = sys.spawn([sink, ids](stat_client_actor::pointer) -> stat_client_actor::behavior_type {
      return {[sink, ids](notify_atom, std::uint64_t id, const frame& f, bool) {
        sink->push_back(f);
        ids->push_back(id);
      }};
    });
  }

  stat_actor open(stat_spec spec) {
    stat_setup s{std::move(spec), {}, clk, std::make_shared<reset_schedule>("UTC", 0),
                 std::make_shared<domain_metrics>(), {}};
    auto a = spawn_stat(sys, std::move(s));
    join(a, 7);
    return a;
  }

  /// Statistic `stat_id` of our client joins calculation `a`, as the hub and the
  /// connection do on OpenStat: opened (StatOpened sent) from now on.
  void join(const stat_actor& a, std::uint64_t stat_id) {
    caf::anon_send(a, caf::join_atom_v, client, stat_id, false);
    caf::anon_send(a, peek_atom_v, std::uint64_t{1}, client.id(), stat_id, true);
    sched.run();
  }

  void advance(std::chrono::milliseconds d) {
    clk->advance(d);
    sched.advance_time(d);
    sched.run();
  }

  void entered(const stat_actor& stat, std::uint64_t iid) {
    stat_fact f;
    f.kind = fact_kind::wait_begin;
    f.t_ms = f.start_ms = clk->now_ms();
    f.seq = iid;
    f.iid = iid;
    caf::anon_send(stat, facts_atom_v, std::make_shared<const fact_list>(fact_list{f}));
    sched.run();
  }

  std::vector<double> values() const {
    std::vector<double> out;
    for (auto& f : *got)
      if (auto* i = protocol::envelope_of(f)->message_as_StatInfo())
        out.push_back(i->value());
    return out;
  }

  ~stat_actor_fixture() {
    caf::anon_send_exit(client, caf::exit_reason::user_shutdown);
    sched.run();
  }
};

stat_spec entered_spec(wire::StatInterval interval, wire::StatNotify notify) {
  stat_spec s;
  s.object_type = wire::StatObjectType::queue;
  s.object_id = "sales";
  s.m = metric::entered;
  s.interval = interval;
  s.notify = notify;
  return s;
}

} // namespace

TEST_CASE_FIXTURE(stat_actor_fixture, "periodic notifications come every period, changed or not") {
  auto spec = entered_spec(wire::StatInterval::growing, wire::StatNotify::periodic);
  spec.period_ms = 1000;
  auto stat = open(spec);
  CHECK(values().empty());
  advance(999ms);
  CHECK(values().empty());
  advance(1ms);
  CHECK(values() == std::vector<double>{0});
  entered(stat, 1);
  CHECK(values().size() == 1);  // periodic: no notification for the event itself
  advance(1s);
  advance(1s);
  CHECK(values() == std::vector<double>{0, 1, 1});
  caf::anon_send_exit(stat, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_CASE_FIXTURE(stat_actor_fixture, "a scheduled midnight reset sends the day's final value and starts at 0") {
  auto stat = open(entered_spec(wire::StatInterval::growing_reset, wire::StatNotify::reset_based));
  entered(stat, 1);
  entered(stat, 2);
  CHECK(values().empty());  // reset_based: nothing on events
  advance(59'999ms);
  CHECK(values().empty());
  advance(1ms);  // 00:00:00 UTC
  CHECK(values() == std::vector<double>{2});
  entered(stat, 3);
  advance(24h);
  CHECK(values() == std::vector<double>{2, 1});
  caf::anon_send_exit(stat, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_CASE_FIXTURE(stat_actor_fixture, "on_change notifies changes of at least the threshold") {
  auto spec = entered_spec(wire::StatInterval::growing, wire::StatNotify::on_change);
  spec.threshold = 2;
  auto stat = open(spec);
  entered(stat, 1);
  CHECK(values().empty());  // 0 -> 1: below the threshold
  entered(stat, 2);
  CHECK(values() == std::vector<double>{2});
  entered(stat, 3);
  entered(stat, 4);
  CHECK(values() == std::vector<double>{2, 4});
  caf::anon_send_exit(stat, caf::exit_reason::user_shutdown);
  sched.run();
}

TEST_CASE_FIXTURE(stat_actor_fixture, "statistics sharing a calculation each get its value, once per change") {
  auto stat = open(entered_spec(wire::StatInterval::growing_reset, wire::StatNotify::on_change));
  join(stat, 8);
  entered(stat, 1);
  CHECK(values() == std::vector<double>{1, 1});
  CHECK(*got_ids == std::vector<std::uint64_t>{7, 8});
  // A statistic that joins later starts from the calculation's value, and is told only
  // what changes after its StatOpened.
  join(stat, 9);
  entered(stat, 2);
  CHECK(values() == std::vector<double>{1, 1, 2, 2, 2});
  // One leaves: the others go on; a peek at it is unknown_id.
  caf::anon_send(stat, caf::leave_atom_v, client.id(), std::uint64_t{8}, false);
  sched.run();
  entered(stat, 3);
  CHECK(values().size() == 7);
  CHECK(std::count(got_ids->begin(), got_ids->end(), 8) == 2);
  sys.spawn([stat, me = client.id()](caf::event_based_actor* self) {
    self->request(stat, caf::infinite, peek_atom_v, std::uint64_t{5}, me, std::uint64_t{8}, false)
      .then([](const frame&) { FAIL("a statistic that left still answers"); },
            [](const caf::error& e) { CHECK(e.code() == static_cast<std::uint8_t>(wire::ErrorCode::unknown_id)); });
  });
  sched.run();
  // A reset_based statistic leaving on a reset is sent the value of its interval.
  caf::anon_send_exit(stat, caf::exit_reason::user_shutdown);
  sched.run();
  got->clear();
  auto rb = open(entered_spec(wire::StatInterval::growing_reset, wire::StatNotify::reset_based));
  join(rb, 8);
  entered(rb, 4);
  CHECK(values().empty());
  caf::anon_send(rb, caf::leave_atom_v, client.id(), std::uint64_t{8}, true);
  sched.run();
  CHECK(values() == std::vector<double>{1});
  caf::anon_send_exit(rb, caf::exit_reason::user_shutdown);
  sched.run();
}
