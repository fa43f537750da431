// Cron schedules: parse errors name their field, every syntax form, firings across month
// and year ends, the day-of-month / day-of-week rule, Feb 29, and DST in New York and
// Berlin (skipped local times fire at the transition, repeated ones once). Expectations
// are written as local wall-clock strings with the zone's abbreviation.
#include <doctest/doctest.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <date/tz.h>

#include "actors/outbound/cron.hpp"

using parley::outbound::cron_schedule;

namespace {

/// "YYYY-MM-DD HH:MM" local in `zone` (the earlier instant when ambiguous) as UTC ms.
std::int64_t at(const std::string& zone, const std::string& local) {
  std::istringstream in{local};
  date::local_time<std::chrono::minutes> t;
  in >> date::parse("%F %R", t);
  REQUIRE(!in.fail());
  auto sys = date::locate_zone(zone)->to_sys(t, date::choose::earliest);
  return std::chrono::duration_cast<std::chrono::milliseconds>(sys.time_since_epoch()).count();
}

/// UTC ms as "YYYY-MM-DD HH:MM ABBR" local in `zone`.
std::string show(std::int64_t ms, const std::string& zone) {
  auto t = date::floor<std::chrono::minutes>(
    date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{ms}});
  return date::format("%F %R %Z", date::make_zoned(zone, t));
}

/// The first `n` firings of `expr` after local time `from`, shown in the zone.
std::vector<std::string> fires(const std::string& expr, const std::string& zone,
                               const std::string& from, int n = 1) {
  auto s = cron_schedule::parse(expr, zone);
  std::vector<std::string> out;
  for (auto t = at(zone, from); n-- > 0;) {
    t = s.next_after(t);
    out.push_back(show(t, zone));
  }
  return out;
}

using v = std::vector<std::string>;

std::string parse_error(const std::string& expr, const std::string& zone = "UTC") {
  try {
    (void)cron_schedule::parse(expr, zone);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(parsed)";
}

} // namespace

TEST_CASE("cron: parse errors name the field and the problem") {
  CHECK(parse_error("0 25 * * *") == "hour: 25 is out of 0-23");
  CHECK(parse_error("60 * * * *") == "minute: 60 is out of 0-59");
  CHECK(parse_error("0 0 0 * *") == "day of month: 0 is out of 1-31");
  CHECK(parse_error("0 0 * 13 *") == "month: 13 is out of 1-12");
  CHECK(parse_error("0 0 * * 8") == "day of week: 8 is out of 0-7");
  CHECK(parse_error("0 0 * foo *") == "month: \"foo\" is not a number or name");
  CHECK(parse_error("0 0 * * mon-funday") == "day of week: \"funday\" is not a number or name");
  CHECK(parse_error("1x * * * *") == "minute: \"1x\" is not a number");
  CHECK(parse_error("*/0 * * * *") == "minute: a step of 0");
  CHECK(parse_error("0 17-9 * * *") == "hour: range 17-9 runs backwards");
  CHECK(parse_error("0 1,,2 * * *") == "hour: empty list item in \"1,,2\"");
  CHECK(parse_error("0 */x * * *") == "hour: step \"x\" is not a number");
  CHECK(parse_error("0 0 30 feb *") == "day of month: \"30\" never occurs in month \"feb\"");
  CHECK(parse_error("0 0 * *").find("expected 5 fields") == 0);
  CHECK(parse_error("0 0 * * * *").find("got 6") != std::string::npos);
  CHECK(parse_error("").find("expected 5 fields") == 0);
  CHECK(parse_error("@fortnightly").find("unknown macro \"@fortnightly\"") == 0);
  CHECK(parse_error("0 0 * * *", "Mars/Olympus_Mons") == "unknown time zone \"Mars/Olympus_Mons\"");
  CHECK(parse_error("0 0 31 jan,feb *") == "(parsed)"); // the 31st exists in January
}

