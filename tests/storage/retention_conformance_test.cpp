// Retention (docs/reporting.md "Retention") on every backend: each family — the event log,
// the facts, the attempt log with the denials, the aggregates — loses exactly the rows
// older than its cut, chunk by chunk; events only behind the fact writer's watermark, never
// the last one, and never past a newer one; once facts are gone, the aggregates of their
// intervals are final (a rebuild or a late mark leaves them as they are). And the cuts a
// configuration gives: days on UTC day boundaries, attempt rows kept as long as compliance
// reads them, the [[schedule]] entry retention runs on. The VQ event log too: written in the
// batch's transaction, read back from a seq with every field as it was, its last seq
// recovered, retained by the events' cut and never past the stream export's VQ watermark.
#include <doctest/doctest.h>

#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/config.hpp"
#include "engine/retention.hpp"
#include "fresh_database.hpp"

using namespace parley;

namespace {

constexpr std::int64_t day = 86'400'000;
constexpr std::int64_t t0 = 1'767'571'200'000;  // 2026-01-05T00:00:00Z
constexpr std::int64_t q15 = storage::interval_ms;

storage::event_row retention_event(std::uint64_t seq, std::int64_t t) {
  storage::event_row e;
  e.seq = seq;
  e.engine_ms = t;
  e.tenant = "acme";
  e.agent = "ann";
  return e;
}

/// One of each fact at `t` (a quarter's start): a wait, two state pieces, a handling, an
/// offer, an interaction — seven rows.
storage::fact_batch facts_at(std::int64_t t, std::uint64_t seq) {
  storage::fact_batch b;
  b.entries.push_back({seq, seq, "acme", "sales", "voice", t + 1'000, t + 3'000, "distributed", "ann", 20'000, 5'000});
  b.states.push_back({seq, "acme", "ann", "floor", "ready", "", true, t, t + 60'000, t, t, t + 60'000});
  b.states.push_back(
    {seq + 1, "acme", "ann", "floor", "not_ready", "lunch", false, t + 60'000, t + 90'000, t, t + 60'000, t + 90'000});
  b.handlings.push_back({seq, seq, "acme", "ann", "floor", "sales", "voice", t + 3'000, t + 33'000, 0});
  b.offers.push_back({seq, seq, "acme", "ann", "floor", "sales", t + 2'000, t + 3'000, "accepted"});
  b.interactions.push_back({seq, "acme", "voice", t, t + 33'000, "sales", "sales", "handled", 2'000, 30'000, 0, 0, 0, 1});
  b.watermark = seq + 1;
  b.watermark_ms = t + 90'000;
  return b;
}

/// Deletes one family chunk by chunk until a chunk comes back short; how many in all.
std::size_t drain(storage::reporting_store& rep, storage::retention_family f, const storage::retention_cut& cut,
                  std::size_t chunk) {
  std::size_t all = 0, n = 0;
  do {
    n = rep.purge(f, cut, chunk);
    all += n;
  } while (n == chunk);
  return all;
}

std::vector<std::string> aggregate_text(storage::reporting_store& rep, const storage::agg_filter& f) {
  std::vector<std::string> out;
  for (auto& q : rep.queue_aggs(f))
    out.push_back(nlohmann::json{q.interval_ms, q.queue, q.entered, q.distributed, q.wait_distributed_ms}.dump());
  for (auto& a : rep.agent_aggs(f))
    out.push_back(nlohmann::json{a.interval_ms, a.agent, a.login_ms, a.ready_ms, a.handled, a.handle_ms}.dump());
  for (auto& r : rep.reason_aggs(f))
    out.push_back(nlohmann::json{r.interval_ms, r.agent, r.reason, r.ms}.dump());
  return out;
}

storage::attempt_row retention_attempt(std::uint64_t record, std::int64_t at, bool result) {
  storage::attempt_row a;
  a.record_id = record;
  a.list_id = 1;
  a.chain_id = record;
  a.customer_id = "c" + std::to_string(record);
  a.phone = "+1555000" + std::to_string(record);
  a.campaign = "spring";
  a.started_ms = at;
  if (result) {
    a.call_result = static_cast<std::uint8_t>(storage::call_result::busy);
    a.ended_ms = at + 10'000;
  }
  return a;
}

} // namespace

TEST_CASE_TEMPLATE("reporting/retention: each family goes by its cut, in chunks; old aggregates stay final", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto& rep = s->reporting();
  auto& ob = s->outbound();
  auto old_day = t0, new_day = t0 + 10 * day;
  storage::agg_filter old_days{old_day - day, old_day + day, {}, {}}, new_days{new_day, new_day + day, {}, {}};

  // The event log: 16 events on the old day, 16 on the new one.
  storage::batch log;
  for (std::uint64_t i = 1; i <= 32; ++i)
    log.events.push_back(retention_event(i, (i <= 16 ? old_day : new_day) + static_cast<std::int64_t>(i) * 1'000));
  s->write(log);
  // Facts of both days, aggregated.
  rep.write(facts_at(old_day, 1));
  rep.write(facts_at(new_day, 17));
  auto old_aggregates = aggregate_text(rep, old_days), new_aggregates = aggregate_text(rep, new_days);
  REQUIRE(old_aggregates.size() == 3);  // a queue row, an agent row, a not-ready reason row
  CHECK(rep.final_before() == 0);

  storage::retention_cut cut;
  auto events = storage::retention_family::events;
  SUBCASE("nothing has a cut: nothing goes") {
    for (auto f : {events, storage::retention_family::facts, storage::retention_family::outbound,
                   storage::retention_family::aggregates})
      CHECK(rep.purge(f, cut, 10) == 0);
    CHECK(s->events(1, 100).size() == 32);
  }

  SUBCASE("events: only behind the watermark, never the last, never past a newer one") {
    cut.events_ms = t0 + 5 * day;
    cut.events_seq = 10;  // the fact writer has read this far
    CHECK(drain(rep, events, cut, 3) == 10);
    CHECK(s->events(1, 100).front().seq == 11);
    cut.events_seq = 32;
    CHECK(drain(rep, events, cut, 4) == 6);  // the rest of the old day
    CHECK(s->events(1, 100).front().seq == 17);
    CHECK(s->events(1, 100).size() == 16);
    auto everything = cut;
    everything.events_ms = t0 + 100 * day;
    CHECK(drain(rep, events, everything, 5) == 15);
    auto left = s->events(1, 100);
    REQUIRE(left.size() == 1);  // the last: the next run's seqs go on from it
    CHECK(left[0].seq == 32);
    CHECK(s->recover(10, t0 + 11 * day).max_seq == 32);
    // Two old events behind a newer one (a clock set back): they stay, in seq order.
    storage::batch late;
    late.events = {retention_event(33, old_day), retention_event(34, old_day)};
    s->write(late);
    everything.events_ms = new_day;
    everything.events_seq = 34;
    CHECK(rep.purge(events, everything, 10) == 0);
    CHECK(s->events(1, 100).size() == 3);
  }

  SUBCASE("facts: each table, and the intervals before the cut become final") {
    rep.mark_dirty(old_day, old_day + q15);  // a rebuild asked for before: its mark goes with the facts
    cut.facts_ms = t0 + 5 * day;
    CHECK(drain(rep, storage::retention_family::facts, cut, 2) == 6);
    CHECK(rep.final_before() == cut.facts_ms);
    CHECK(rep.dirty(100).empty());
    CHECK(rep.queue_entries(old_days, 10).empty());
    CHECK(rep.agent_states(old_days, 10).empty());
    CHECK(rep.interactions(old_days, 10).empty());
    CHECK(rep.queue_entries(new_days, 10).size() == 1);
    CHECK(rep.agent_states(new_days, 10).size() == 2);
    CHECK(rep.interactions(new_days, 10).size() == 1);
    // A rebuild over both days marks only the intervals from the cut on, and the old day's
    // rows are what they were: aggregating a final interval leaves them.
    CHECK(rep.mark_dirty(old_day, new_day + q15) == static_cast<std::size_t>((new_day + q15 - cut.facts_ms) / q15));
    rep.aggregate(old_day);
    for (auto d : rep.dirty(1000))
      rep.aggregate(d);
    CHECK(rep.dirty(1000).empty());
    CHECK(aggregate_text(rep, old_days) == old_aggregates);
    CHECK(aggregate_text(rep, new_days) == new_aggregates);
    // A later cut moves final_before on, an earlier one never back.
    cut.facts_ms = t0 + 2 * day;
    CHECK(drain(rep, storage::retention_family::facts, cut, 2) == 0);
    CHECK(rep.final_before() == t0 + 5 * day);
  }

  SUBCASE("attempt rows and denials: by the time they were dialed or made") {
    ob.insert_attempts({retention_attempt(1, old_day + 60'000, false), retention_attempt(2, new_day, false)});
    ob.insert_attempts({retention_attempt(1, old_day + 60'000, true)});
    ob.insert_denials({{old_day + 5'000, "spring", 1, 9, "+15550009", "c9", "outside_window", "test"},
                       {new_day + 5'000, "spring", 1, 9, "+15550009", "c9", "outside_window", "test"}});
    cut.outbound_ms = t0 + 5 * day;
    CHECK(drain(rep, storage::retention_family::outbound, cut, 1) == 3);
    CHECK(ob.record_attempts(1, 0).empty());
    CHECK(ob.record_attempts(2, 0).size() == 1);
    auto denials = ob.denials(10);
    REQUIRE(denials.size() == 1);
    CHECK(denials[0].time_ms == new_day + 5'000);
  }

  SUBCASE("aggregates: the rows of the intervals before the cut") {
    cut.aggregates_ms = t0 + 5 * day;
    CHECK(drain(rep, storage::retention_family::aggregates, cut, 2) == 3);
    CHECK(aggregate_text(rep, old_days).empty());
    CHECK(aggregate_text(rep, new_days) == new_aggregates);
  }
}

TEST_CASE("reporting/retention: the cuts a configuration gives, and where retention runs") {
  auto center = [](const std::vector<std::string>& sets, const std::string& more = "") {
    return engine::parse_config(R"(
[[queues]]
name = "sales"
[[campaigns]]
name = "spring"
lists = ["spring"]
queue = "sales"
abandon_window_days = 60
)" + more,
                                "test", sets);
  };
  auto now = t0 + 15 * 3'600'000;  // 2026-01-05T15:00Z
  auto cfg = center({"reporting.facts_days=40", "reporting.aggregates_days=400"});
  auto cut = engine::retention_cut_at(cfg, now, 77);
  CHECK(cut.events_ms == t0 - 35 * day);  // the default, on the UTC day's start
  CHECK(cut.events_seq == 77);
  CHECK(cut.facts_ms == t0 - 40 * day);
  CHECK(cut.outbound_ms == t0 - 60 * day);  // compliance reads the campaign's 60 days back
  CHECK(cut.aggregates_ms == t0 - 400 * day);
  CHECK(engine::compliance_reach_ms(cfg) == 60 * day);
  // Without campaigns compliance still has its 31 days; facts kept longer keep attempts longer.
  auto plain = engine::parse_config("", "test", {"reporting.facts_days=400"});
  CHECK(engine::compliance_reach_ms(plain) == 31 * day);
  CHECK(engine::retention_cut_at(plain, now, 1).outbound_ms == t0 - 400 * day);
  // Reporting off: nothing waits for a fact writer. 0 days: kept forever.
  auto off = center({"reporting.enabled=false", "reporting.events_days=0", "reporting.facts_days=0",
                     "reporting.aggregates_days=0"});
  auto forever = engine::retention_cut_at(off, now, 77);
  CHECK(forever.events_ms == 0);
  CHECK(forever.facts_ms == 0);
  CHECK(forever.outbound_ms == 0);
  CHECK(forever.aggregates_ms == 0);
  CHECK(forever.events_seq > 77);

  // Retention runs on its own [[schedule]] entry: reporting.retention_cron's unless one is
  // configured.
  auto& entries = cfg.domain.outbound.schedule;
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].action == schedule_action::retention);
  CHECK(entries[0].cron == "40 3 * * *");
  CHECK(entries[0].zone == "UTC");
  auto own = center({}, "[[schedule]]\ncron = \"15 2 * * 0\"\nzone = \"Europe/Berlin\"\naction = \"retention\"\n");
  REQUIRE(own.domain.outbound.schedule.size() == 1);
  CHECK(own.domain.outbound.schedule[0].zone == "Europe/Berlin");
  CHECK(center({"reporting.retention_cron=\"\""}).domain.outbound.schedule.empty());

  // What is refused, with the reason.
  auto refused = [&](const std::vector<std::string>& sets, const std::string& more, const std::string& why) {
    try {
      center(sets, more);
      FAIL("accepted: " << more);
    } catch (const engine::config_error& e) {
      CHECK_MESSAGE(std::string{e.what()}.find(why) != std::string::npos, e.what());
    }
  };
  refused({"reporting.facts_days=400", "reporting.aggregates_days=300"}, "", "keeps aggregates for less time");
  refused({"reporting.facts_days=0"}, "", "keeps aggregates for less time");
  refused({"reporting.retention_cron=\"61 * * * *\""}, "", "reporting.retention_cron");
  refused({}, "[[schedule]]\ncron = \"0 3 * * *\"\naction = \"retention\"\ncampaign = \"spring\"\n",
          "retention takes cron and zone only");
}

TEST_CASE_TEMPLATE("the VQ event log: stored with the batch, read from a seq, recovered, retained by its cut", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto s = db->migrated();
  auto vq = [](std::uint64_t seq, std::int64_t t) {
    storage::vq_event_row e;
    e.seq = seq;
    e.engine_ms = t;
    e.kind = static_cast<std::uint8_t>(seq % 4);
    e.tenant = "acme";
    e.vq = seq % 2 ? "sales" : "support";
    e.iid = 1000 + seq;
    e.agent = seq % 4 == 1 ? "ann\t\"x\"\n" : "";  // what COPY must escape
    e.reason = seq % 4 == 3 ? "overflow" : "";
    return e;
  };
  auto text = [](const storage::vq_event_row& e) {
    return nlohmann::json{e.seq, e.engine_ms, e.kind, e.tenant, e.vq, e.iid, e.agent, e.reason}.dump();
  };
  storage::batch b;
  for (std::uint64_t i = 1; i <= 12; ++i)
    b.vq_events.push_back(vq(i, (i <= 6 ? t0 : t0 + 10 * day) + static_cast<std::int64_t>(i)));
  b.events.push_back(retention_event(1, t0));  // the reporting log beside it, its own seq
  s->write(b);
  auto all = s->vq_events(1, 100);
  REQUIRE(all.size() == 12);
  for (std::size_t i = 0; i < all.size(); ++i)
    CHECK(text(all[i]) == text(b.vq_events[i]));
  auto page = s->vq_events(5, 3);
  REQUIRE(page.size() == 3);
  CHECK(page.front().seq == 5);
  CHECK(page.back().seq == 7);
  CHECK(s->vq_events(13, 10).empty());
  auto rec = s->recover(10, t0 + 11 * day);
  CHECK(rec.max_vq_seq == 12);
  CHECK(rec.max_seq == 1);

  // A batch that fails leaves none of its VQ events (one transaction): seq 12 again.
  storage::batch dup;
  dup.vq_events.push_back(vq(13, t0));
  dup.vq_events.push_back(vq(12, t0));
  CHECK_THROWS_AS(s->write(dup), storage::storage_error);
  CHECK(s->vq_events(1, 100).size() == 12);

  auto& rep = s->reporting();
  storage::retention_cut cut;
  auto family = storage::retention_family::vq_events;
  CHECK(rep.purge(family, cut, 10) == 0);  // no cut: nothing goes
  cut.events_ms = t0 + 5 * day;
  cut.vq_seq = 4;  // the export has appended this far
  CHECK(drain(rep, family, cut, 3) == 4);
  CHECK(s->vq_events(1, 100).front().seq == 5);
  cut.vq_seq = std::numeric_limits<std::uint64_t>::max();  // no export
  CHECK(drain(rep, family, cut, 3) == 2);  // the rest of the old day, not past a newer one
  cut.events_ms = t0 + 100 * day;
  CHECK(drain(rep, family, cut, 4) == 5);
  auto left = s->vq_events(1, 100);
  REQUIRE(left.size() == 1);  // the last: the next run's seqs go on from it
  CHECK(left[0].seq == 12);
  CHECK(s->events(1, 10).size() == 1);  // the reporting log is another family
}
