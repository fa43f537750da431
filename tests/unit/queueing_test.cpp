// The queueing theory behind `parley-bench simulate` (sim/queueing.hpp):
// Erlang B and C against textbook and closed-form values, and the FCFS replay by hand.
#include <cmath>
#include <limits>

#include <doctest/doctest.h>

#include <random>

#include "sim/queueing.hpp"

using namespace parley::sim;

TEST_CASE("erlang C: the westbay preset (360 calls per 30 min, AHT 240 s, 55 agents, 15 s)") {
  auto f = erlang_c({720, 240, 55, 15});
  CHECK(f.offered_erlangs == doctest::Approx(48.0));
  CHECK(f.stable);
  CHECK(f.p_wait == doctest::Approx(0.239).epsilon(0.002));         // 0.2387
  CHECK(f.asa_s == doctest::Approx(8.2).epsilon(0.005));            // 8.184 s
  CHECK(f.service_level == doctest::Approx(0.846).epsilon(0.001));  // 84.59 %
}

TEST_CASE("erlang C staffing: the fewest agents meeting a service level") {
  // westbay: 55 agents give 84.6 % in 15 s, 54 fewer than that (and 84 % is met by 55).
  CHECK(erlang_c_agents({720, 240, 0, 15}, 0.846) == 56);
  CHECK(erlang_c_agents({720, 240, 0, 15}, 0.84) == 55);
  CHECK(erlang_c({720, 240, 54, 15}).service_level < 0.84);
  // 80/20 at 10 Erlangs (200 calls per hour of 180 s): 13 agents give 79.6 %, 14 are needed.
  CHECK(erlang_c({200, 180, 13, 20}).service_level == doctest::Approx(0.7956).epsilon(0.001));
  CHECK(erlang_c({200, 180, 14, 20}).service_level >= 0.8);
  CHECK(erlang_c_agents({200, 180, 0, 20}, 0.8) == 14);
  CHECK(erlang_c_agents({0, 180, 0, 20}, 0.8) == 0);
  CHECK(erlang_c_agents({1, 180, 0, 20}, 0.0) == 1);  // stable takes one agent at least
}

TEST_CASE("erlang B and C: closed forms and textbook tables") {
  CHECK(erlang_b(10, 10) == doctest::Approx(0.2146).epsilon(0.001));  // the classic table entry
  CHECK(erlang_b(2, 3) == doctest::Approx(4.0 / 19));
  CHECK(erlang_c_probability(2, 3) == doctest::Approx(4.0 / 9));      // M/M/3 at A = 2
  CHECK(erlang_c_probability(1, 2) == doctest::Approx(1.0 / 3));      // M/M/2: 2 rho^2 / (1 + rho)
  CHECK(erlang_c_probability(0.7, 1) == doctest::Approx(0.7));        // M/M/1: P(wait) = rho
  CHECK(erlang_c_probability(10, 11) == doctest::Approx(0.6821).epsilon(0.001));
  // M/M/1 with AHT 60 s and 30 calls/h (rho = 0.5): Wq = rho / (mu - lambda) = 60 s.
  auto mm1 = erlang_c({30, 60, 1, 0});
  CHECK(mm1.asa_s == doctest::Approx(60.0));
  CHECK(mm1.service_level == doctest::Approx(0.5));  // SL at 0 s is 1 - P(wait)
}

TEST_CASE("erlang C: stable for thousands of agents (no factorials)") {
  // Checked against the same sum in log space: 0.0682534...
  auto c = erlang_c_probability(950, 1000);
  CHECK(std::isfinite(c));
  CHECK(c == doctest::Approx(0.0682534).epsilon(0.0001));
  CHECK(std::isfinite(erlang_c_probability(99'000, 100'000)));
}

TEST_CASE("erlang C: overload is reported, not computed") {
  auto f = erlang_c({720, 300, 60, 15});  // A = 60 = N
  CHECK_FALSE(f.stable);
  CHECK(f.p_wait == 1.0);
  CHECK(f.asa_s == std::numeric_limits<double>::infinity());
  CHECK(f.service_level == 0.0);
}

TEST_CASE("fcfs replay: two agents, by hand") {
  // t=0 a (10), t=1 b (10), t=2 c waits for a until 10, t=3 d waits for b until 11.
  auto w = fcfs_replay({0, 1, 2, 3, 30}, {10, 10, 5, 5, 1}, 2);
  REQUIRE(w.size() == 5);
  CHECK(w[0] == 0);
  CHECK(w[1] == 0);
  CHECK(w[2] == 8);
  CHECK(w[3] == 8);
  CHECK(w[4] == 0);
}

TEST_CASE("fcfs replay with patience: who leaves takes no agent, taken at exactly its patience it stays") {
  // One agent. a: 0 (10); b: 1, patience 3 -> would start at 10: leaves, takes nothing;
  // c: 2, patience 8 -> starts at 10, waited exactly 8: served; d: 3, patience 100 -> 20.
  std::vector<char> gone;
  auto w = fcfs_replay({0, 1, 2, 3}, {10, 10, 10, 1}, {5, 3, 8, 100}, 1, gone);
  CHECK(gone == std::vector<char>{0, 1, 0, 0});
  CHECK(w == std::vector<double>{0, 3, 8, 17});
}

TEST_CASE("erlang A: patience without end is Erlang C; with patience, an overload is stable") {
  traffic t{720, 240, 55, 15};
  auto c = erlang_c(t);
  auto a = erlang_a(t, 1e9);
  CHECK(a.p_wait == doctest::Approx(c.p_wait).epsilon(1e-4));
  CHECK(a.mean_queue_s == doctest::Approx(c.asa_s).epsilon(1e-3));
  CHECK(a.p_abandon < 1e-6);
  // 60 Erlangs on 55 agents: Erlang C has no steady state; abandonment makes one, and
  // what is not served is exactly the overflow (λ (1 − P(ab)) AHT ≤ N).
  traffic over{900, 240, 55, 15};
  auto o = erlang_a(over, 120);
  CHECK(o.p_abandon > 0.05);
  CHECK(900.0 / 3600 * (1 - o.p_abandon) * 240 <= 55.0 + 1e-6);
}

TEST_CASE("erlang A against the replay of 400,000 drawn calls") {
  std::mt19937_64 rng{7};
  std::exponential_distribution<double> gap{720.0 / 3600}, ht{1.0 / 240}, pt{1.0 / 60};
  std::vector<double> at, h, pat;
  double now = 0;
  for (int i = 0; i < 400'000; ++i) {
    now += gap(rng);
    at.push_back(now);
    h.push_back(ht(rng));
    pat.push_back(pt(rng));
  }
  std::vector<char> gone;
  auto w = fcfs_replay(at, h, pat, 50, gone);
  double left = 0, queue = 0;
  for (std::size_t k = 0; k < w.size(); ++k) {
    left += gone[k];
    queue += w[k];
  }
  auto a = erlang_a({720, 240, 50, 15}, 60);
  CHECK(left / w.size() == doctest::Approx(a.p_abandon).epsilon(0.05));
  CHECK(queue / w.size() == doctest::Approx(a.mean_queue_s).epsilon(0.05));
}