TEST_CASE("cron: every syntax form") {
  CHECK(fires("* * * * *", "UTC", "2026-05-04 10:00", 2)
        == v{"2026-05-04 10:01 UTC", "2026-05-04 10:02 UTC"});
  CHECK(fires("0 8,12,18 * * *", "UTC", "2026-05-04 09:00", 3)
        == v{"2026-05-04 12:00 UTC", "2026-05-04 18:00 UTC", "2026-05-05 08:00 UTC"});
  CHECK(fires("*/15 * * * *", "UTC", "2026-05-04 10:50", 3)
        == v{"2026-05-04 11:00 UTC", "2026-05-04 11:15 UTC", "2026-05-04 11:30 UTC"});
  CHECK(fires("30 8-18/4 * * *", "UTC", "2026-05-04 09:00", 3)
        == v{"2026-05-04 12:30 UTC", "2026-05-04 16:30 UTC", "2026-05-05 08:30 UTC"});
  CHECK(fires("50/5 * * * *", "UTC", "2026-05-04 10:52", 3) // a/n: from a to the end
        == v{"2026-05-04 10:55 UTC", "2026-05-04 11:50 UTC", "2026-05-04 11:55 UTC"});
  // 2026-05-04 is a Monday; mon-fri with names in any case.
  CHECK(fires("0 9 * * MON-fri", "UTC", "2026-05-08 10:00", 2)
        == v{"2026-05-11 09:00 UTC", "2026-05-12 09:00 UTC"});
  CHECK(fires("0 0 1 jan,Jul *", "UTC", "2026-02-01 00:00", 2)
        == v{"2026-07-01 00:00 UTC", "2027-01-01 00:00 UTC"});
  // 0 and 7 are both Sunday; 5-7 is Friday to Sunday.
  CHECK(fires("0 0 * * 7", "UTC", "2026-05-04 00:00") == fires("0 0 * * 0", "UTC", "2026-05-04 00:00"));
  CHECK(fires("0 0 * * 0", "UTC", "2026-05-04 00:00") == v{"2026-05-10 00:00 UTC"});
  CHECK(fires("0 12 * * 5-7", "UTC", "2026-05-04 00:00", 4)
        == v{"2026-05-08 12:00 UTC", "2026-05-09 12:00 UTC", "2026-05-10 12:00 UTC",
             "2026-05-15 12:00 UTC"});
  CHECK(fires("@hourly", "UTC", "2026-05-04 10:00") == v{"2026-05-04 11:00 UTC"});
  CHECK(fires("@daily", "UTC", "2026-05-04 10:00") == v{"2026-05-05 00:00 UTC"});
  CHECK(fires("@midnight", "UTC", "2026-05-04 10:00") == v{"2026-05-05 00:00 UTC"});
  CHECK(fires("@weekly", "UTC", "2026-05-04 10:00") == v{"2026-05-10 00:00 UTC"});
  CHECK(fires("@monthly", "UTC", "2026-05-04 10:00") == v{"2026-06-01 00:00 UTC"});
  CHECK(fires("@yearly", "UTC", "2026-05-04 10:00") == v{"2027-01-01 00:00 UTC"});
  CHECK(fires("@annually", "UTC", "2026-05-04 10:00") == v{"2027-01-01 00:00 UTC"});
  CHECK(cron_schedule::parse("@weekly", "UTC").text() == "@weekly");
  CHECK(cron_schedule::parse("0 9 * * 1", "Europe/Paris").zone_name() == "Europe/Paris");
}

TEST_CASE("cron: next_after is strictly after, across month and year ends") {
  auto s = cron_schedule::parse("0 9 * * *", "UTC");
  auto nine = at("UTC", "2026-05-04 09:00");
  CHECK(s.next_after(nine) == at("UTC", "2026-05-05 09:00"));
  CHECK(s.next_after(nine - 1) == nine);
  CHECK(fires("0 0 * * *", "UTC", "2026-12-31 23:59") == v{"2027-01-01 00:00 UTC"});
  CHECK(fires("59 23 31 * *", "UTC", "2026-04-01 00:00", 2) // April has no 31st
        == v{"2026-05-31 23:59 UTC", "2026-07-31 23:59 UTC"});
  CHECK(fires("0 0 1 * *", "UTC", "2026-12-15 00:00") == v{"2027-01-01 00:00 UTC"});
  CHECK(fires("0 6 30 * *", "UTC", "2027-01-31 00:00", 2) // no 30th in February
        == v{"2027-03-30 06:00 UTC", "2027-04-30 06:00 UTC"});
}

