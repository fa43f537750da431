// The pre-dial decision as pure functions: suppression, the local calling window in the
// record's IANA zone (across DST changes, with exact instants written down), attempt caps
// and the campaign abandon rate. Times are built from UTC calendar dates.
#include <doctest/doctest.h>

#include <date/date.h>

#include "actors/outbound/compliance.hpp"

using namespace parley;
using namespace parley::outbound;
using namespace std::chrono_literals;

namespace {

/// Milliseconds since the epoch of a UTC date and time.
std::int64_t utc(int y, unsigned m, unsigned d, int hh, int mm = 0) {
  auto t = date::sys_days{date::year{y} / m / d} + std::chrono::hours{hh} + std::chrono::minutes{mm};
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

storage::record_row in_zone(const std::string& tz, std::int32_t from = 0, std::int32_t till = 86400) {
  storage::record_row r;
  r.phone = "+15550100";
  r.customer_id = "c1";
  r.tz = tz;
  r.daily_from_s = from;
  r.daily_till_s = till;
  return r;
}

decision window(const std::string& tz, std::int64_t now, std::int32_t from = 0,
                std::int32_t till = 86400) {
  return check_window(in_zone(tz, from, till), calling_window{}, now);
}

constexpr std::int32_t h(int hours, int minutes = 0) {
  return hours * 3600 + minutes * 60;
}

} // namespace

TEST_CASE("compliance: 22:00 local is denied and 10:00 local allowed at the same instant") {
  // 2026-11-23 09:00 UTC is 10:00 in Berlin (CET, +1) and 22:00 in Auckland (NZDT, +13).
  auto now = utc(2026, 11, 23, 9);
  CHECK(local_seconds("Europe/Berlin", now) == h(10));
  CHECK(local_seconds("Pacific/Auckland", now) == h(22));
  CHECK(window("Europe/Berlin", now).allowed());
  auto d = window("Pacific/Auckland", now);
  CHECK(d.reason == deny_reason::outside_window);
  CHECK(d.detail == "22:00:00 local in Pacific/Auckland, window 08:00:00-21:00:00");
  CHECK(d.retry_ms == utc(2026, 11, 23, 19));  // 2026-11-24 08:00 NZDT
  // And the other way round at 21:00 UTC: Berlin 22:00 (denied), New York 16:00 (allowed).
  auto evening = utc(2026, 11, 23, 21);
  CHECK(window("Europe/Berlin", evening).reason == deny_reason::outside_window);
  CHECK(window("Europe/Berlin", evening).retry_ms == utc(2026, 11, 24, 7));
  CHECK(window("America/New_York", evening).allowed());
  // The window's ends: from is in, till is out.
  CHECK(window("UTC", utc(2026, 11, 23, 8)).allowed());
  CHECK_FALSE(window("UTC", utc(2026, 11, 23, 21)).allowed());
  CHECK(window("UTC", utc(2026, 11, 23, 20, 59)).allowed());
}

TEST_CASE("compliance: the record's own window narrows the campaign's") {
  auto now = utc(2026, 11, 23, 12);  // 12:00 UTC
  CHECK(window("UTC", now, h(9), h(12)).reason == deny_reason::outside_window);
  CHECK(window("UTC", now, h(9), h(12)).detail == "12:00:00 local in UTC, window 09:00:00-12:00:00");
  CHECK(window("UTC", now, h(13), h(17)).retry_ms == utc(2026, 11, 23, 13));
  CHECK(window("UTC", now, h(11, 59), h(23)).allowed());
  auto empty = window("UTC", now, h(22), h(23));  // 22:00-21:00 after intersection
  CHECK(empty.detail.find("(empty)") != std::string::npos);
  CHECK(empty.retry_ms == 0);
  CHECK(window("Nowhere/Atlantis", now).reason == deny_reason::unknown_zone);
}

TEST_CASE("compliance: America/New_York across the spring-forward gap (2026-03-08)") {
  // Clocks jump from 02:00 EST (07:00 UTC) to 03:00 EDT.
  // 12:30 UTC is 07:30 EST the day before (denied), 08:30 EDT on the day (allowed).
  CHECK(local_seconds("America/New_York", utc(2026, 3, 7, 12, 30)) == h(7, 30));
  CHECK(window("America/New_York", utc(2026, 3, 7, 12, 30)).retry_ms == utc(2026, 3, 7, 13));
  CHECK(local_seconds("America/New_York", utc(2026, 3, 8, 12, 30)) == h(8, 30));
  CHECK(window("America/New_York", utc(2026, 3, 8, 12, 30)).allowed());
  // At 01:30 EST (06:30 UTC) the 08:00 opening is 08:00 EDT = 12:00 UTC, not 13:00.
  auto early = window("America/New_York", utc(2026, 3, 8, 6, 30));
  CHECK(early.detail == "01:30:00 local in America/New_York, window 08:00:00-21:00:00");
  CHECK(early.retry_ms == utc(2026, 3, 8, 12));
  // A record window that opens at 02:30, a local time that does not exist that day: it
  // opens at the transition, 03:00 EDT = 07:00 UTC; 07:10 UTC (03:10 EDT) is inside.
  storage::record_row night = in_zone("America/New_York", h(2, 30), h(5));
  calling_window all_day{0, 86400};
  CHECK(check_window(night, all_day, utc(2026, 3, 8, 6, 30)).retry_ms == utc(2026, 3, 8, 7));
  CHECK(check_window(night, all_day, utc(2026, 3, 8, 7, 10)).allowed());
}

TEST_CASE("compliance: America/New_York across the fall-back repeat (2026-11-01)") {
  // Clocks go from 02:00 EDT (06:00 UTC) back to 01:00 EST: 01:00-02:00 happens twice.
  CHECK(window("America/New_York", utc(2026, 10, 31, 12, 30)).allowed());  // 08:30 EDT
  auto d = window("America/New_York", utc(2026, 11, 1, 12, 30));           // 07:30 EST
  CHECK(d.detail == "07:30:00 local in America/New_York, window 08:00:00-21:00:00");
  CHECK(d.retry_ms == utc(2026, 11, 1, 13));
  // A record window of 01:00-01:45 local is open in both 01:30s and closed at both 01:50s.
  storage::record_row r = in_zone("America/New_York", h(1), h(1, 45));
  calling_window all_day{0, 86400};
  CHECK(check_window(r, all_day, utc(2026, 11, 1, 5, 30)).allowed());  // 01:30 EDT
  CHECK(check_window(r, all_day, utc(2026, 11, 1, 6, 30)).allowed());  // 01:30 EST
  auto first = check_window(r, all_day, utc(2026, 11, 1, 5, 50));      // 01:50 EDT
  CHECK(first.reason == deny_reason::outside_window);
  CHECK(first.retry_ms == utc(2026, 11, 1, 6));  // the repeated 01:00, now EST
  auto second = check_window(r, all_day, utc(2026, 11, 1, 6, 50));     // 01:50 EST
  CHECK(second.retry_ms == utc(2026, 11, 2, 6));  // 01:00 EST the next day
}

TEST_CASE("compliance: suppression first, then window, attempt caps, abandon rate") {
  auto now = utc(2026, 11, 23, 15);  // 15:00 UTC
  auto r = in_zone("UTC");
  compliance_rules rules;
  check_input in;
  in.record = &r;
  in.now_ms = now;
  CHECK(check(in, rules).allowed());
  CHECK(std::string{to_name(check(in, rules).reason)} == "allowed");

  in.phone_suppressed = in.customer_suppressed = true;
  CHECK(check(in, rules).reason == deny_reason::suppressed_phone);
  CHECK(check(in, rules).detail == "+15550100 is on the do-not-call list");
  in.phone_suppressed = false;
  CHECK(check(in, rules).reason == deny_reason::suppressed_customer);
  in.customer_suppressed = false;

  // N attempts in H hours per record: 3 in 24 h.
  rules.max_record_attempts = 3;
  std::int64_t hour = 3'600'000;
  std::vector<std::int64_t> rec{now - 25 * hour, now - 10 * hour, now - hour};
  in.record_attempts = rec;
  CHECK(check(in, rules).allowed());  // 2 inside the period
  rec.push_back(now - 5 * 60'000);
  in.record_attempts = rec;
  auto d = check(in, rules);
  CHECK(d.reason == deny_reason::record_attempts);
  CHECK(d.detail == "3 attempt(s) on this record in 24 h, cap 3");
  rules.record_period = 1h;  // only the last one counts now
  CHECK(check(in, rules).allowed());

  // Per customer: 5 in 2 h over every record of the customer.
  rules.max_customer_attempts = 5;
  rules.customer_period = 2h;
  std::vector<std::int64_t> cust(5, now - hour);
  in.customer_attempts = cust;
  CHECK(check(in, rules).reason == deny_reason::customer_attempts);
  cust[0] = now - 3 * hour;
  in.customer_attempts = cust;
  CHECK(check(in, rules).allowed());

  // Abandon rate over the campaign's window: at most 3 %.
  in.abandon = {100, 3};
  CHECK(check(in, rules).allowed());
  in.abandon = {100, 4};
  CHECK(check(in, rules).reason == deny_reason::abandon_rate);
  CHECK(check(in, rules).detail == "campaign abandon rate 4.00 % (4 of 100) is over 3.00 %");
  in.abandon = {0, 0};
  CHECK(check(in, rules).allowed());

  // The window comes before the caps: 22:00 local.
  in.abandon = {100, 50};
  in.now_ms = utc(2026, 11, 23, 22);
  CHECK(check(in, rules).reason == deny_reason::outside_window);
}

TEST_CASE("abandon window: answers and abandons per hour, older hours dropped as it moves") {
  abandon_window w;
  const std::int64_t h = 3'600'000;
  w.add(10 * h, false);
  w.add(10 * h + 5, true);
  w.add(12 * h, false);
  auto all = w.over(12 * h + 1, std::chrono::minutes{3 * 60});
  CHECK(all.answered == 3);
  CHECK(all.abandoned == 1);
  CHECK(all.rate() == doctest::Approx(1.0 / 3));
  auto recent = w.over(12 * h + 1, std::chrono::minutes{60});  // hour 10 is out
  CHECK(recent.answered == 1);
  CHECK(recent.abandoned == 0);
  CHECK(w.over(12 * h + 1, std::chrono::minutes{3 * 60}).answered == 1);  // it was dropped
}
