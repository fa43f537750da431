// cron: cron-like schedules in an IANA time zone, for the job scheduler (timed list
// imports, campaign start and stop). A schedule is parsed once when a job is configured
// (parse throws: configuration time only) and then asked, each time a job has fired, when it
// fires next. Pure: no clock, no I/O beyond the system tzdata that Howard Hinnant's date
// library (date::date-tz) loads on first use.
//
// Syntax: five fields "minute hour day-of-month month day-of-week", each `*`, a value, a
// range `a-b`, a step `*/n`, `a-b/n` or `a/n` (a to the end), or a comma list of those.
// Months and weekdays take English names (jan..dec, sun..sat, any case); weekday 0 and 7
// are Sunday. Macros: @hourly, @daily (@midnight), @weekly, @monthly, @yearly (@annually).
// Days: when both day fields are restricted a day matches if either does (the classic cron
// rule); a field counts as unrestricted when it starts with `*` (so `*/2` too, as in Vixie
// cron). A day-of-month that can never occur in the chosen months (`0 0 30 feb *`) is a
// parse error, so next_after always finds a firing.
//
// Time zones: fields are matched against local time in the schedule's zone. A local time
// skipped by a spring-forward fires once, at the transition instant; a local time repeated
// by a fall-back fires once, at its first instance (so a `*/15 * * * *` schedule is silent
// during the repeated hour).
#pragma once

#include <cstdint>
#include <string>

namespace date {
class time_zone;
}

namespace parley::outbound {

/// A parsed cron expression bound to a time zone. Cheap to copy.
class cron_schedule {
public:
  /// Parses `text` ("m h dom mon dow" or an @macro) for the IANA zone `zone`. Throws
  /// std::invalid_argument naming the field and the problem ("hour: 25 is out of 0-23"),
  /// or the unknown zone.
  static cron_schedule parse(const std::string& text, const std::string& zone);

  /// The first firing strictly after `utc_ms` (Unix milliseconds, UTC), in UTC ms.
  std::int64_t next_after(std::int64_t utc_ms) const;

  /// The expression as given to parse.
  const std::string& text() const { return text_; }

  /// The time zone's name.
  const std::string& zone_name() const;

private:
  cron_schedule() = default;

  bool day_matches(unsigned month_day, unsigned week_day) const;

  std::string text_;
  const date::time_zone* zone_ = nullptr;
  std::uint64_t minutes_ = 0; // bit m: minute m (0-59)
  std::uint32_t hours_ = 0;   // bit h: hour h (0-23)
  std::uint32_t days_ = 0;    // bit d: day of month d (1-31)
  std::uint16_t months_ = 0;  // bit m: month m (1-12)
  std::uint8_t weekdays_ = 0; // bit w: weekday w (0 = Sunday .. 6)
  bool days_star_ = true;     // the day-of-month field starts with '*'
  bool weekdays_star_ = true; // the day-of-week field starts with '*'
};

} // namespace parley::outbound
