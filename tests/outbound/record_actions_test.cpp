// The agent's actions on the record of its call, as pure functions: what a desktop may set
// (dispositions, fields), when it may call back (local time in the record's zone, inside
// the calling hours, with the next allowed time when not), do-not-call, and what the
// record written back looks like (record_actions.hpp).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "actors/outbound/record_actions.hpp"

using namespace parley;
using namespace parley::outbound;
using storage::record_status;
using storage::record_type;

namespace {

campaign_config campaign() {
  campaign_config c;
  c.name = "spring";
  c.dispositions = {"sale", "no_sale"};
  c.rules.window = {9 * 3600, 20 * 3600};  // 09:00-20:00 local
  return c;
}

storage::record_row paris_record() {
  storage::record_row r;
  r.id = 5;
  r.list_id = 2;
  r.phone = "+33140000000";
  r.customer_id = "cust-5";
  r.tz = "Europe/Paris";
  r.custom = R"({"plan":"gold","note":"x"})";
  return r;
}

record_request ask(record_op op) {
  record_request q;
  q.op = static_cast<std::uint8_t>(op);
  q.agent = "ann";
  q.record = 5;
  return q;
}

std::int64_t utc(const char* text) {
  std::int64_t ms = 0;
  REQUIRE(parse_local_time(text, "UTC", ms));
  return ms;
}

} // namespace

TEST_CASE("update: a configured disposition and custom fields; anything else changes nothing") {
  auto c = campaign();
  auto r = paris_record();
  record_edits e;
  auto q = ask(record_op::update);
  q.disposition = "sale";
  q.fields = {{"plan", "platinum"}, {"note", ""}, {"renewal", "2027"}};
  auto t = take(c, r, q, 0, e);
  REQUIRE(t.error.empty());
  CHECK(t.detail == "disposition=sale plan=platinum note= renewal=2027");
  CHECK(e.disposition == "sale");

  SUBCASE("refused") {
    auto before = e;
    auto bad = ask(record_op::update);
    bad.disposition = "maybe";
    CHECK(take(c, r, bad, 0, e).error.find("\"maybe\" is not a disposition of campaign spring (sale, no_sale)") == 0);
    bad = ask(record_op::update);
    bad.fields = {{"phone", "+1"}};
    CHECK(take(c, r, bad, 0, e).error.find("record column") != std::string::npos);
    bad.fields = {{std::string(65, 'k'), "v"}};
    CHECK(!take(c, r, bad, 0, e).error.empty());
    bad.fields = {{"k", std::string(1025, 'v')}};
    CHECK(!take(c, r, bad, 0, e).error.empty());
    CHECK(!take(c, r, ask(record_op::update), 0, e).error.empty());  // nothing to update
    auto none = campaign();
    none.dispositions.clear();
    bad = ask(record_op::update);
    bad.disposition = "sale";
    CHECK(take(none, r, bad, 0, e).error.find("no dispositions configured") != std::string::npos);
    CHECK(e.disposition == before.disposition);
    CHECK(e.fields == before.fields);
  }

  auto out = r;
  CHECK(apply(e, out) == chain_effect::as_treated);
  CHECK(out.disposition == "sale");
  auto j = nlohmann::json::parse(out.custom);
  CHECK(j == nlohmann::json::parse(R"({"plan":"platinum","renewal":"2027"})"));
}

