#include "actors/outbound/compliance.hpp"

#include <algorithm>
#include <cstdio>

#include <date/tz.h>

#include "actors/outbound/record_fields.hpp"

namespace parley::outbound {

namespace {

using ms = std::chrono::milliseconds;
using sys_ms = date::sys_time<ms>;

std::size_t count_since(std::span<const std::int64_t> times, std::int64_t since) {
  return static_cast<std::size_t>(
    std::count_if(times.begin(), times.end(), [&](std::int64_t t) { return t >= since; }));
}

std::string percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %%", v * 100.0);
  return buf;
}

} // namespace

const char* to_name(deny_reason r) {
  switch (r) {
    case deny_reason::none: return "allowed";
    case deny_reason::suppressed_phone: return "suppressed_phone";
    case deny_reason::suppressed_customer: return "suppressed_customer";
    case deny_reason::outside_window: return "outside_window";
    case deny_reason::unknown_zone: return "unknown_zone";
    case deny_reason::record_attempts: return "record_attempts";
    case deny_reason::customer_attempts: return "customer_attempts";
    case deny_reason::abandon_rate: return "abandon_rate";
    case deny_reason::no_address: return "no_address";
  }
  return "unknown";
}

std::int32_t local_seconds(const std::string& zone, std::int64_t now_ms) {
  auto local = date::make_zoned(zone, sys_ms{ms{now_ms}}).get_local_time();
  auto midnight = date::floor<date::days>(local);
  return static_cast<std::int32_t>(
    std::chrono::duration_cast<std::chrono::seconds>(local - midnight).count());
}

decision check_window(const storage::record_row& r, const calling_window& campaign,
                      std::int64_t now_ms) {
  decision d;
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(r.tz);
  } catch (const std::exception&) {
    d.reason = deny_reason::unknown_zone;
    d.detail = "\"" + r.tz + "\" is not a time zone the tz database knows";
    return d;
  }
  auto from = std::max(campaign.from_s, r.daily_from_s);
  auto till = std::min(campaign.till_s, r.daily_till_s);
  auto local = date::make_zoned(zone, sys_ms{ms{now_ms}}).get_local_time();
  auto midnight = date::floor<date::days>(local);
  auto now_s = static_cast<std::int32_t>(
    std::chrono::duration_cast<std::chrono::seconds>(local - midnight).count());
  if (from < till && now_s >= from && now_s < till)
    return d;
  d.reason = deny_reason::outside_window;
  d.detail = day_time(now_s) + " local in " + r.tz + ", window " + day_time(from) + "-"
             + day_time(till);
  if (from >= till) {
    d.detail += " (empty)";
    return d;
  }
  // The next opening: today's `from` if it is still ahead, else tomorrow's. A local time in
  // a DST gap does not exist: the window opens at the transition (earliest and latest both
  // give it). A local time in a repeated hour exists twice: its later instance may still be
  // ahead after the earlier one has passed.
  auto at = [&](date::local_days day, date::choose c) {
    auto t = date::zoned_time<std::chrono::seconds>(zone, day + std::chrono::seconds{from}, c);
    return std::chrono::duration_cast<ms>(t.get_sys_time().time_since_epoch()).count();
  };
  auto today = date::local_days{midnight.time_since_epoch()};
  d.retry_ms = at(today + date::days{1}, date::choose::earliest);
  for (auto c : {date::choose::latest, date::choose::earliest})
    if (auto t = at(today, c); t > now_ms)
      d.retry_ms = t;
  return d;
}

decision check(const check_input& in, const compliance_rules& rules) {
  decision d;
  auto& r = *in.record;
  if (in.no_address) {
    d.reason = deny_reason::no_address;
    d.detail = "no valid email address in the record's email field";
    return d;
  }
  if (in.phone_suppressed) {
    d.reason = deny_reason::suppressed_phone;
    d.detail = (in.address.empty() ? r.phone : in.address) + " is on the do-not-call list"
               + (in.suppressed_kind == "phone" ? "" : " (" + in.suppressed_kind + ")");
    return d;
  }
  if (in.customer_suppressed) {
    d.reason = deny_reason::suppressed_customer;
    d.detail = "customer " + r.customer_id + " is on the do-not-call list";
    return d;
  }
  // Calling hours bind calls and text messages, not email.
  if (rules.media != "email")
    if (d = check_window(r, rules.window, in.now_ms); !d.allowed())
      return d;
  auto hours = [](std::chrono::hours h) { return std::to_string(h.count()) + " h"; };
  if (rules.max_record_attempts) {
    auto since = in.now_ms - std::chrono::duration_cast<ms>(rules.record_period).count();
    if (auto n = count_since(in.record_attempts, since); n >= rules.max_record_attempts) {
      d.reason = deny_reason::record_attempts;
      d.detail = std::to_string(n) + " attempt(s) on this record in " + hours(rules.record_period)
                 + ", cap " + std::to_string(rules.max_record_attempts);
      return d;
    }
  }
  if (rules.max_customer_attempts) {
    auto since = in.now_ms - std::chrono::duration_cast<ms>(rules.customer_period).count();
    if (auto n = count_since(in.customer_attempts, since); n >= rules.max_customer_attempts) {
      d.reason = deny_reason::customer_attempts;
      d.detail = std::to_string(n) + " attempt(s) on this customer in "
                 + hours(rules.customer_period) + ", cap "
                 + std::to_string(rules.max_customer_attempts);
      return d;
    }
  }
  if (in.abandon.rate() > rules.max_abandon_rate) {
    d.reason = deny_reason::abandon_rate;
    d.detail = "campaign abandon rate " + percent(in.abandon.rate()) + " ("
               + std::to_string(in.abandon.abandoned) + " of " + std::to_string(in.abandon.answered)
               + ") is over " + percent(rules.max_abandon_rate);
    return d;
  }
  return d;
}

namespace {
constexpr std::int64_t hour_ms = 3'600'000;
} // namespace

void abandon_window::add(std::int64_t now_ms, bool abandoned) {
  auto h = now_ms / hour_ms;
  if (hours_.empty() || hours_.back().index != h)
    hours_.push_back({h, 0, 0});
  ++hours_.back().answered;
  if (abandoned)
    ++hours_.back().abandoned;
}

void abandon_window::load(const std::vector<storage::answer_hour>& hours) {
  hours_.clear();
  for (auto& h : hours)
    hours_.push_back({h.hour, h.answered, h.abandoned});
}

abandon_stats abandon_window::over(std::int64_t now_ms, std::chrono::minutes window) {
  auto first = (now_ms - std::chrono::duration_cast<std::chrono::milliseconds>(window).count()) / hour_ms;
  while (!hours_.empty() && hours_.front().index < first)
    hours_.pop_front();
  abandon_stats s;
  for (auto& h : hours_) {
    s.answered += h.answered;
    s.abandoned += h.abandoned;
  }
  return s;
}

} // namespace parley::outbound
