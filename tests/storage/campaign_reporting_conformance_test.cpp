// Campaign reporting (docs/reporting.md "Campaign measures") on every backend: the attempt
// log's result rows and the denials, followed by id, give exact 15-minute campaign rows; a
// result that comes in late re-dirties the interval it was dialed in, and the incremental
// rows equal a rebuild; Campaign Summary and Campaign Compliance show them, the compliance
// figures equal `campaign audit`'s, and a tenant sees its own campaigns only.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "engine/reports.hpp"
#include "fresh_database.hpp"

using namespace parley;

namespace {

constexpr std::int64_t t0 = 1'796'133'600'000;  // 2026-12-01T14:00:00Z, a quarter's start
constexpr std::int64_t q15 = storage::interval_ms;
constexpr std::int64_t s = 1'000;

engine::config campaigns_config() {
  return engine::parse_config(R"(
[[queues]]
name = "sales"
tenant = "acme"
[[queues]]
name = "other"
[[campaigns]]
name = "spring"
lists = ["spring"]
queue = "sales"
max_abandon_rate = 0.05
[[campaigns]]
name = "fall"
lists = ["fall"]
queue = "other"
abandon_window_days = 7
)",
                              "test", {"stats.reset_time_zone=\"UTC\""});
}

storage::attempt_row dial(const std::string& campaign, std::uint64_t record, std::int64_t at) {
  storage::attempt_row a;
  a.record_id = record;
  a.list_id = 1;
  a.chain_id = record;
  a.customer_id = "c" + std::to_string(record);
  a.phone = "+1555000" + std::to_string(record);
  a.campaign = campaign;
  a.started_ms = at;
  return a;
}

storage::attempt_row result(storage::attempt_row a, storage::call_result r, std::int64_t answered,
                            std::int64_t connected, std::int64_t ended, bool abandoned = false) {
  a.call_result = static_cast<std::uint8_t>(r);
  a.answered_ms = answered;
  a.connected_ms = connected;
  a.ended_ms = ended;
  a.abandoned = abandoned;
  return a;
}

storage::denial_row denial(const std::string& campaign, std::int64_t at, const std::string& reason) {
  return {at, campaign, 1, 99, "+15550099", "c99", reason, "test"};
}

std::vector<std::string> rows_text(storage::reporting_store& rep) {
  storage::agg_filter all{t0 - q15, t0 + 4 * q15, {}, {}};
  std::vector<std::string> out;
  for (auto& a : rep.campaign_aggs(all))
    out.push_back(nlohmann::json{a.interval_ms - t0, a.campaign, a.dialed, a.answered, a.abandoned, a.connected,
                                 a.connected_in_2s, a.connect_ms, a.talk_ms}
                    .dump());
  for (auto& c : rep.campaign_results(all))
    out.push_back(nlohmann::json{"result", c.interval_ms - t0, c.campaign, c.key, c.n}.dump());
  for (auto& c : rep.campaign_denials(all))
    out.push_back(nlohmann::json{"denial", c.interval_ms - t0, c.campaign, c.key, c.n}.dump());
  return out;
}

void fold_and_aggregate(storage::reporting_store& rep) {
  while (rep.fold_outbound(2) >= 2) {
  }
}

nlohmann::json column(const engine::report_table& t, std::size_t row, const std::string& name) {
  for (std::size_t c = 0; c < t.columns.size(); ++c)
    if (t.columns[c] == name)
      return t.rows.at(row).at(c);
  FAIL("no column " << name);
  return nullptr;
}

} // namespace

