// The statistics engine's arithmetic, exactly: scripted reporting streams on virtual time
// through the real tracker and calculators (docs/statistics.md is what they must match).
#include <doctest/doctest.h>

#include <date/tz.h>

#include "actors/stats/queue_today.hpp"
#include "actors/stats/reset_schedule.hpp"
#include "actors/stats/window.hpp"
#include "stats_lab.hpp"

using namespace parley;
using namespace parley::test;
using O = wire::StatObjectType;
using I = wire::StatInterval;
using doctest::Approx;

TEST_CASE("sample window: a sliding window holds now - W < t <= now") {
  sample_window w{10'000};
  w.add(1'000, 0, 1);
  w.add(5'000, 0, 3);
  CHECK(w.totals(10'999)[0].count == 2);
  CHECK(w.totals(11'000)[0].count == 1);  // the edge: 11000 - 10000 = 1000 is out
  CHECK(w.totals(11'000)[0].sum == 3);
  CHECK(w.totals(15'000)[0].count == 0);
  sample_window g;  // growing: everything since start
  g.add(1, 1, 2);
  g.add(2, 1, 5);
  CHECK(g.totals(1'000'000)[1].count == 2);
  CHECK(g.totals(1'000'000)[1].max == 5);
  g.reset();
  CHECK(g.totals(1'000'000)[1].count == 0);
}

TEST_CASE("level window: integrals, growing and sliding") {
  level_window g{0, 0, {1, 0, 0}};
  g.set(1'000, {0, 2, 0});
  CHECK(g.totals(3'000)[0] == 1'000);
  CHECK(g.totals(3'000)[1] == 4'000);
  level_window s{2'000, 0, {1, 0, 0}};
  s.set(1'000, {3, 0, 0});
  CHECK(s.totals(1'000)[0] == 1'000);        // [0, 1000) at level 1
  CHECK(s.totals(2'500)[0] == 500 + 4'500);  // [500,1000) at 1, [1000,2500) at 3
  CHECK(s.totals(9'000)[0] == 6'000);        // all at 3
  s.reset(9'000);
  CHECK(s.totals(9'500)[0] == 1'500);
}

TEST_CASE("queue metrics: service level, abandons and waits on half-open ranges") {
  stats_lab lab;
  auto sl = spec(O::queue, "sales", metric::service_level);
  sl.range_to_s = 20;
  lab.open("sl", sl, 0);
  auto aw = spec(O::queue, "sales", metric::abandoned_within);
  aw.range_to_s = 20;
  lab.open("aw", aw, 0);
  auto dw = spec(O::queue, "sales", metric::distributed_within);
  dw.range_from_s = 10;
  dw.range_to_s = 20;
  lab.open("dw", dw, 0);
  for (auto m : {metric::entered, metric::distributed, metric::abandoned, metric::max_wait,
                 metric::average_speed_of_answer, metric::current_in_queue, metric::longest_waiting})
    lab.open(info(m).name, spec(O::queue, "sales", m), 0);
  lab.open("tenant_in_queue", spec(O::tenant, "acme", metric::current_in_queue), 0);
  lab.open("other_in_queue", spec(O::queue, "other", metric::current_in_queue), 0);
  lab.login("a1", 0);
  lab.ready("a1", 0);
  for (std::uint64_t i = 1; i <= 5; ++i)
    lab.submit(i, "sales", 1);
  CHECK(lab.value("current_in_queue", 1) == 5);
  CHECK(lab.value("tenant_in_queue", 1) == 5);
  CHECK(lab.value("other_in_queue", 1) == 0);
  CHECK(lab.value("longest_waiting", 4.5) == Approx(3.5));
  lab.answer(1, "a1", 10, 20.999);  // waited 19.999 s: within 20
  lab.answer(2, "a1", 15, 21.0);    // waited exactly 20 s: not within [0, 20)
  lab.stop(3, 21.0);                // abandoned after exactly 20 s: counts against the level
  lab.stop(4, 20.999);              // abandoned within 20 s: left out of the level
  lab.offer(5, "a1", 5);
  lab.stop(5, 6);                   // stopped while offered: abandoned (after 5 s)
  CHECK(lab.value("entered", 30) == 5);
  CHECK(lab.value("distributed", 30) == 2);
  CHECK(lab.value("abandoned", 30) == 3);
  CHECK(lab.value("aw", 30) == 2);  // 19.999 and 5
  CHECK(lab.value("dw", 30) == 1);  // [10, 20): 19.999 only
  CHECK(lab.value("sl", 30) == Approx(100.0 / 3));  // 1 / (2 + 1)
  CHECK(lab.value("average_speed_of_answer", 30) == Approx((19.999 + 20.0) / 2));
  CHECK(lab.value("max_wait", 30) == Approx(20.0));
  CHECK(lab.value("current_in_queue", 30) == 0);
  CHECK(lab.value("longest_waiting", 30) == 0);
  CHECK(lab.value("tenant_in_queue", 30) == 0);
}

TEST_CASE("queue metrics: requeues keep the wait, moves clear it, transfers enter anew") {
  stats_lab lab;
  for (auto q : {"sales", "support"}) {
    lab.open(std::string{"entered_"} + q, spec(O::queue, q, metric::entered), 0);
    lab.open(std::string{"asa_"} + q, spec(O::queue, q, metric::average_speed_of_answer), 0);
    lab.open(std::string{"in_"} + q, spec(O::queue, q, metric::current_in_queue), 0);
  }
  lab.open("tenant_entered", spec(O::tenant, "acme", metric::entered), 0);
  lab.login("a1", 0);
  lab.submit(1, "sales", 0);
  lab.offer(1, "a1", 2);
  CHECK(lab.value("in_sales", 2) == 1);  // offered, not yet distributed
  lab.reject(1, "a1", 3);                // back at its position: the same wait
  lab.answer(1, "a1", 4, 8);
  CHECK(lab.value("entered_sales", 9) == 1);
  CHECK(lab.value("asa_sales", 9) == Approx(8.0));
  lab.submit(2, "sales", 10);
  lab.to_queue(2, "support", ReportingKind::overflowed, 40);  // cleared from sales
  CHECK(lab.value("in_sales", 41) == 0);
  CHECK(lab.value("in_support", 41) == 1);
  lab.answer(2, "a1", 41, 42);
  CHECK(lab.value("asa_support", 43) == Approx(2.0));  // waited in support from 40
  lab.to_queue(1, "support", ReportingKind::transferred, 50);  // a1 transfers it to support
  CHECK(lab.value("entered_support", 51) == 2);
  CHECK(lab.value("tenant_entered", 51) == 4);  // the sum over its queues: the overflow entered twice
  CHECK(lab.value("asa_sales", 51) == Approx(8.0));  // the move is not a distribution
}

TEST_CASE("sliding window over queue counters: events leave exactly W later") {
  stats_lab lab;
  lab.open("entered10", spec(O::queue, "sales", metric::entered, I::sliding, 10), 0);
  lab.submit(1, "sales", 1);
  lab.submit(2, "sales", 5);
  CHECK(lab.value("entered10", 10.999) == 2);
  CHECK(lab.value("entered10", 11.0) == 1);
  CHECK(lab.value("entered10", 15.0) == 0);
}

TEST_CASE("agent metrics: states, handling, occupancy, over an agent, its group and tenant") {
  stats_lab lab;
  auto A = [&](metric m, O t = O::agent, const std::string& id = "a1") { return spec(t, id, m); };
  for (auto m : {metric::ready_time, metric::not_ready_time, metric::acw_time, metric::busy_time,
                 metric::handled, metric::average_handle_time, metric::occupancy,
                 metric::agent_state, metric::time_in_state})
    lab.open(info(m).name, A(m), 0);
  auto nr_break = A(metric::not_ready_time);
  nr_break.filter = "break";
  lab.open("nr_break", nr_break, 0);
  lab.open("group_ready", A(metric::agents_ready, O::agent_group, "team"), 0);
  lab.open("group_busy", A(metric::agents_busy, O::agent_group, "team"), 0);
  lab.open("tenant_logged_in", A(metric::agents_logged_in, O::tenant, "acme"), 0);
  lab.open("group_ready_time", A(metric::ready_time, O::agent_group, "team"), 0);
  lab.open("group_handled", A(metric::handled, O::agent_group, "team"), 0);
  CHECK_FALSE(lab.full("agent_state", 0).valid);  // not logged in yet
  lab.login("a1", 0);        // not ready
  CHECK(lab.full("agent_state", 0).valid);
  lab.login("a2", 0);
  lab.ready("a2", 0);
  lab.ready("a1", 10);
  lab.submit(1, "sales", 12);
  lab.answer(1, "a1", 14, 15);
  CHECK(lab.value("group_busy", 16) == 1);
  lab.stop(1, 45);           // handled 30 s
  lab.acw("a1", 45);
  lab.ready("a1", 50);
  lab.not_ready("a2", 55, "break");
  CHECK(lab.value("ready_time", 60) == Approx(45.0));     // 10..45 and 50..60
  CHECK(lab.value("not_ready_time", 60) == Approx(10.0)); // 0..10 (login)
  CHECK(lab.value("nr_break", 60) == 0);                  // a1 never took a break
  CHECK(lab.value("acw_time", 60) == Approx(5.0));
  CHECK(lab.value("busy_time", 60) == Approx(30.0));
  CHECK(lab.value("handled", 60) == 1);
  CHECK(lab.value("average_handle_time", 60) == Approx(30.0));
  // (busy 30 + idle acw 5) / (30 + 5 + idle ready 10..15 and 50..60 = 15)
  CHECK(lab.value("occupancy", 60) == Approx(70.0));
  CHECK(lab.value("agent_state", 60) == static_cast<double>(AgentState::ready));
  CHECK(lab.value("time_in_state", 60) == Approx(10.0));
  CHECK(lab.value("group_ready", 60) == 1);
  CHECK(lab.value("group_busy", 60) == 0);
  CHECK(lab.value("tenant_logged_in", 60) == 2);
  CHECK(lab.value("group_ready_time", 60) == Approx(45.0 + 55.0));  // a1 45 + a2 0..55
  CHECK(lab.value("group_handled", 60) == 1);
  lab.not_ready("a1", 70, "break");
  CHECK(lab.full("agent_state", 75).text == "break");
  CHECK(lab.value("nr_break", 75) == Approx(5.0));
  lab.logout("a1", 80);
  CHECK_FALSE(lab.full("agent_state", 81).valid);
  CHECK(lab.full("handled", 81).valid);  // counters stay valid
  CHECK(lab.value("tenant_logged_in", 81) == 1);
  lab.login("a1", 90);
  CHECK(lab.full("agent_state", 91).valid);
}

TEST_CASE("agent handling: transfers and conferences end and start handling") {
  stats_lab lab;
  lab.open("h1", spec(O::agent, "a1", metric::handled), 0);
  lab.open("aht2", spec(O::agent, "a2", metric::average_handle_time), 0);
  lab.open("busy2", spec(O::agent, "a2", metric::agents_busy), 0);
  lab.login("a1", 0);
  lab.login("a2", 0);
  lab.submit(1, "sales", 0);
  lab.answer(1, "a1", 1, 2);
  lab.note(1, ReportingKind::offered, 5, "a2");      // conference invitation
  lab.note(1, ReportingKind::conferenced, 6, "a2");  // a2 joins
  CHECK(lab.value("busy2", 7) == 1);
  lab.note(1, ReportingKind::party_left, 10, "a2");  // a2 leaves after 4 s
  CHECK(lab.value("busy2", 11) == 0);
  CHECK(lab.value("aht2", 11) == Approx(4.0));
  lab.move(1, InteractionState::offered, ReportingKind::offered, 20, "a2");  // transfer to a2
  lab.note(1, ReportingKind::transferred, 21, "a2");  // a1 let go once a2 saw the invite
  CHECK(lab.value("h1", 22) == 1);
  lab.accept(1, "a2", 25);
  lab.stop(1, 35);
  CHECK(lab.value("aht2", 36) == Approx((4.0 + 10.0) / 2));
  // A desktop that goes away: its handling ends at the logout, before the interaction
  // reports going back to its queue.
  lab.submit(2, "sales", 40);
  lab.answer(2, "a2", 41, 42);
  lab.logout("a2", 50);
  lab.move(2, InteractionState::queued, ReportingKind::revoked, 50, "a2");
  CHECK(lab.value("aht2", 51) == Approx((4.0 + 10.0 + 8.0) / 3));
  CHECK(lab.value("busy2", 51) == 0);
}

TEST_CASE("stopping an interaction its agents handle ends every handling once") {
  // Regression: the tracker ended each handling by passing the map key it then erased
  // (a use-after-free that crashed parleyd under load; AddressSanitizer shows it here).
  stats_lab lab;
  for (auto* a : {"a1", "a2", "a3"}) {
    lab.open(std::string{"handled_"} + a, spec(O::agent, a, metric::handled), 0);
    lab.open(std::string{"busy_"} + a, spec(O::agent, a, metric::agents_busy), 0);
    lab.login(a, 0);
  }
  lab.open("group_handled", spec(O::agent_group, "team", metric::handled), 0);
  lab.submit(1, "sales", 0);
  lab.answer(1, "a1", 1, 2);
  lab.note(1, ReportingKind::conferenced, 3, "a2");
  lab.note(1, ReportingKind::conferenced, 4, "a3");
  CHECK(lab.value("busy_a3", 5) == 1);
  lab.stop(1, 10);
  for (auto* a : {"a1", "a2", "a3"}) {
    CAPTURE(a);
    CHECK(lab.value(std::string{"handled_"} + a, 11) == 1);
    CHECK(lab.value(std::string{"busy_"} + a, 11) == 0);
  }
  CHECK(lab.value("group_handled", 11) == 3);
  // The same when the interaction goes back to a queue (parked, requeued).
  lab.submit(2, "sales", 20);
  lab.answer(2, "a1", 21, 22);
  lab.note(2, ReportingKind::conferenced, 23, "a2");
  lab.move(2, InteractionState::parked, ReportingKind::parked, 25, "a1");
  CHECK(lab.value("handled_a2", 26) == 2);
  CHECK(lab.value("busy_a1", 26) == 0);
}

TEST_CASE("queue_today: a queue's day so far, reset at the daily reset") {
  stats_lab lab;
  lab.cfg->queues[0].service_level_s = 10;  // sales
  auto schedule = std::make_shared<const reset_schedule>("UTC", 0);
  queue_today today{*lab.cfg, schedule, lab.at(0)};
  lab.also = [&](const std::string& key, const stat_fact& f) { today.apply(key, f); };
  auto sales = [&](double at_s) { return today.figures(lab.at(at_s)).at(0); };
  CHECK(sales(0).queue == "sales");
  CHECK(sales(0).threshold_s == 10);
  CHECK_FALSE(sales(0).sl_known);
  lab.submit(1, "sales", 0);
  lab.answer(1, "a1", 4, 5);    // waited 5 s: within T
  lab.submit(2, "sales", 0);
  lab.answer(2, "a2", 14, 15);  // 15 s: answered, not within T
  lab.submit(3, "sales", 1);
  lab.stop(3, 3);               // abandoned within T: not in the service level at all
  lab.submit(4, "sales", 1);
  lab.stop(4, 31);              // abandoned after T
  lab.submit(5, "support", 1);
  lab.answer(5, "a1", 2, 3);    // another queue
  auto d = sales(40);
  CHECK(d.answered == 2);
  CHECK(d.abandoned == 2);
  CHECK(d.sl_known);
  CHECK(d.service_level == Approx(100.0 / 3));  // 1 within T / (2 answered + 1 abandoned after T)
  CHECK(d.asa_s == Approx(10.0));
  CHECK(today.figures(lab.at(40)).at(1).answered == 1);
  // Midnight UTC is 6,400 s after t0 (22:13:20Z): the day starts afresh.
  CHECK(sales(6399).answered == 2);
  d = sales(6401);
  CHECK(d.answered == 0);
  CHECK(d.abandoned == 0);
  CHECK_FALSE(d.sl_known);
  lab.submit(6, "sales", 6500);
  lab.answer(6, "a1", 6501, 6502);
  CHECK(sales(6510).service_level == Approx(100.0));
}

TEST_CASE("growing interval reset; a sliding integral window") {
  stats_lab lab;
  auto& c = lab.open("entered", spec(O::queue, "sales", metric::entered), 0);
  lab.open("ready20", spec(O::agent, "a1", metric::ready_time, I::sliding, 20), 0);
  lab.login("a1", 0);
  lab.ready("a1", 5);
  lab.submit(1, "sales", 1);
  lab.submit(2, "sales", 2);
  CHECK(lab.value("entered", 3) == 2);
  c.reset(lab.at(3));
  CHECK(lab.value("entered", 3) == 0);
  lab.submit(3, "sales", 4);
  CHECK(lab.value("entered", 5) == 1);
  CHECK(lab.value("ready20", 15) == Approx(10.0));
  CHECK(lab.value("ready20", 40) == Approx(20.0));
  lab.not_ready("a1", 40);
  CHECK(lab.value("ready20", 50) == Approx(10.0));  // [30, 40) of [30, 50)
}

TEST_CASE("campaign metrics count dial results") {
  stats_lab lab;
  lab.open("attempts", spec(O::campaign, "spring", metric::dial_attempts), 0);
  lab.open("answers", spec(O::campaign, "spring", metric::dial_answers), 0);
  lab.open("rate", spec(O::campaign, "spring", metric::abandon_rate), 0);
  auto busy = spec(O::campaign, "spring", metric::dial_results);
  busy.filter = "busy";
  lab.open("busy", busy, 0);
  CHECK(lab.value("rate", 0) == 0);
  auto sink = [&](const std::string& key, const stat_fact& f) {
    for (auto& [name, s] : lab.stats)
      if (s.first == key)
        s.second->apply(f);
  };
  for (auto r : {"answer", "answer", "answer", "dropped", "busy", "no_answer", "busy"})
    lab.track->dial("acme", "spring", r, ++lab.seq, lab.at(1), sink);
  CHECK(lab.value("attempts", 2) == 7);
  CHECK(lab.value("answers", 2) == 4);
  CHECK(lab.value("rate", 2) == Approx(25.0));
  CHECK(lab.value("busy", 2) == 2);
}

TEST_CASE("the catalogue refuses nonsense") {
  metric m;
  CHECK(metric_by_name("service_level", m));
  CHECK(m == metric::service_level);
  CHECK_FALSE(metric_by_name("no_such_metric", m));
  auto ok = spec(O::queue, "sales", metric::entered);
  CHECK(validate(ok).empty());
  auto s = ok;
  s.interval = I::sliding;
  CHECK_FALSE(validate(s).empty());  // no window
  s.window_s = 86'401;
  CHECK_FALSE(validate(s).empty());
  s.window_s = 60;
  CHECK(validate(s).empty());
  s = spec(O::agent, "a1", metric::entered);
  CHECK_FALSE(validate(s).empty());  // a queue metric on an agent
  s = spec(O::queue, "sales", metric::service_level);
  CHECK_FALSE(validate(s).empty());  // no T
  s.range_to_s = 20;
  CHECK(validate(s).empty());
  s.range_from_s = 30;
  CHECK_FALSE(validate(s).empty());  // empty range
  s = ok;
  s.notify = wire::StatNotify::periodic;
  CHECK_FALSE(validate(s).empty());  // no period
  s.period_ms = 1000;
  CHECK(validate(s).empty());
  s = ok;
  s.object_id.clear();
  CHECK_FALSE(validate(s).empty());
  s = ok;
  s.filter = "x";
  CHECK_FALSE(validate(s).empty());
}

TEST_CASE("tracker: which objects exist") {
  stats_lab lab;
  CHECK(lab.track->knows(O::queue, "sales"));
  CHECK_FALSE(lab.track->knows(O::queue, "nope"));
  CHECK(lab.track->knows(O::agent, "a7"));      // the group admits a*
  CHECK_FALSE(lab.track->knows(O::agent, "b7"));
  CHECK(lab.track->knows(O::agent_group, "team"));
  CHECK(lab.track->knows(O::tenant, "globex"));
  CHECK_FALSE(lab.track->knows(O::tenant, "initech"));
  CHECK(lab.track->knows(O::campaign, "spring"));
  CHECK_FALSE(lab.track->knows(O::campaign, "anything"));
}

namespace {
std::int64_t utc_ms(date::sys_days d, std::chrono::minutes m) {
  return std::chrono::duration_cast<std::chrono::milliseconds>((d + m).time_since_epoch()).count();
}
} // namespace

TEST_CASE("scheduled resets at local midnight follow DST (Europe/Berlin, 2026-03-29)") {
  using namespace date;
  using std::chrono::hours;
  using std::chrono::minutes;
  reset_schedule berlin{"Europe/Berlin", 0};
  auto noon = utc_ms(sys_days{2026_y / March / 28}, hours{12});
  auto first = berlin.next_after(noon);
  CHECK(first == utc_ms(sys_days{2026_y / March / 28}, hours{23}));  // 00:00 CET
  auto second = berlin.next_after(first);
  CHECK(second == utc_ms(sys_days{2026_y / March / 29}, hours{22}));  // 00:00 CEST: 23 h later
  CHECK(berlin.last_at_or_before(first) == first);
  CHECK(berlin.last_at_or_before(first - 1) == utc_ms(sys_days{2026_y / March / 27}, hours{23}));
  reset_schedule skipped{"Europe/Berlin", 150};  // 02:30 does not exist on 29 March
  CHECK(skipped.next_after(noon + 12 * 3600 * 1000LL)
        == utc_ms(sys_days{2026_y / March / 29}, hours{1}));  // 03:00 CEST
  reset_schedule utc;
  CHECK(utc.next_after(noon) == utc_ms(sys_days{2026_y / March / 29}, minutes{0}));
  CHECK_FALSE(check_time_zone("Europe/Berlin").size());
  CHECK(check_time_zone("Mars/Olympus").size() > 0);
  CHECK_THROWS(reset_schedule{"Mars/Olympus", 0});
}

TEST_CASE("a sliding sample window's running totals equal a recount of what it holds") {
  // The window keeps count, sum and max as samples come and go (a monotonic queue for the
  // max); this recounts the samples inside (now - W, now] after every step.
  std::uint64_t x = 88172645463325252ull;  // xorshift: the same pseudo-random run every time
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  constexpr std::int64_t w = 5'000;
  parley::stats::sample_window win{w};
  std::vector<std::tuple<std::int64_t, std::size_t, double>> all;
  std::int64_t t = 1'000, now = 0;
  for (int i = 0; i < 20'000; ++i) {
    t += static_cast<std::int64_t>(next() % 400);
    auto ch = static_cast<std::size_t>(next() % parley::stats::channels);
    auto v = static_cast<double>(next() % 1000);
    win.add(t, ch, v);
    all.emplace_back(t, ch, v);
    now = std::max(now, t + static_cast<std::int64_t>(next() % 50));  // time never goes back
    parley::stats::aggregates want{};
    for (auto& [st, sc, sv] : all)
      if (st > now - w && st <= now)
        want[sc].add(sv);
    auto got = win.totals(now);
    for (std::size_t c = 0; c < parley::stats::channels; ++c) {
      REQUIRE(got[c].count == want[c].count);
      REQUIRE(got[c].sum == want[c].sum);
      REQUIRE(got[c].max == want[c].max);
    }
    if (all.size() > 200)  // keep the recount cheap: older samples are long outside
      all.erase(all.begin(), all.begin() + 100);
  }
}
