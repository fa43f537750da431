// Historical reporting (docs/reporting.md), below the engine: the fact builder on a scripted
// stretch of the event log (exact facts; stopped and resumed from its stored open state at
// every event gives the same facts — what a kill -9 of the writer comes to), and the
// reporting store on every backend (PARLEY_BACKENDS): facts, watermark and open state in one
// transaction, exact 15-minute aggregates, an incremental run equal to a full rebuild, and
// reports over days of 23 and 25 hours.
#include <doctest/doctest.h>

#include <map>
#include <set>
#include <string>
#include <tuple>

#include "actors/reporting/fact_builder.hpp"
#include "engine/reports.hpp"
#include "fresh_database.hpp"
#include "support/test_env.hpp"

using namespace parley;
using namespace parley::test;
using storage::event_row;
using K = wire::ReportingKind;
using S = wire::InteractionState;
using A = wire::AgentState;

namespace {

std::shared_ptr<const domain_config> center() {
  domain_config d;
  queue_config q;
  q.name = "sales";
  q.tenant = "acme";
  q.service_level_s = 20;
  d.queues.push_back(q);
  agent_group_config g;
  g.name = "floor";
  g.tenant = "acme";
  g.members = {"*"};
  d.groups.push_back(g);
  return std::make_shared<const domain_config>(d);
}

event_row agent_event(std::uint64_t seq, std::int64_t t, K kind, A state, const std::string& reason = {}) {
  event_row e;
  e.seq = seq;
  e.engine_ms = t;
  e.kind = static_cast<std::uint8_t>(kind);
  e.tenant = "acme";
  e.agent = "ann";
  e.agent_state = static_cast<std::uint8_t>(state);
  e.reason = reason;
  return e;
}

/// An interaction event; `from` < 0: not a state change (or the first report).
event_row iid_event(std::uint64_t seq, std::int64_t t, K kind, std::uint64_t iid, int from, S state,
                    const std::string& agent = {}) {
  event_row e;
  e.seq = seq;
  e.engine_ms = t;
  e.kind = static_cast<std::uint8_t>(kind);
  e.tenant = "acme";
  e.iid = iid;
  e.agent = agent;
  e.queue = "sales";
  e.media = "voice";
  e.from_state = static_cast<std::int16_t>(from);
  e.state = static_cast<std::uint8_t>(state);
  return e;
}

constexpr std::int64_t q15 = storage::interval_ms;

/// Ann's stretch: two calls (one distributed after 6 s, held 5 s; one abandoned after 8 s
/// across a quarter-hour boundary), after-call work, a not-ready reason, logout.
std::vector<event_row> scripted() {
  int queued = static_cast<int>(S::queued), offered = static_cast<int>(S::offered),
      handled = static_cast<int>(S::handled);
  return {
    agent_event(1, 0, K::agent_login, A::not_ready),
    agent_event(2, 1'000, K::agent_ready, A::ready),
    iid_event(3, 10'000, K::submitted, 1, -1, S::submitted),
    iid_event(4, 10'000, K::queued, 1, static_cast<int>(S::submitted), S::queued),
    iid_event(5, 14'000, K::offered, 1, queued, S::offered, "ann"),
    iid_event(6, 16'000, K::accepted, 1, offered, S::handled, "ann"),
    iid_event(7, 20'000, K::held, 1, -1, S::handled, "ann"),
    iid_event(8, 25'000, K::resumed, 1, -1, S::handled, "ann"),
    iid_event(9, 40'000, K::stopped, 1, handled, S::stopped),
    agent_event(10, 40'000, K::agent_after_call_work, A::after_call_work),
    agent_event(11, 50'000, K::agent_ready, A::ready),
    iid_event(12, q15 - 5'000, K::submitted, 2, -1, S::submitted),
    iid_event(13, q15 - 5'000, K::queued, 2, static_cast<int>(S::submitted), S::queued),
    iid_event(14, q15 + 3'000, K::abandoned, 2, queued, S::stopped),
    agent_event(15, q15 + 60'000, K::agent_not_ready, A::not_ready, "lunch"),
    agent_event(16, 2 * q15 + 60'000, K::agent_logout, A::logged_out),
  };
}

/// Every fact of a batch, comparable: (table, text).
std::multiset<std::string> facts_of(const storage::fact_batch& b) {
  std::multiset<std::string> out;
  for (auto& e : b.entries)
    out.insert("entry " + std::to_string(e.entry_seq) + " " + e.queue + " " + std::to_string(e.entered_ms) + " "
               + std::to_string(e.left_ms) + " " + e.why + " " + e.agent);
  for (auto& s : b.states)
    out.insert("state " + s.agent + " " + s.state + " " + s.reason + " " + std::to_string(s.busy) + " "
               + std::to_string(s.seg_from_ms) + " " + std::to_string(s.seg_to_ms) + " "
               + std::to_string(s.interval_ms) + " " + std::to_string(s.from_ms) + " " + std::to_string(s.to_ms));
  for (auto& h : b.handlings)
    out.insert("handling " + std::to_string(h.iid) + " " + h.agent + " " + h.queue + " " + std::to_string(h.from_ms)
               + " " + std::to_string(h.to_ms) + " " + std::to_string(h.hold_ms));
  for (auto& o : b.offers)
    out.insert("offer " + std::to_string(o.iid) + " " + o.agent + " " + std::to_string(o.offered_ms) + " "
               + std::to_string(o.ended_ms) + " " + o.result);
  for (auto& i : b.interactions)
    out.insert("interaction " + std::to_string(i.iid) + " " + i.outcome + " " + std::to_string(i.wait_ms) + " "
               + std::to_string(i.handle_ms) + " " + std::to_string(i.hold_ms) + " " + i.first_queue);
  return out;
}

/// Open waits are rewritten when they end: only each wait's last row counts.
std::multiset<std::string> final_facts(const std::vector<storage::fact_batch>& batches) {
  storage::fact_batch all;
  std::map<std::uint64_t, storage::queue_entry_fact> entries;
  for (auto& b : batches) {
    for (auto& e : b.entries)
      entries[e.entry_seq] = e;
    all.states.insert(all.states.end(), b.states.begin(), b.states.end());
    all.handlings.insert(all.handlings.end(), b.handlings.begin(), b.handlings.end());
    all.offers.insert(all.offers.end(), b.offers.begin(), b.offers.end());
    all.interactions.insert(all.interactions.end(), b.interactions.begin(), b.interactions.end());
  }
  for (auto& [seq, e] : entries)
    all.entries.push_back(e);
  return facts_of(all);
}

storage::fact_batch build_all(const std::vector<event_row>& events) {
  reporting::fact_builder b{center(), 5'000};
  storage::fact_batch out;
  for (auto& e : events)
    b.apply(e, out);
  b.finish(out);
  return out;
}

} // namespace

TEST_CASE("reporting/facts: a scripted stretch gives exactly these facts") {
  auto b = build_all(scripted());
  auto want = std::multiset<std::string>{
    "entry 4 sales 10000 16000 distributed ann",
    "entry 13 sales 895000 903000 abandoned ",
    "state ann not_ready  0 0 1000 0 0 1000",
    "state ann ready  0 1000 16000 0 1000 16000",
    "state ann ready  1 16000 40000 0 16000 40000",
    "state ann acw  0 40000 50000 0 40000 50000",
    "state ann ready  0 50000 960000 0 50000 900000",
    "state ann ready  0 50000 960000 900000 900000 960000",
    "state ann not_ready lunch 0 960000 1860000 900000 960000 1800000",
    "state ann not_ready lunch 0 960000 1860000 1800000 1800000 1860000",
    "handling 1 ann sales 16000 40000 5000",
    "offer 1 ann 14000 16000 accepted",
    "interaction 1 handled 6000 24000 5000 sales",
    "interaction 2 abandoned 8000 0 0 sales",
  };
  CHECK(facts_of(b) == want);
  CHECK(b.watermark == 16);
  CHECK(b.watermark_ms == 2 * q15 + 60'000);
  for (auto& e : b.entries)
    CHECK(e.first_write);  // both waits begin in this batch
}

TEST_CASE("reporting/facts: stopped after any event and resumed from the stored open state, the facts are the same") {
  auto events = scripted();
  auto want = final_facts({build_all(events)});
  for (std::size_t k = 0; k <= events.size(); ++k) {
    CAPTURE(k);
    // The first writer commits after k events; the open rows are what the store would hold.
    reporting::fact_builder first{center(), 5'000};
    storage::fact_batch one;
    for (std::size_t i = 0; i < k; ++i)
      first.apply(events[i], one);
    first.finish(one);
    std::map<std::pair<std::string, std::string>, std::string> stored;
    for (auto& o : one.open) {
      if (o.body.empty())
        stored.erase({o.kind, o.key});
      else
        stored[{o.kind, o.key}] = o.body;
    }
    std::vector<storage::open_row> rows;
    for (auto& [key, body] : stored)
      rows.push_back({key.first, key.second, body});
    reporting::fact_builder second{center(), 5'000};
    second.restore(rows);
    storage::fact_batch two;
    for (std::size_t i = k; i < events.size(); ++i)
      second.apply(events[i], two);
    second.finish(two);
    CHECK(final_facts({one, two}) == want);
  }
}

TEST_CASE("reporting/facts: a new engine run ends what the last one left open at its last event") {
  auto events = scripted();
  events.resize(6);  // ann handles call 1 when the engine dies at 16 s
  reporting::fact_builder b{center(), 5'000};
  storage::fact_batch out;
  for (auto& e : events)
    b.apply(e, out);
  b.end_run(7, out);
  // The next run recovers the interaction into its queue.
  b.apply(iid_event(7, 100'000, K::recovered, 1, -1, S::queued), out);
  b.finish(out);
  auto got = facts_of(out);
  // Ann is logged out at the run's last event (16 s): her handling ends there, and her
  // segments with it (no time in them after 16 s).
  CHECK(got.count("handling 1 ann sales 16000 16000 0") == 1);
  CHECK(got.count("state ann ready  0 1000 16000 0 1000 16000") == 1);
  for (auto& st : out.states)
    CHECK(st.seg_to_ms <= 16'000);
  CHECK(b.open_agents() == 0);  // logged out at the end of the run
  CHECK(b.open_interactions() == 1);
  // The recovered interaction waits again, from the new run's event.
  bool waits = false;
  for (auto& e : out.entries)
    waits |= e.entered_ms == 100'000 && e.why.empty();
  CHECK(waits);
}

TEST_CASE_TEMPLATE("reporting/store: facts, open state and watermark in one transaction; exact aggregates", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& rep = s->reporting();
  CHECK(rep.watermark() == std::pair<std::uint64_t, std::int64_t>{0, 0});
  rep.add_run(1);
  rep.add_run(1);
  rep.add_run(17);
  CHECK(rep.runs() == std::vector<std::uint64_t>{1, 17});
  auto events = scripted();
  // Written in two batches, the second rewriting the open wait of call 2.
  reporting::fact_builder b{center(), 5'000};
  storage::fact_batch one, two;
  for (std::size_t i = 0; i < 13; ++i)
    b.apply(events[i], one);
  b.finish(one);
  rep.write(one);
  CHECK(rep.watermark().first == 13);
  for (auto& e : one.entries)
    CHECK(e.first_write);  // call 2 still waits: its entry counts now
  CHECK_FALSE(rep.open_rows().empty());
  for (std::size_t i = 13; i < events.size(); ++i)
    b.apply(events[i], two);
  b.finish(two);
  REQUIRE(two.entries.size() == 1);  // call 2's abandon, its entry counted in batch one
  CHECK(two.entries[0].why == "abandoned");
  CHECK_FALSE(two.entries[0].first_write);
  rep.write(two);
  CHECK(rep.watermark() == std::pair<std::uint64_t, std::int64_t>{16, 2 * q15 + 60'000});
  for (auto& o : rep.open_rows())
    CHECK(o.kind == "m");  // nothing open but the time of the last event
  CHECK(rep.dirty(100).empty());  // the writes added to the aggregates: nothing to recompute

  storage::agg_filter all{0, 3 * q15, {}, {}};
  auto queues = rep.queue_aggs(all);
  REQUIRE(queues.size() == 2);
  auto& q0 = queues[0];
  CHECK(std::tie(q0.interval_ms, q0.tenant, q0.queue, q0.media) == std::tuple{0, "acme", "sales", "voice"});
  CHECK(std::tie(q0.entered, q0.distributed, q0.distributed_within, q0.distributed_of_entered, q0.abandoned)
        == std::tuple{2, 1, 1, 1, 0});
  CHECK(std::tie(q0.wait_distributed_ms, q0.max_wait_ms) == std::tuple{6'000, 6'000});
  auto& q1 = queues[1];
  CHECK(q1.interval_ms == q15);
  CHECK(std::tie(q1.entered, q1.distributed, q1.abandoned, q1.abandoned_within, q1.short_abandoned)
        == std::tuple{0, 0, 1, 1, 0});
  CHECK(std::tie(q1.wait_abandoned_ms, q1.max_wait_ms) == std::tuple{8'000, 8'000});

  auto agents = rep.agent_aggs(all);
  REQUIRE(agents.size() == 3);
  auto& a0 = agents[0];
  CHECK(std::tie(a0.agent, a0.group, a0.tenant) == std::tuple{"ann", "floor", "acme"});
  CHECK(a0.login_ms == q15);
  CHECK(a0.ready_ms == 15'000 + 24'000 + (q15 - 50'000));
  CHECK(a0.not_ready_ms == 1'000);
  CHECK(a0.acw_ms == 10'000);
  CHECK(a0.busy_ms == 24'000);
  CHECK(a0.idle_ready_ms == 15'000 + (q15 - 50'000));
  CHECK(a0.idle_acw_ms == 10'000);
  CHECK(std::tie(a0.offered, a0.accepted, a0.accept_ms, a0.handled, a0.handle_ms, a0.hold_ms)
        == std::tuple{1, 1, 2'000, 1, 24'000, 5'000});
  CHECK(std::tie(agents[1].login_ms, agents[1].ready_ms, agents[1].not_ready_ms) == std::tuple{q15, 60'000, q15 - 60'000});
  CHECK(std::tie(agents[2].login_ms, agents[2].not_ready_ms) == std::tuple{60'000, 60'000});
  auto reasons = rep.reason_aggs(all);
  REQUIRE(reasons.size() == 3);  // the login's not-ready (no reason) in 0, lunch in 15 and 30
  CHECK(std::tie(reasons[1].reason, reasons[1].ms) == std::tuple{"lunch", q15 - 60'000});

  // Tenants and one object filter.
  CHECK(rep.queue_aggs({0, 3 * q15, {"other"}, {}}).empty());
  CHECK(rep.queue_aggs({0, 3 * q15, {"acme"}, "sales"}).size() == 2);
  CHECK(rep.agent_aggs({q15, 2 * q15, {}, "ann"}).size() == 1);
  // Fact reads.
  CHECK(rep.queue_entries(all, 10).size() == 2);
  CHECK(rep.interactions(all, 10).size() == 2);
  CHECK(rep.agent_states(all, 100).size() == 8);
}

TEST_CASE_TEMPLATE("reporting/store: an incremental run and a full rebuild give the same rows", B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& rep = s->reporting();
  // Incremental: each event its own transaction, each adding to the aggregates (late facts
  // add to earlier intervals: call 2's wait counts as entered in one batch, its abandon in a
  // later one).
  reporting::fact_builder b{center(), 5'000};
  for (auto& e : scripted()) {
    storage::fact_batch one;
    b.apply(e, one);
    b.finish(one);
    rep.write(one);
  }
  CHECK(rep.dirty(100).empty());
  storage::agg_filter all{-q15, 4 * q15, {}, {}};
  auto queues = rep.queue_aggs(all);
  auto agents = rep.agent_aggs(all);
  auto reasons = rep.reason_aggs(all);
  auto text = [](const auto& rows) {
    std::vector<std::string> out;
    for (auto& r : rows) {
      nlohmann::json j = nlohmann::json::array();
      if constexpr (std::is_same_v<std::decay_t<decltype(r)>, storage::queue_agg>)
        j = {r.interval_ms, r.queue, r.media, r.entered, r.distributed, r.distributed_within,
             r.distributed_of_entered, r.abandoned, r.abandoned_within, r.short_abandoned, r.overflowed,
             r.cleared, r.wait_distributed_ms, r.wait_abandoned_ms, r.max_wait_ms};
      else if constexpr (std::is_same_v<std::decay_t<decltype(r)>, storage::agent_agg>)
        j = {r.interval_ms, r.agent, r.group, r.login_ms, r.ready_ms, r.not_ready_ms, r.acw_ms, r.busy_ms,
             r.idle_ready_ms, r.idle_acw_ms, r.offered, r.accepted, r.rejected, r.timed_out, r.revoked,
             r.accept_ms, r.handled, r.handle_ms, r.hold_ms};
      else
        j = {r.interval_ms, r.agent, r.reason, r.ms};
      out.push_back(j.dump());
    }
    return out;
  };
  CHECK(queues.size() == 2);
  CHECK(agents.size() == 3);
  // Rebuild: every interval of the range again, from the facts alone.
  CHECK(rep.mark_dirty(-q15, 4 * q15) == 5);
  for (auto d : rep.dirty(100))
    rep.aggregate(d);
  CHECK(text(rep.queue_aggs(all)) == text(queues));
  CHECK(text(rep.agent_aggs(all)) == text(agents));
  CHECK(text(rep.reason_aggs(all)) == text(reasons));
}

TEST_CASE_TEMPLATE("reporting/reports: a spring-forward day has 23 hours and a fall-back day 25", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& rep = s->reporting();
  auto cfg = test_config({"stats.reset_time_zone=\"America/New_York\""});
  // One entry per quarter hour, over the whole of each DST day (New York: 2026-03-08 and
  // 2026-11-01), plus one on each side.
  for (auto [from, to] : {std::pair<std::int64_t, std::int64_t>{1'772'946'000'000, 1'773'028'800'000},
                          std::pair<std::int64_t, std::int64_t>{1'793'505'600'000, 1'793'595'600'000}}) {
    storage::fact_batch b;
    std::uint64_t seq = static_cast<std::uint64_t>(from / 1000);
    for (auto t = from - q15; t < to + q15; t += q15) {
      storage::queue_entry_fact e;
      e.entry_seq = ++seq;
      e.iid = seq;
      e.tenant = "acme";
      e.queue = "sales";
      e.media = "voice";
      e.entered_ms = t + 1'000;
      e.left_ms = t + 3'000;
      e.why = "distributed";
      e.sl_ms = 20'000;
      b.entries.push_back(e);
    }
    b.watermark = seq;
    rep.write(b);
  }
  auto run = [&](const std::string& day, const std::string& by) {
    engine::report_request r;
    r.name = "queue-summary";
    r.from = day;
    r.by = by;
    REQUIRE(engine::check_report_request(r).empty());
    return engine::run_report(rep, r, cfg);
  };
  auto spring = run("2026-03-08", "day");
  REQUIRE(spring.rows.size() == 1);
  CHECK(spring.rows[0][4] == 92);  // entered: 23 hours of quarters
  CHECK(spring.rows[0][0] == "2026-03-08");
  CHECK(run("2026-03-08", "hour").rows.size() == 23);
  CHECK(run("2026-03-08", "15m").rows.size() == 92);
  auto fall = run("2026-11-01", "day");
  REQUIRE(fall.rows.size() == 1);
  CHECK(fall.rows[0][4] == 100);
  auto hours = run("2026-11-01", "hour");
  REQUIRE(hours.rows.size() == 25);
  // The hour lived twice is two rows, told apart by the zone's abbreviation.
  CHECK(hours.rows[1][0] == "2026-11-01 01:00 EDT");
  CHECK(hours.rows[2][0] == "2026-11-01 01:00 EST");
  // Quarters and years of the zone: both DST days (each with a quarter hour on either side).
  engine::report_request longer;
  longer.name = "queue-summary";
  longer.from = "2026-01-01";
  longer.to = "2027-01-01";
  longer.by = "quarter";
  auto quarters = engine::run_report(rep, longer, cfg);
  REQUIRE(quarters.rows.size() == 2);
  CHECK(quarters.rows[0][0] == "2026-Q1");
  CHECK(quarters.rows[0][4] == 94);
  CHECK(quarters.rows[1][0] == "2026-Q4");
  CHECK(quarters.rows[1][4] == 102);
  longer.by = "year";
  auto years = engine::run_report(rep, longer, cfg);
  REQUIRE(years.rows.size() == 1);
  CHECK(years.rows[0][0] == "2026");
  CHECK(years.rows[0][4] == 196);
  // A day of UTC over the same data: 96 quarters.
  engine::report_request utc;
  utc.name = "queue-summary";
  utc.from = "2026-11-01T05:00";
  utc.to = "2026-11-02T05:00";
  utc.tz = "UTC";
  utc.by = "total";
  CHECK(engine::run_report(rep, utc, cfg).rows[0][4] == 96);
  // The service level's formulas and the text and CSV forms.
  CHECK(spring.rows[0][12] == 100.0);
  CHECK(engine::report_text(spring).find("2026-03-08") != std::string::npos);
  CHECK(engine::report_csv(spring).rfind("start,tenant,queue,media,entered", 0) == 0);
}

TEST_CASE("reporting/reports: bad requests are refused with a reason") {
  engine::report_request r;
  r.name = "nope";
  r.from = "2026-03-08";
  CHECK(engine::check_report_request(r).find("no report named") != std::string::npos);
  r.name = "queue-summary";
  r.from = "2026-13-08";
  CHECK_FALSE(engine::check_report_request(r).empty());
  r.from = "2026-03-08";
  r.to = "2026-03-07";
  CHECK(engine::check_report_request(r) == "to must be after from");
  r.to = "";
  r.tz = "Mars/Olympus";
  CHECK(engine::check_report_request(r).find("unknown time zone") != std::string::npos);
  r.tz = "";
  r.by = "fortnight";
  CHECK_FALSE(engine::check_report_request(r).empty());
  r.by = "week";
  CHECK(engine::check_report_request(r).empty());
}

TEST_CASE_TEMPLATE("reporting/transfers: a transfer counts for the agent who made it, a conference for the one who "
                   "joined, both for the queue",
                   B, PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& rep = s->reporting();
  int queued = static_cast<int>(S::queued), handled = static_cast<int>(S::handled);
  auto as = [](event_row e, const std::string& agent) {
    e.agent = agent;
    return e;
  };
  auto to_queue = [](event_row e, const std::string& queue) {
    e.queue = queue;
    return e;
  };
  std::vector<event_row> events{
    agent_event(1, 0, K::agent_login, A::not_ready),
    agent_event(2, 1'000, K::agent_ready, A::ready),
    as(agent_event(3, 1'000, K::agent_login, A::not_ready), "bob"),
    // Call 1: ann takes it, invites bob into a conference, transfers it to support, where
    // the caller hangs up.
    iid_event(4, 10'000, K::submitted, 1, -1, S::submitted),
    iid_event(5, 10'000, K::queued, 1, static_cast<int>(S::submitted), S::queued),
    iid_event(6, 12'000, K::offered, 1, queued, S::offered, "ann"),
    iid_event(7, 13'000, K::accepted, 1, static_cast<int>(S::offered), S::handled, "ann"),
    iid_event(8, 20'000, K::offered, 1, -1, S::handled, "bob"),
    iid_event(9, 22'000, K::conferenced, 1, -1, S::handled, "bob"),
    to_queue(iid_event(10, 40'000, K::transferred, 1, handled, S::queued, "ann"), "support"),
    to_queue(iid_event(11, 50'000, K::abandoned, 1, queued, S::stopped), "support"),
    // Call 2: ann transfers it to bob (the event names the target).
    iid_event(12, 60'000, K::submitted, 2, -1, S::submitted),
    iid_event(13, 60'000, K::queued, 2, static_cast<int>(S::submitted), S::queued),
    iid_event(14, 61'000, K::offered, 2, queued, S::offered, "ann"),
    iid_event(15, 62'000, K::accepted, 2, static_cast<int>(S::offered), S::handled, "ann"),
    iid_event(16, 70'000, K::offered, 2, -1, S::handled, "bob"),
    iid_event(17, 71'000, K::transferred, 2, -1, S::handled, "bob"),
    iid_event(18, 72'000, K::accepted, 2, -1, S::handled, "bob"),
    iid_event(19, 90'000, K::stopped, 2, handled, S::stopped),
  };
  auto b = build_all(events);
  std::multiset<std::string> handlings;
  for (auto& h : b.handlings)
    handlings.insert(std::to_string(h.iid) + " " + h.agent + " " + h.queue + " " + std::to_string(h.from_ms) + "-"
                     + std::to_string(h.to_ms) + " transferred=" + std::to_string(h.transferred)
                     + " conferenced=" + std::to_string(h.conferenced));
  CHECK(handlings == std::multiset<std::string>{"1 ann sales 13000-40000 transferred=1 conferenced=0",
                                                "1 bob sales 22000-40000 transferred=0 conferenced=1",
                                                "2 ann sales 62000-71000 transferred=1 conferenced=0",
                                                "2 bob sales 72000-90000 transferred=0 conferenced=0"});
  // Stopped and resumed after every event (what a kill -9 of the writer comes to): the same.
  std::vector<storage::fact_batch> pieces;
  std::vector<storage::open_row> stored;
  for (auto& e : events) {
    reporting::fact_builder again{center(), 5'000};
    again.restore(stored);
    storage::fact_batch one;
    again.apply(e, one);
    again.finish(one);
    for (auto& o : one.open) {
      std::erase_if(stored, [&](auto& x) { return x.kind == o.kind && x.key == o.key; });
      if (!o.body.empty())
        stored.push_back(o);
    }
    pieces.push_back(std::move(one));
  }
  std::multiset<std::string> resumed;
  for (auto& p : pieces)
    for (auto& h : p.handlings)
      resumed.insert(std::to_string(h.iid) + " " + h.agent + " " + std::to_string(h.transferred)
                     + std::to_string(h.conferenced));
  CHECK(resumed == std::multiset<std::string>{"1 ann 10", "1 bob 01", "2 ann 10", "2 bob 00"});

  rep.write(b);
  auto queues = rep.queue_aggs({0, q15, {}, {}});
  REQUIRE(queues.size() == 2);
  CHECK(std::tie(queues[0].queue, queues[0].tenant, queues[0].transferred, queues[0].conferenced)
        == std::tuple{"sales", "acme", 2, 1});
  CHECK(std::tie(queues[0].entered, queues[0].distributed) == std::tuple{2, 2});
  CHECK(std::tie(queues[1].queue, queues[1].entered, queues[1].abandoned, queues[1].transferred)
        == std::tuple{"support", 1, 1, 0});
  auto agents = rep.agent_aggs({0, q15, {}, {}});
  REQUIRE(agents.size() == 2);
  CHECK(std::tie(agents[0].agent, agents[0].handled, agents[0].transferred, agents[0].conferenced)
        == std::tuple{"ann", 2, 2, 0});
  CHECK(std::tie(agents[1].agent, agents[1].handled, agents[1].transferred, agents[1].conferenced)
        == std::tuple{"bob", 2, 0, 1});
  auto cfg = test_config({"stats.reset_time_zone=\"UTC\""});
  engine::report_request r;
  r.name = "queue-summary";
  r.from = "1970-01-01";
  auto t = engine::run_report(rep, r, cfg);
  REQUIRE(t.rows.size() == 2);
  CHECK(t.columns[17] == "transferred");
  CHECK(t.rows[0][17] == 2);
  CHECK(t.rows[0][18] == 1);
  // The tenant's row sums its queues; the group's its agents.
  r.name = "tenant-summary";
  auto tenants = engine::run_report(rep, r, cfg);
  REQUIRE(tenants.rows.size() == 1);
  CHECK(tenants.columns[2] == "media");
  CHECK(tenants.rows[0][1] == "acme");
  CHECK(tenants.rows[0][3] == 3);  // entered: sales 2, support 1
  CHECK(tenants.rows[0][16] == 2);  // transferred
  r.name = "group-summary";
  auto groups = engine::run_report(rep, r, cfg);
  REQUIRE(groups.rows.size() == 1);
  CHECK(groups.columns[2] == "agents");
  CHECK(groups.rows[0][2] == 2);
  CHECK(groups.rows[0][3] == "floor");
  CHECK(groups.rows[0][16] == 4);  // handled
  CHECK(groups.rows[0][20] == 2);  // transferred
  CHECK(groups.rows[0][21] == 1);  // conferenced
  r.object = "nights";
  CHECK(engine::run_report(rep, r, cfg).rows.empty());
}
