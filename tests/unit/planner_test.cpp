// The staffing planner (sim/planner.hpp, docs/planning.md): the forecast's checks, the
// simulation of a staffing on the engine, and the search — against Erlang C where Erlang C
// is exact, and on shared agents with overflow where it is not.
#include <doctest/doctest.h>

#include <sstream>

#include "engine/config.hpp"
#include "sim/planner.hpp"
#include "sim/queueing.hpp"

using namespace parley;
using namespace parley::sim;

namespace {

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PARLEY_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PARLEY_TEST_SANITIZED 1
#endif
#ifdef PARLEY_TEST_SANITIZED
constexpr bool k_sanitized = true;
#else
constexpr bool k_sanitized = false;
#endif

/// Calls per staffing: under the sanitizers (some 15 times slower) a fifth — what that run
/// looks for is memory and undefined behaviour; the statistics are checked in the plain one.
std::uint64_t calls(std::uint64_t n) {
  return k_sanitized ? n / 5 : n;
}

/// One queue, one group of one-call agents, no wrap-up: Erlang C's own model.
const char* k_plain = R"(
[routing]
media = ["voice"]
[[queues]]
name = "sales"
[[agent_groups]]
name = "all"
members = ["*"]
capacity = { voice = 1 }
)";

/// Sales and support; sales calls waiting 20 s overflow to support, whose agents take both.
const char* k_shared = R"(
[routing]
media = ["voice", "chat"]
offer_timeout_ms = 20000
[[queues]]
name = "sales"
skills = { sales = 1 }
overflow_after_ms = 20000
overflow_to = "support"
[[queues]]
name = "support"
skills = { support = 1 }
[[agent_groups]]
name = "sales"
members = ["s-*"]
skills = { sales = 5 }
capacity = { voice = 1 }
wrap_up_ms = 30000
[[agent_groups]]
name = "support"
members = ["t-*"]
skills = { support = 5 }
capacity = { voice = 1, chat = 2 }
wrap_up_ms = 30000
)";

forecast read(const std::string& csv, const engine::config& c) {
  std::istringstream in{csv};
  return read_forecast(in, c.domain);
}

