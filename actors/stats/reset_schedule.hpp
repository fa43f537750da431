// reset_schedule: when growing_reset statistics start afresh — every day at a local time
// of day in an IANA time zone (default midnight UTC). Time zone rules come from the
// system tzdata through Howard Hinnant's date library (date::date-tz): no hand-made DST.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace date {
class time_zone;
}

namespace parley::stats {

class reset_schedule {
public:
  /// Throws std::runtime_error when `zone` is not a known time zone or `at_minute` is not
  /// 0..1439 (start-up only).
  explicit reset_schedule(const std::string& zone = "UTC", int at_minute = 0);

  /// The first reset strictly after `now_ms` (Unix milliseconds).
  std::int64_t next_after(std::int64_t now_ms) const;

  /// The last reset at or before `now_ms`.
  std::int64_t last_at_or_before(std::int64_t now_ms) const;

private:
  const date::time_zone* zone_;
  int at_minute_;
};

/// "" when `zone` names a time zone in the system database, else why not.
std::string check_time_zone(const std::string& zone);

} // namespace parley::stats
