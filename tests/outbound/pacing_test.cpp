// Dial pacing: the arithmetic of each mode, the estimates, the abandon controller, and
// whole 8-hour simulated campaigns (pacing_sim) that must keep abandons under 3 % while
// keeping agents busy. Deterministic: fixed seeds, simulated time only.
#include <doctest/doctest.h>

#include <string>

#include "actors/outbound/pacing.hpp"
#include "outbound/pacing_sim.hpp"

using namespace parley::outbound;

namespace {

pacing_input agents(std::uint32_t ready, std::uint32_t busy, std::uint32_t in_flight = 0) {
  pacing_input in;
  in.ready_agents = ready;
  in.busy_agents = busy;
  in.in_flight = in_flight;
  return in;
}

/// `n` outcomes, every `every`-th answered, ring times 8 s (answered) and 15 s.
void feed(pacer& p, double& now, int n, int every) {
  for (int i = 0; i < n; ++i) {
    now += 0.5;
    p.on_dial(now);
    bool answered = i % every == 0;
    p.on_outcome(now, answered, answered ? 8 : 15);
  }
}

} // namespace

TEST_CASE("preview never dials") {
  pacer p{{dial_mode::preview}};
  CHECK(p.dial_now(agents(10, 0)) == 0);
  CHECK(p.dial_now(agents(0, 10)) == 0);
}

TEST_CASE("progressive: floor(ready × lines per agent) minus the lines in flight") {
  pacer p{{dial_mode::progressive, 1.5}};
  CHECK(p.dial_now(agents(5, 3)) == 7);     // floor(7.5)
  CHECK(p.dial_now(agents(5, 3, 3)) == 4);  // 7 − 3
  CHECK(p.dial_now(agents(5, 3, 9)) == 0);  // never negative
  CHECK(p.dial_now(agents(0, 3)) == 0);     // nobody ready
  pacer one{{dial_mode::progressive}};
  CHECK(one.dial_now(agents(4, 0, 1)) == 3);
  pacer capped{{dial_mode::progressive, 2.0, 0.03, 6}};
  CHECK(capped.dial_now(agents(5, 0)) == 6);
  CHECK(capped.dial_now(agents(5, 0, 4)) == 2);
}

TEST_CASE("no agents logged in: nothing in any mode") {
  for (auto mode : {dial_mode::preview, dial_mode::progressive, dial_mode::predictive}) {
    pacer p{{mode, 3.0}};
    CHECK(p.dial_now(agents(0, 0)) == 0);
    CHECK(p.dial_now(agents(0, 0, 5)) == 0);
  }
}

TEST_CASE("predictive dials more lines than ready agents when p < 1") {
  pacer p{{dial_mode::predictive, 3.0}};
  CHECK(p.answer_rate() == doctest::Approx(0.3)); // the prior
  auto n = p.dial_now(agents(10, 0));
  MESSAGE("10 ready, nothing in flight, prior p 0.3: dials " << n);
  CHECK(n > 10);
  CHECK(n <= 30); // the cap: 3 lines per agent
  // Lines already in flight count: fewer new ones.
  CHECK(p.dial_now(agents(10, 0, 20)) < n);
  // Nobody ready, everyone just started a call: little or nothing to dial.
  auto busy = agents(0, 10);
  busy.busy_elapsed_s.assign(10, 1.0);
  CHECK(p.dial_now(busy) <= 2);
  // Callers already waiting for an agent use up the ready ones.
  auto waiting = agents(2, 0);
  waiting.waiting = 2;
  CHECK(p.dial_now(waiting) == 0);
  // max_in_flight caps predictive too.
  pacer capped{{dial_mode::predictive, 3.0, 0.03, 12}};
  CHECK(capped.dial_now(agents(10, 0)) == 12);
  CHECK(capped.dial_now(agents(10, 0, 12)) == 0);
}