TEST_CASE_TEMPLATE("reporting/campaigns: exact 15-minute rows from the attempt log, late results, rebuild, reports", B,
                   PARLEY_BACKENDS) {
  auto db = B::make();
  if (!db)
    return;
  auto st = db->migrated();
  auto& ob = st->outbound();
  auto& rep = st->reporting();
  using R = storage::call_result;
  auto a1 = dial("spring", 1, t0 + 60 * s), a2 = dial("spring", 2, t0 + 120 * s),
       a3 = dial("spring", 3, t0 + 180 * s), a4 = dial("spring", 4, t0 + q15 - 10 * s),
       a5 = dial("spring", 5, t0 + q15 + 60 * s), a6 = dial("fall", 6, t0 + 61 * s);
  // First: every dial row, three results and two denials.
  ob.insert_attempts({a1, a2, a3, a4, a6});
  ob.insert_attempts({result(a1, R::answer, t0 + 65 * s, t0 + 66 * s, t0 + 200 * s),      // agent in 1 s
                      result(a2, R::answer, t0 + 130 * s, t0 + 133 * s, t0 + 300 * s),     // in 3 s
                      result(a6, R::answering_machine, 0, 0, t0 + 90 * s)});
  ob.insert_denials({denial("spring", t0 + 10 * s, "outside_window"), denial("fall", t0 + 20 * s, "suppressed_phone")});
  fold_and_aggregate(rep);
  CHECK(rep.dirty(100).empty());
  // Then the rest: an abandoned answer, a result that ends in the next quarter but counts in
  // the one it was dialed in (late: added to that interval's rows), a busy.
  ob.insert_attempts({a5, result(a3, R::dropped, t0 + 185 * s, 0, t0 + 187 * s, true),
                      result(a4, R::no_answer, 0, 0, t0 + q15 + 20 * s),
                      result(a5, R::busy, 0, 0, t0 + q15 + 65 * s)});
  ob.insert_denials({denial("spring", t0 + q15 + 30 * s, "abandon_rate")});
  CHECK(rep.fold_outbound(100) == 5);
  CHECK(rep.dirty(100).empty());  // added as they were read: nothing to recompute
  CHECK(rep.fold_outbound(100) == 0);

  auto incremental = rows_text(rep);
  CHECK(incremental == std::vector<std::string>{
                         // interval, campaign, dialed, answered, abandoned, connected, in 2 s, connect, talk
                         R"([0,"fall",1,0,0,0,0,0,0])",
                         R"([0,"spring",4,3,1,2,1,4000,301000])",
                         R"([900000,"spring",1,0,0,0,0,0,0])",
                         R"(["result",0,"fall","4",1])",
                         R"(["result",0,"spring","1",2])",
                         R"(["result",0,"spring","3",1])",
                         R"(["result",0,"spring","7",1])",
                         R"(["result",900000,"spring","2",1])",
                         R"(["denial",0,"fall","suppressed_phone",1])",
                         R"(["denial",0,"spring","outside_window",1])",
                         R"(["denial",900000,"spring","abandon_rate",1])",
                       });
  // A rebuild of the range from the attempt log alone gives the same rows.
  CHECK(rep.mark_dirty(t0 - q15, t0 + 4 * q15) == 5);
  for (auto d : rep.dirty(100))
    rep.aggregate(d);
  CHECK(rows_text(rep) == incremental);

  auto cfg = campaigns_config();
  engine::report_request req;
  req.name = "campaign-summary";
  req.from = "2026-12-01";
  req.tz = "UTC";
  auto day = engine::run_report(rep, req, cfg);
  REQUIRE(day.rows.size() == 2);
  CHECK(column(day, 0, "campaign") == "fall");
  CHECK(column(day, 0, "tenant") == "default");
  CHECK(column(day, 0, "result_answering_machine") == 1);
  CHECK(column(day, 0, "denied_suppressed_phone") == 1);
  CHECK(column(day, 1, "campaign") == "spring");
  CHECK(column(day, 1, "tenant") == "acme");
  CHECK(column(day, 1, "dialed") == 5);
  CHECK(column(day, 1, "answered") == 3);
  CHECK(column(day, 1, "answer_rate") == 60.0);
  CHECK(column(day, 1, "abandoned") == 1);
  CHECK(column(day, 1, "abandon_rate") == 33.3);
  CHECK(column(day, 1, "connected") == 2);
  CHECK(column(day, 1, "connected_in_2s") == 1);
  CHECK(column(day, 1, "avg_connect_s") == 2.0);
  CHECK(column(day, 1, "avg_talk_s") == 150.5);
  CHECK(column(day, 1, "result_answer") == 2);
  CHECK(column(day, 1, "result_no_answer") == 1);
  CHECK(column(day, 1, "result_busy") == 1);
  CHECK(column(day, 1, "result_dropped") == 1);
  CHECK(column(day, 1, "denied") == 2);
  CHECK(column(day, 1, "denied_abandon_rate") == 1);
  req.by = "15m";
  CHECK(engine::run_report(rep, req, cfg).rows.size() == 3);
  req.tenants = {"acme"};
  req.by = "day";
  auto acme = engine::run_report(rep, req, cfg);
  REQUIRE(acme.rows.size() == 1);
  CHECK(column(acme, 0, "campaign") == "spring");

  // Compliance: each campaign's window ending at the day's end, as `campaign audit` counts.
  req.name = "campaign-compliance";
  req.tenants = {};
  auto c = engine::run_report(rep, req, cfg);
  REQUIRE(c.rows.size() == 2);
  auto end = t0 + 10 * 3600 * s;  // 2026-12-02T00:00Z
  auto audit = ob.audit("spring", end - 30 * 24 * 3600 * s, end);
  CHECK(column(c, 1, "campaign") == "spring");
  CHECK(column(c, 1, "window_days") == 30.0);
  CHECK(column(c, 1, "attempts") == audit.attempts);
  CHECK(column(c, 1, "answered") == audit.answered);
  CHECK(column(c, 1, "abandoned") == audit.abandoned);
  CHECK(column(c, 1, "connected") == audit.connected);
  CHECK(column(c, 1, "connected_in_2s") == audit.connected_in_2s);
  CHECK(audit.attempts == 5);
  CHECK(audit.answered == 3);
  CHECK(audit.connected_in_2s == 1);
  CHECK(column(c, 1, "abandon_rate") == 33.3);
  CHECK(column(c, 1, "max_rate") == 5.0);
  CHECK(column(c, 1, "within_cap") == false);
  CHECK(column(c, 1, "in_2s_of_answered") == 33.3);
  CHECK(column(c, 0, "campaign") == "fall");
  CHECK(column(c, 0, "window_days") == 7.0);
  CHECK(column(c, 0, "answered") == 0);
  CHECK(column(c, 0, "within_cap") == true);
  // The next days still see the calls (a rolling window); fall's 7 days end before spring's 30.
  req.from = "2026-12-08";
  req.to = "2026-12-10";
  auto later = engine::run_report(rep, req, cfg);
  REQUIRE(later.rows.size() == 2);
  CHECK(column(later, 0, "campaign") == "spring");
  CHECK(column(later, 1, "campaign") == "spring");
  CHECK(column(later, 1, "attempts") == 5);
}
