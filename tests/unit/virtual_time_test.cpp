// virtual_time and virtual_clock on CAF's test coordinator: timers fire at their own due
// time, in order, and domain time is the coordinator's time.
#include <doctest/doctest.h>

#include <caf/all.hpp>

#include "actors/runtime/types.hpp"
#include "actors/runtime/virtual_clock.hpp"
#include "actors/runtime/virtual_time.hpp"

using namespace parley;
using namespace std::chrono_literals;

namespace {

struct virtual_time_fixture {
  parley::clock::time_point start{std::chrono::seconds{1'700'000'000}};
  caf::actor_system_config cfg;
  caf::actor_system sys;
  virtual_time vt;
  std::shared_ptr<virtual_clock> clk;

  virtual_time_fixture()
    : sys(testing_config(cfg)), vt(sys),
      clk(std::make_shared<virtual_clock>(sys.clock(), start)) {}
};

/// Arms `delays` one after the other — each when the one before fired — and writes down
/// the domain time at which each fired.
caf::behavior chain(caf::event_based_actor* self, std::shared_ptr<const parley::clock> clk,
                    std::vector<parley::clock::duration> delays,
                    std::shared_ptr<std::vector<parley::clock::duration>> fired) {
  auto t0 = clk->now();
  auto next = std::make_shared<std::size_t>(0);
  self->delayed_send(self, clk->real_delay(delays[0]), caf::tick_atom_v);
  return {
    [=](caf::tick_atom) {
      fired->push_back(clk->now() - t0);
      if (++*next < delays.size())
        self->delayed_send(self, clk->real_delay(delays[*next]), caf::tick_atom_v);
      else
        self->quit();
    },
  };
}

} // namespace

TEST_CASE_FIXTURE(virtual_time_fixture, "the virtual clock is the coordinator's time") {
  CHECK(clk->now() == start);
  CHECK(clk->real_delay(30s) == 30s);
  vt.advance(90s);
  CHECK(clk->now() - start == 90s);
  CHECK(vt.elapsed() == 90s);
  CHECK(clk->now_ms() == std::chrono::duration_cast<std::chrono::milliseconds>(
                           (start + 90s).time_since_epoch()).count());
}

TEST_CASE_FIXTURE(virtual_time_fixture, "advance fires each timer at its own due time, in order") {
  auto fired = std::make_shared<std::vector<parley::clock::duration>>();
  sys.spawn(chain, clk, std::vector<parley::clock::duration>{300ms, 300ms, 400ms}, fired);
  vt.run();
  vt.advance(299ms);
  CHECK(fired->empty());
  // CAF's own advance_time(1s) would fire the first timer only, and stamp it 1 s; the
  // second, armed then, would be due at 1.3 s.
  vt.advance(701ms);
  REQUIRE(fired->size() == 3);
  CHECK((*fired)[0] == 300ms);
  CHECK((*fired)[1] == 600ms);
  CHECK((*fired)[2] == 1000ms);
  CHECK(vt.elapsed() == 1000ms);
  CHECK(vt.pending_timers() == 0);
}

TEST_CASE_FIXTURE(virtual_time_fixture, "run_until stops when the condition holds, or after the limit") {
  auto fired = std::make_shared<std::vector<parley::clock::duration>>();
  sys.spawn(chain, clk, std::vector<parley::clock::duration>{1s, 2s}, fired);
  CHECK(vt.run_until([&] { return fired->size() == 1; }, 5s));
  CHECK(vt.elapsed() == 1s);  // time stands where it came true
  CHECK_FALSE(vt.run_until([&] { return fired->size() == 2; }, 1500ms));
  CHECK(vt.elapsed() == 2500ms);
  CHECK(fired->size() == 1);
  CHECK(vt.run_until([&] { return fired->size() == 2; }, 10s));
  CHECK(vt.elapsed() == 3s);
  // Nothing to wait for: the limit passes, nothing else happens.
  CHECK_FALSE(vt.run_until([] { return false; }, 250ms));
  CHECK(vt.elapsed() == 3250ms);
}

TEST_CASE("virtual_time refuses a system on a real scheduler") {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 1);
  caf::actor_system sys{cfg};
  CHECK_THROWS_AS(virtual_time{sys}, std::logic_error);
}