TEST_CASE("predictive: estimates follow the outcomes and a lower p means more lines") {
  pacer fifty{{dial_mode::predictive, 5.0}};
  pacer tenth{{dial_mode::predictive, 5.0}};
  double t1 = 0, t2 = 0;
  feed(fifty, t1, 600, 2);  // 50 % answered
  feed(tenth, t2, 600, 10); // 10 % answered
  CHECK(fifty.answer_rate() == doctest::Approx(0.5).epsilon(0.02));
  CHECK(tenth.answer_rate() == doctest::Approx(0.1).epsilon(0.05));
  CHECK(fifty.mean_answer_s() == doctest::Approx(8).epsilon(0.01));
  CHECK(fifty.mean_no_answer_s() == doctest::Approx(15).epsilon(0.01));
  CHECK(tenth.dial_now(agents(10, 10)) > fifty.dial_now(agents(10, 10)));
  for (int i = 0; i < 40; ++i)
    fifty.on_release(t1, 100);
  CHECK(fifty.mean_handle_s() == doctest::Approx(100 + 20.0 * 5 / 45).epsilon(0.001));
}

TEST_CASE("predictive: the controller dials less when observed abandons exceed target") {
  pacer calm{{dial_mode::predictive, 3.0}};
  pacer hurt{{dial_mode::predictive, 3.0}};
  double t1 = 0, t2 = 0;
  feed(calm, t1, 600, 3);
  feed(hurt, t2, 600, 3);
  for (int i = 0; i < 20; ++i) // 20 of ~200 answered: 10 %, over the 3 % target
    hurt.on_abandon(t2);
  CHECK(hurt.abandon_rate() == doctest::Approx(0.1));
  CHECK(calm.abandon_rate() == 0);
  CHECK(hurt.internal_target() < calm.internal_target());
  auto in = agents(8, 30, 5);
  in.busy_elapsed_s.assign(30, 60.0);
  auto a = calm.dial_now(in), b = hurt.dial_now(in);
  MESSAGE("same state: " << a << " dials without abandons, " << b << " after 10 % abandons");
  CHECK(b < a);
}

TEST_CASE("predictive: the window forgets after 15 minutes") {
  pacer p{{dial_mode::predictive, 3.0}};
  double t = 0;
  feed(p, t, 200, 2);
  p.on_abandon(t);
  CHECK(p.abandon_rate() > 0);
  p.on_dial(t + 2000); // prunes everything older than 15 min
  CHECK(p.abandon_rate() == 0);
  CHECK(p.answer_rate() == doctest::Approx(0.3));
}

// -- simulated campaigns -----------------------------------------------------------------

namespace {

sim_result run(std::uint32_t n, dial_mode mode = dial_mode::predictive, bool elapsed = true) {
  sim_params s;
  s.agents = n;
  s.seed = 42;
  s.tell_elapsed = elapsed;
  s.pacing.mode = mode;
  s.pacing.lines_per_agent = mode == dial_mode::predictive ? 3.0 : 1.0;
  auto r = simulate(s);
  std::string what = mode == dial_mode::predictive ? "predictive" : "progressive";
  if (!elapsed)
    what += " (no elapsed times)";
  MESSAGE(n << " agents, 8 h, " << what << ": occupancy " << r.occupancy
            << ", abandons " << r.abandon_rate << " (" << r.abandoned << "/" << r.answered
            << "), dials " << r.dials << ", final tau " << r.final_tau);
  return r;
}

} // namespace

TEST_CASE("simulated campaign: 50 agents, predictive, 90 % occupancy within 3 % abandons") {
  auto r = run(50);
  CHECK(r.abandon_rate <= 0.03);
  CHECK(r.occupancy >= 0.90);
  CHECK(r.answered > 10'000);
}

TEST_CASE("simulated campaign: 10 agents, predictive, 80 % occupancy within 3 % abandons") {
  auto r = run(10);
  CHECK(r.abandon_rate <= 0.03);
  CHECK(r.occupancy >= 0.80);
  // Without per-agent elapsed times (exponential releases) the pacer still holds abandons.
  auto blind = run(10, dial_mode::predictive, false);
  CHECK(blind.abandon_rate <= 0.03);
  CHECK(blind.occupancy >= 0.75);
  // Progressive (one line per ready agent) never abandons but leaves agents idle.
  auto slow = run(10, dial_mode::progressive);
  CHECK(slow.abandoned == 0);
  CHECK(slow.occupancy < r.occupancy);
}
