#include "actors/stats/reset_schedule.hpp"

#include <stdexcept>

#include <date/tz.h>

namespace parley::stats {

namespace {

using ms = std::chrono::milliseconds;
using sys_ms = date::sys_time<ms>;

/// The reset instant of local day `day`. A local time that a DST change skips is taken
/// just after the gap; one it repeats, at its first occurrence.
std::int64_t reset_on(const date::time_zone* z, date::local_days day, int at_minute) {
  auto local = date::local_time<ms>{day} + std::chrono::minutes{at_minute};
  auto info = z->get_info(local);
  sys_ms t;
  if (info.result == date::local_info::nonexistent)
    t = info.first.end;  // the first instant after the skipped local times
  else
    t = date::sys_time<ms>{local.time_since_epoch() - info.first.offset};
  return t.time_since_epoch().count();
}

} // namespace

reset_schedule::reset_schedule(const std::string& zone, int at_minute)
  : zone_(nullptr), at_minute_(at_minute) {
  if (at_minute < 0 || at_minute >= 24 * 60)
    throw std::runtime_error("reset time of day out of range");
  zone_ = date::locate_zone(zone);  // throws std::runtime_error for an unknown zone
}

std::int64_t reset_schedule::next_after(std::int64_t now_ms) const {
  auto local = zone_->to_local(sys_ms{ms{now_ms}});
  auto day = date::floor<date::days>(local);
  for (int i = -1; i < 3; ++i) {
    auto t = reset_on(zone_, day + date::days{i}, at_minute_);
    if (t > now_ms)
      return t;
  }
  return now_ms + 24LL * 3600 * 1000;  // unreachable with real zones
}

std::int64_t reset_schedule::last_at_or_before(std::int64_t now_ms) const {
  auto local = zone_->to_local(sys_ms{ms{now_ms}});
  auto day = date::floor<date::days>(local);
  for (int i = 1; i > -3; --i) {
    auto t = reset_on(zone_, day + date::days{i}, at_minute_);
    if (t <= now_ms)
      return t;
  }
  return now_ms;
}

std::string check_time_zone(const std::string& zone) {
  try {
    (void)date::locate_zone(zone);
    return {};
  } catch (const std::exception& e) {
    return "\"" + zone + "\" is not a time zone in the system database (" + e.what() + ")";
  }
}

} // namespace parley::stats