TEST_CASE("cron: day of month OR day of week when both are restricted") {
  // 2026-02-01 is a Sunday: the 1st matches by day of month, the 2nd by Monday.
  CHECK(fires("0 9 1 * mon", "UTC", "2026-01-31 12:00", 3)
        == v{"2026-02-01 09:00 UTC", "2026-02-02 09:00 UTC", "2026-02-09 09:00 UTC"});
  // Fridays or the 13th: 2026-02-06 is a Friday, 2026-03-13 a Friday too.
  CHECK(fires("0 9 13 * fri", "UTC", "2026-02-01 00:00", 3)
        == v{"2026-02-06 09:00 UTC", "2026-02-13 09:00 UTC", "2026-02-20 09:00 UTC"});
  // A field starting with '*' is unrestricted: then both must match (Mondays on odd days).
  CHECK(fires("0 9 */2 * mon", "UTC", "2026-05-01 00:00", 2)
        == v{"2026-05-11 09:00 UTC", "2026-05-25 09:00 UTC"});
}

TEST_CASE("cron: February 29") {
  CHECK(fires("0 12 29 2 *", "UTC", "2026-01-01 00:00", 2)
        == v{"2028-02-29 12:00 UTC", "2032-02-29 12:00 UTC"});
  // Or-rule in February only: Mondays of February or the 29th (2028-02-29 is a Tuesday).
  CHECK(fires("0 0 29 feb mon", "UTC", "2028-02-26 00:00", 3)
        == v{"2028-02-28 00:00 UTC", "2028-02-29 00:00 UTC", "2029-02-05 00:00 UTC"});
}

TEST_CASE("cron: New York spring forward — 02:30 on 2026-03-08 does not exist") {
  const std::string ny = "America/New_York";
  CHECK(fires("30 2 * * *", ny, "2026-03-07 12:00", 3)
        == v{"2026-03-08 03:00 EDT", "2026-03-09 02:30 EDT", "2026-03-10 02:30 EDT"});
  // Every quarter hour: the four skipped ones fire once, at the transition.
  CHECK(fires("*/15 * * * *", ny, "2026-03-08 01:30", 4)
        == v{"2026-03-08 01:45 EST", "2026-03-08 03:00 EDT", "2026-03-08 03:15 EDT",
             "2026-03-08 03:30 EDT"});
  // The transition instant is 07:00 UTC.
  auto s = cron_schedule::parse("30 2 8 3 *", ny);
  CHECK(show(s.next_after(at("UTC", "2026-03-01 00:00")), "UTC") == "2026-03-08 07:00 UTC");
}

TEST_CASE("cron: New York fall back — 01:30 on 2026-11-01 happens twice, fires once") {
  const std::string ny = "America/New_York";
  CHECK(fires("30 1 * * *", ny, "2026-10-31 12:00", 2)
        == v{"2026-11-01 01:30 EDT", "2026-11-02 01:30 EST"});
  auto s = cron_schedule::parse("30 1 * * *", ny);
  // Asked during the second 01:xx hour (EST): the next one is the next day.
  CHECK(show(s.next_after(at("UTC", "2026-11-01 06:10")), ny) == "2026-11-02 01:30 EST");
  CHECK(show(s.next_after(at("UTC", "2026-11-01 05:30")), ny) == "2026-11-02 01:30 EST");
  // Hourly: 01:00 EDT fires, the repeated 01:00 EST does not, 02:00 EST does.
  CHECK(fires("0 * * * *", ny, "2026-11-01 00:30", 3)
        == v{"2026-11-01 01:00 EDT", "2026-11-01 02:00 EST", "2026-11-01 03:00 EST"});
}

TEST_CASE("cron: Europe/Berlin across both 2026 transitions") {
  const std::string berlin = "Europe/Berlin";
  // 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
  CHECK(fires("30 2 * * *", berlin, "2026-03-28 12:00", 2)
        == v{"2026-03-29 03:00 CEST", "2026-03-30 02:30 CEST"});
  // 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 fires at its CEST instance.
  CHECK(fires("30 2 * * *", berlin, "2026-10-24 12:00", 2)
        == v{"2026-10-25 02:30 CEST", "2026-10-26 02:30 CET"});
  auto s = cron_schedule::parse("30 2 25 oct *", berlin);
  CHECK(show(s.next_after(at("UTC", "2026-10-01 00:00")), "UTC") == "2026-10-25 00:30 UTC");
  // Weekly Monday 09:00 local stays 09:00 local across the change (08:00 then 07:00 UTC).
  auto monday = cron_schedule::parse("0 9 * * mon", berlin);
  auto first = monday.next_after(at(berlin, "2026-03-25 00:00"));
  CHECK(show(first, "UTC") == "2026-03-30 07:00 UTC");
  CHECK(show(monday.next_after(at(berlin, "2026-03-20 00:00")), "UTC") == "2026-03-23 08:00 UTC");
}