TEST_CASE("reschedule: a local time in the record's zone, inside the calling hours") {
  auto c = campaign();
  auto r = paris_record();
  auto now = utc("2026-12-04T12:00");
  record_edits e;
  auto q = ask(record_op::reschedule);
  q.personal = true;

  SUBCASE("personal, 10:30 Paris = 09:30 UTC the next day") {
    q.local_time = "2026-12-05T10:30";
    auto t = take(c, r, q, now, e);
    REQUIRE(t.error.empty());
    CHECK(t.detail == "2026-12-05T10:30 Europe/Paris personal");
    auto out = r;
    out.record_status = std::uint8_t(record_status::updated);
    out.chain_id = 9;
    CHECK(apply(e, out) == chain_effect::none);
    CHECK(out.record_status == std::uint8_t(record_status::ready));
    CHECK(out.record_type == std::uint8_t(record_type::personal_callback));
    CHECK(out.agent == "ann");
    CHECK(out.dial_sched_ms == utc("2026-12-05T09:30"));
  }
  SUBCASE("campaign callback, with seconds; summer time (UTC+2)") {
    q.personal = false;
    q.local_time = "2027-07-01T19:59:30";
    REQUIRE(take(c, r, q, now, e).error.empty());
    auto out = r;
    apply(e, out);
    CHECK(out.record_type == std::uint8_t(record_type::campaign_callback));
    CHECK(out.agent.empty());
    CHECK(out.dial_sched_ms == utc("2027-07-01T17:59:30"));
  }
  SUBCASE("outside the calling hours: refused with the next allowed local time") {
    q.local_time = "2026-12-05T20:15";
    auto t = take(c, r, q, now, e);
    CHECK(t.error.find("outside calling hours") == 0);
    CHECK(t.error.find("next allowed 2026-12-06T09:00 Europe/Paris") != std::string::npos);
    q.local_time = "2026-12-05T07:00";
    CHECK(take(c, r, q, now, e).error.find("next allowed 2026-12-05T09:00 Europe/Paris") != std::string::npos);
    // The record's own hours narrow the campaign's.
    r.daily_till_s = 12 * 3600;
    q.local_time = "2026-12-05T13:00";
    CHECK(take(c, r, q, now, e).error.find("next allowed 2026-12-06T09:00") != std::string::npos);
    CHECK(!e.rescheduled);
  }
  SUBCASE("passed, too far, not a time, no zone") {
    q.local_time = "2026-12-04T12:30";  // 11:30 UTC: passed
    CHECK(take(c, r, q, now, e).error.find("has passed") != std::string::npos);
    q.local_time = "2028-01-05T10:00";
    CHECK(take(c, r, q, now, e).error.find("366 days") != std::string::npos);
    for (auto bad : {"tomorrow", "2026-12-05 10:30", "2026-12-05T25:00", "2026-12-05T10:30Z", ""}) {
      CAPTURE(bad);
      q.local_time = bad;
      CHECK(take(c, r, q, now, e).error.find("is not YYYY-MM-DDTHH:MM") != std::string::npos);
    }
    r.tz.clear();
    q.local_time = "2026-12-05T10:30";
    CHECK(take(c, r, q, now, e).error == "the record has no time zone");
    CHECK(!e.rescheduled);
  }
}

TEST_CASE("do-not-call: the phone or the customer; it beats a reschedule and closes the chain") {
  auto c = campaign();
  auto r = paris_record();
  r.chain_id = 4;
  auto now = utc("2026-12-04T12:00");
  record_edits e;
  auto re = ask(record_op::reschedule);
  re.local_time = "2026-12-05T10:30";
  REQUIRE(take(c, r, re, now, e).error.empty());

  auto q = ask(record_op::do_not_call);
  q.reason = "asked on the call";
  auto t = take(c, r, q, now, e);
  REQUIRE(t.error.empty());
  CHECK(t.kind == "phone");
  CHECK(t.value == "+33140000000");
  CHECK(t.detail == "phone +33140000000: asked on the call");
  auto out = r;
  CHECK(apply(e, out) == chain_effect::next);  // the customer's other numbers may be called
  CHECK(out.record_status == std::uint8_t(record_status::cancelled));
  CHECK(out.record_type == std::uint8_t(record_type::no_call));
  CHECK(take(c, r, re, now, e).error == "the record is marked do-not-call");

  q.kind = "customer";
  t = take(c, r, q, now, e);
  CHECK(t.value == "cust-5");
  out = r;
  CHECK(apply(e, out) == chain_effect::close);
  q.kind = "email";
  CHECK(!take(c, r, q, now, e).error.empty());
  q.kind = "customer";
  r.customer_id.clear();
  CHECK(take(c, r, q, now, e).error == "the record has no customer id");
}

TEST_CASE("merge_custom keeps other fields and survives a custom column that is not an object") {
  CHECK(nlohmann::json::parse(merge_custom("{}", {{"a", "1"}})) == nlohmann::json{{"a", "1"}});
  CHECK(nlohmann::json::parse(merge_custom("", {{"a", "\"q\""}})) == nlohmann::json{{"a", "\"q\""}});
  CHECK(nlohmann::json::parse(merge_custom("[1]", {{"a", "1"}})) == nlohmann::json{{"a", "1"}});
  CHECK(merge_custom(R"({"a":"1"})", {{"a", ""}}) == "{}");
}

TEST_CASE("parse_local_time: a DST gap is the transition; local_text is the record's wall clock") {
  std::int64_t ms = 0;
  // 2027-03-28 02:30 does not exist in Paris (clocks go 02:00 -> 03:00 = 01:00 UTC).
  REQUIRE(parse_local_time("2027-03-28T02:30", "Europe/Paris", ms));
  CHECK(ms == utc("2027-03-28T01:00"));
  CHECK(local_text(utc("2026-12-05T09:30"), "Europe/Paris") == "2026-12-05T10:30");
  CHECK(local_text(utc("2026-12-05T09:30"), "Nowhere/Else") == "2026-12-05T09:30Z");
  CHECK_THROWS(parse_local_time("2026-12-05T10:30", "Nowhere/Else", ms));
}