std::string problems_of(const std::string& csv, const engine::config& c) {
  try {
    read(csv, c);
  } catch (const forecast_error& e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST_CASE("forecast: columns by name, intervals in order of appearance") {
  auto c = engine::parse_config(k_shared, "shared");
  auto f = read("aht_s,interval,queue,media,offered\n"
                "240,08:15,sales,voice,60\n"
                "300,08:00,support,voice,40.5\n"
                "600,08:15,support,chat,0\n",
                c);
  REQUIRE(f.intervals.size() == 2);
  CHECK(f.intervals[0].label == "08:15");
  REQUIRE(f.intervals[0].streams.size() == 2);
  CHECK(f.intervals[0].streams[0] == forecast_stream{0, "voice", 60, 240});
  CHECK(f.intervals[0].streams[1] == forecast_stream{1, "chat", 0, 600});
  CHECK(f.intervals[1].streams[0] == forecast_stream{1, "voice", 40.5, 300});
}

TEST_CASE("forecast: every problem, each with its line") {
  auto c = engine::parse_config(k_shared, "shared");
  auto p = problems_of("interval,queue,media,offered,aht_s\n"
                       "08:00,sales,fax,10,240\n"
                       "08:00,nobody,voice,-3,240\n"
                       "08:00,sales,voice,10,0\n"
                       "08:00,support,voice,1e999,200\n"
                       "08:15,sales,voice,10,240\n"
                       "08:15,sales,voice,12,240\n"
                       "08:30,sales,voice\n",
                       c);
  CHECK(p.find("line 2: media 'fax' is not configured") != std::string::npos);
  CHECK(p.find("line 3: queue 'nobody' is not configured") != std::string::npos);
  CHECK(p.find("line 3: offered '-3' is not a number >= 0") != std::string::npos);
  CHECK(p.find("line 4: aht_s '0' is not a number > 0") != std::string::npos);
  CHECK(p.find("line 5: offered '1e999'") != std::string::npos);
  CHECK(p.find("line 7: queue 'sales' and media 'voice' twice in interval '08:15'") != std::string::npos);
  CHECK(p.find("line 8: 3 fields, the header has 5") != std::string::npos);
  CHECK(problems_of("interval,queue,media,offered,aht,extra\n", c).find("unknown column 'aht'") != std::string::npos);
  CHECK(problems_of("interval,queue,media,offered,aht_s\n", c).find("no interval") != std::string::npos);
  CHECK(problems_of("", c).find("empty") != std::string::npos);
}

TEST_CASE("planning config: the deployment's routing, the planner's agents, nothing it cannot run") {
  auto c = engine::parse_config(std::string{k_shared} + R"(
[redis]
host = "127.0.0.1"
[[queues]]
name = "web"
router = "stream"
)",
                                "shared");
  auto p = planning_config(c);
  CHECK(p.domain.groups[0].members == std::vector<std::string>{"plan-0-*"});
  CHECK(p.domain.groups[1].members == std::vector<std::string>{"plan-1-*"});
  CHECK(p.domain.group_of(planning_agent(1, 12)) == &p.domain.groups[1]);
  CHECK(p.domain.group_of(planning_agent(0, 3)) == &p.domain.groups[0]);
  CHECK(p.domain.queues[2].router == "builtin");
  CHECK(p.domain.queues[0].overflow_to == "support");
  CHECK(p.domain.groups[1].wrap_up == std::chrono::milliseconds{30000});
}

TEST_CASE("planner: where Erlang C is exact (one queue, one group, no wrap-up, nobody hangs up), it agrees") {
  auto c = engine::parse_config(k_plain, "plain");
  // Light, ~85 % and ~95 % occupancy: 20 calls of 180 s, 180 of 240 s, 450 of 240 s per 15 min.
  auto f = read(k_sanitized ? "interval,queue,media,offered,aht_s\na,sales,voice,20,180\n"
                            : "interval,queue,media,offered,aht_s\n"
                              "a,sales,voice,20,180\n"
                              "b,sales,voice,180,240\n"
                              "c,sales,voice,450,240\n",
                c);
  plan_options o;
  o.people.patience_s = 0;
  o.measure.calls = calls(20'000);
  o.jobs = 2;
  auto p = make_plan(c, f, o);
  REQUIRE(p.intervals.size() == f.intervals.size());
  if (k_sanitized)
    return;
  for (auto& ip : p.intervals) {
    INFO("interval " << ip.label << ": planned " << ip.agents[0] << ", Erlang C " << ip.erlang_c[0]);
    CHECK(ip.met);
    CHECK(ip.planned.queues[0].service_level() >= 0.8);
    CHECK(ip.planned.queues[0].abandoned == 0);
    // Sampling noise moves the answer by an agent where the service level is close to 80 %.
    CHECK(std::abs(static_cast<int>(ip.agents[0]) - static_cast<int>(ip.erlang_c[0])) <= 1);
    // Erlang C's staffing, simulated, gets what Erlang C predicts (within sampling noise).
    CHECK(ip.erlang_c_run.queues[0].service_level() == doctest::Approx(ip.erlang_c_sl[0]).epsilon(0.03));
  }
  CHECK(p.intervals[1].erlang_c[0] == erlang_c_agents({720, 240, 0, 20}, 0.8));
}

TEST_CASE("planner: shared agents and overflow — fewer agents than Erlang C, each one needed") {
  auto c = engine::parse_config(k_shared, "shared");
  auto f = read("interval,queue,media,offered,aht_s\n"
                "08:00,sales,voice,40,240\n"
                "08:00,support,voice,60,300\n"
                "08:00,support,chat,20,600\n"
                "08:15,sales,voice,40,240\n"
                "08:15,support,voice,60,300\n"
                "08:15,support,chat,20,600\n",
                c);
  plan_options o;
  o.measure.calls = calls(4000);
  auto p = make_plan(c, f, o);
  REQUIRE(p.intervals.size() == 2);
  auto& ip = p.intervals[0];
  CHECK(ip.met);
  CHECK(ip.runs > 0);
  CHECK(p.intervals[1].runs == 0);  // the same traffic: planned once
  CHECK(p.intervals[1].agents == ip.agents);
  unsigned ours = ip.agents[0] + ip.agents[1], theirs = ip.erlang_c[0] + ip.erlang_c[1];
  INFO("planned " << ip.agents[0] << "+" << ip.agents[1] << ", Erlang C " << ip.erlang_c[0] << "+" << ip.erlang_c[1]);
  CHECK(ours < theirs);
  for (std::size_t q = 0; q < 2; ++q) {
    CHECK(ip.planned.queues[q].service_level() >= 0.8);
    CHECK(ip.planned.queues[q].abandon_rate() <= 0.05);
    CHECK(ip.planned.queues[q].offered > 0);
  }
  // The plan's outcome is what its staffing does on the interval's draws; and each agent
  // is needed: one fewer in either group misses a target on those draws.
  auto planning = planning_config(c);
  auto& streams = f.intervals[0].streams;
  auto seed = interval_seed(o.seed, streams);
  auto traffic = draw_traffic(streams, 900, o.people, o.measure, seed);
  std::vector<std::int64_t> sl_ms{20'000, 20'000};
  auto again = simulate_staffing(planning, streams, traffic, ip.agents, o.people, sl_ms, seed);
  for (std::size_t q = 0; q < 2; ++q) {
    CHECK(again.queues[q].answered == ip.planned.queues[q].answered);
    CHECK(again.queues[q].within_sl == ip.planned.queues[q].within_sl);
    CHECK(again.queues[q].abandoned == ip.planned.queues[q].abandoned);
  }
  for (std::size_t g = 0; g < 2; ++g) {
    if (ip.agents[g] == 0)
      continue;
    auto fewer = ip.agents;
    --fewer[g];
    auto r = simulate_staffing(planning, streams, traffic, fewer, o.people, sl_ms, seed);
    CHECK(r.errors == 0);
    bool missed = false;
    for (std::size_t q = 0; q < 2; ++q)
      missed = missed || r.queues[q].service_level() < 0.8 || r.queues[q].abandon_rate() > 0.05;
    CHECK_MESSAGE(missed, "group " << g << " can do with one agent less");
  }
}

TEST_CASE("planner: the same seed, the same plan (one thread or two)") {
  auto c = engine::parse_config(k_shared, "shared");
  auto f = read("interval,queue,media,offered,aht_s\n"
                "1,sales,voice,30,240\n1,support,voice,40,300\n"
                "2,sales,voice,50,240\n2,support,voice,30,300\n",
                c);
  plan_options o;
  o.measure.calls = calls(2000);
  o.jobs = 1;
  auto a = make_plan(c, f, o);
  o.jobs = 2;
  auto b = make_plan(c, f, o);
  std::ostringstream ca, cb, qa, qb;
  write_plan_csv(ca, a);
  write_plan_csv(cb, b);
  write_queues_csv(qa, a);
  write_queues_csv(qb, b);
  CHECK(ca.str() == cb.str());
  CHECK(qa.str() == qb.str());
  o.seed = 2;
  auto d = make_plan(c, f, o);
  std::ostringstream qd;
  write_queues_csv(qd, d);
  CHECK(qd.str() != qa.str());  // other draws, other outcomes
}

TEST_CASE("planner: what cannot be planned is refused before anything runs") {
  auto c = engine::parse_config(std::string{k_shared} + R"(
[[queues]]
name = "vip"
skills = { vip = 1 }
)",
                                "shared");
  auto f = read("interval,queue,media,offered,aht_s\n1,vip,voice,10,200\n1,sales,chat,5,200\n", c);
  plan_options o;
  try {
    make_plan(c, f, o);
    FAIL("planned the unplannable");
  } catch (const plan_error& e) {
    std::string what = e.what();
    CHECK(what.find("no agent group can take queue 'vip', media 'voice'") != std::string::npos);
    // Sales chat overflows to support, whose agents do chat: that one can be planned.
    CHECK(what.find("'sales'") == std::string::npos);
  }
  auto ok = read("interval,queue,media,offered,aht_s\n1,sales,voice,10,200\n", c);
  o.people.answer_s = 25;  // offers time out at 20 s
  CHECK_THROWS_AS(make_plan(c, ok, o), plan_error);
  o.people.answer_s = 0;
  // A unit slip (a day's calls in one interval) is refused, not simulated for hours.
  auto huge = read("interval,queue,media,offered,aht_s\n08:00,sales,voice,1000000,200\n", c);
  try {
    make_plan(c, huge, o);
    FAIL("planned a million calls in 15 minutes");
  } catch (const plan_error& e) {
    CHECK(std::string{e.what()}.find("interval '08:00': Erlang C puts") != std::string::npos);
    CHECK(std::string{e.what()}.find("(--max-agents)") != std::string::npos);
  }
}

TEST_CASE("planner: an interval without traffic needs nobody") {
  auto c = engine::parse_config(k_shared, "shared");
  auto f = read("interval,queue,media,offered,aht_s\nnight,sales,voice,0,240\nnight,support,chat,0,600\n", c);
  auto p = make_plan(c, f, plan_options{});
  REQUIRE(p.intervals.size() == 1);
  CHECK(p.intervals[0].met);
  CHECK(p.intervals[0].agents == std::vector<unsigned>{0, 0});
  CHECK(p.intervals[0].erlang_c == std::vector<unsigned>{0, 0});
}

TEST_CASE("planner: targets no staffing reaches are reported, not searched for ever") {
  auto c = engine::parse_config(k_plain, "plain");
  auto f = read("interval,queue,media,offered,aht_s\n1,sales,voice,30,240\n", c);
  plan_options o;
  o.measure.calls = calls(2000);
  o.people.answer_s = 10;  // exponential patience of 60 s: ~15 % hang up while it rings
  o.people.patience_s = 60;
  o.max_abandon = 0.05;
  auto p = make_plan(c, f, o);
  CHECK_FALSE(p.intervals[0].met);
  CHECK(p.intervals[0].planned.queues[0].abandon_rate() > 0.05);
  CHECK(p.intervals[0].runs < 20);
}
