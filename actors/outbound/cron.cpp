// cron: parsing cron fields into bit sets, and the search for the next firing: the next
// matching local minute by whole months, days and hours, mapped to UTC with the zone's
// rules (see cron.hpp for the DST policy).
#include "actors/outbound/cron.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <date/tz.h>

namespace parley::outbound {

namespace {

using namespace std::chrono;

struct field_spec {
  const char* name;
  int lo, hi;
  const char* const* names; // names[i] stands for lo + i; nullptr: numbers only
};

constexpr const char* month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec", nullptr};
constexpr const char* weekday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", nullptr};

constexpr field_spec fields[] = {{"minute", 0, 59, nullptr},
                                 {"hour", 0, 23, nullptr},
                                 {"day of month", 1, 31, nullptr},
                                 {"month", 1, 12, month_names},
                                 {"day of week", 0, 7, weekday_names}};

[[noreturn]] void fail(const field_spec& f, const std::string& why) {
  throw std::invalid_argument(std::string{f.name} + ": " + why);
}

int value(const field_spec& f, const std::string& token) {
  if (token.empty())
    fail(f, "empty value");
  if (std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isdigit(c); })) {
    int v = token.size() > 4 ? 10000 : std::stoi(token);
    if (v < f.lo || v > f.hi)
      fail(f, token + " is out of " + std::to_string(f.lo) + "-" + std::to_string(f.hi));
    return v;
  }
  std::string lower = token;
  for (auto& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 0; f.names && f.names[i]; ++i)
    if (lower == f.names[i])
      return f.lo + i;
  fail(f, "\"" + token + "\" is not a " + (f.names ? "number or name" : "number"));
}

/// One field into a bit set (bit v for value v; weekday 7 folds onto 0).
std::uint64_t parse_field(const field_spec& f, const std::string& text) {
  std::uint64_t bits = 0;
  std::stringstream items{text};
  std::string item;
  if (text.empty() || text.back() == ',')
    fail(f, "empty list item in \"" + text + "\"");
  while (std::getline(items, item, ',')) {
    if (item.empty())
      fail(f, "empty list item in \"" + text + "\"");
    auto slash = item.find('/');
    auto range = item.substr(0, slash);
    int step = 1;
    if (slash != std::string::npos) {
      auto s = item.substr(slash + 1);
      if (s.empty() || !std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); }))
        fail(f, "step \"" + s + "\" is not a number");
      step = s.size() > 4 ? 10000 : std::stoi(s);
      if (step == 0)
        fail(f, "a step of 0");
    }
    int lo = f.lo, hi = f.hi == 7 ? 6 : f.hi; // `*` for weekdays is 0-6
    if (range != "*") {
      auto dash = range.find('-', 1);
      lo = value(f, range.substr(0, dash));
      if (dash != std::string::npos)
        hi = value(f, range.substr(dash + 1));
      else if (slash == std::string::npos)
        hi = lo; // a single value; `a/n` runs from a to the end
      if (hi < lo)
        fail(f, "range " + range + " runs backwards");
    }
    for (int v = lo; v <= hi; v += step)
      bits |= std::uint64_t{1} << (f.hi == 7 && v == 7 ? 0 : v);
  }
  return bits;
}

std::string expand_macro(const std::string& text) {
  static const std::pair<const char*, const char*> macros[] = {
    {"@hourly", "0 * * * *"},  {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},  {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"}};
  for (auto& [name, expansion] : macros)
    if (text == name)
      return expansion;
  throw std::invalid_argument("unknown macro \"" + text
                              + "\" (@hourly, @daily, @weekly, @monthly, @yearly)");
}

/// The first set bit at or above `from`, or -1.
int next_bit(std::uint64_t bits, int from, int hi) {
  for (int v = std::max(from, 0); v <= hi; ++v)
    if (bits >> v & 1)
      return v;
  return -1;
}

std::vector<std::string> split(const std::string& text) {
  std::stringstream in{text};
  std::vector<std::string> parts;
  for (std::string p; in >> p;)
    parts.push_back(p);
  return parts;
}

} // namespace

cron_schedule cron_schedule::parse(const std::string& text, const std::string& zone) {
  auto parts = split(text);
  if (parts.size() == 1 && parts[0].front() == '@')
    parts = split(expand_macro(parts[0]));
  if (parts.size() != 5)
    throw std::invalid_argument("expected 5 fields (minute hour day-of-month month "
                                "day-of-week) or an @macro, got "
                                + std::to_string(parts.size()) + " in \"" + text + "\"");
  cron_schedule s;
  s.text_ = text;
  try {
    s.zone_ = date::locate_zone(zone);
  } catch (const std::exception&) {
    throw std::invalid_argument("unknown time zone \"" + zone + "\"");
  }
  s.minutes_ = parse_field(fields[0], parts[0]);
  s.hours_ = static_cast<std::uint32_t>(parse_field(fields[1], parts[1]));
  s.days_ = static_cast<std::uint32_t>(parse_field(fields[2], parts[2]));
  s.months_ = static_cast<std::uint16_t>(parse_field(fields[3], parts[3]));
  s.weekdays_ = static_cast<std::uint8_t>(parse_field(fields[4], parts[4]));
  s.days_star_ = parts[2].front() == '*';
  s.weekdays_star_ = parts[4].front() == '*';
  if (!s.days_star_ && s.weekdays_star_) { // days of month alone: one must exist
    constexpr int longest[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool some = false;
    for (int m = 1; m <= 12; ++m)
      if (s.months_ >> m & 1)
        some |= next_bit(s.days_, 1, longest[m]) > 0;
    if (!some)
      fail(fields[2], "\"" + parts[2] + "\" never occurs in month \"" + parts[3] + "\"");
  }
  return s;
}

const std::string& cron_schedule::zone_name() const {
  return zone_->name();
}

bool cron_schedule::day_matches(unsigned month_day, unsigned week_day) const {
  bool dom = days_ >> month_day & 1, dow = weekdays_ >> week_day & 1;
  return days_star_ || weekdays_star_ ? dom && dow : dom || dow;
}

std::int64_t cron_schedule::next_after(std::int64_t utc_ms) const {
  using date::local_days;
  using local_min = date::local_time<minutes>;
  auto after = date::sys_time<milliseconds>{milliseconds{utc_ms}};
  // Local times map to UTC monotonically (gaps onto the transition, repeats onto their
  // first instance), so the answer is the first matching local minute whose instant is
  // past `after`. Start three hours early in local time: a repeated hour may put `after`
  // "before" local minutes already passed.
  auto from = date::floor<minutes>(zone_->to_local(after)) - hours{3};
  auto limit = from + date::days{3660}; // ten years: Feb 29 comes back within eight
  auto instant = [&](local_min t) {
    auto info = zone_->get_info(t);
    if (info.result == date::local_info::nonexistent)
      return date::sys_time<milliseconds>{info.first.end}; // the transition instant
    return date::sys_time<milliseconds>{t.time_since_epoch() - info.first.offset};
  };
  auto t = from;
  while (t < limit) {
    auto day = date::floor<date::days>(t);
    date::year_month_day ymd{day};
    if (!(months_ >> unsigned(ymd.month()) & 1)) { // the 1st of the next month
      t = local_min{local_days{ymd.year() / ymd.month() / 1 + date::months{1}}};
      continue;
    }
    if (!day_matches(unsigned(ymd.day()), date::weekday{day}.c_encoding())) {
      t = local_min{day + date::days{1}};
      continue;
    }
    auto since_midnight = duration_cast<minutes>(t - day).count();
    int hour = int(since_midnight / 60), minute = int(since_midnight % 60);
    bool next_day = true;
    for (int h = next_bit(hours_, hour, 23); h >= 0; h = next_bit(hours_, h + 1, 23)) {
      int m = next_bit(minutes_, h == hour ? minute : 0, 59);
      if (m < 0)
        continue;
      t = local_min{day} + hours{h} + minutes{m};
      if (instant(t) > after)
        return duration_cast<milliseconds>(instant(t).time_since_epoch()).count();
      t += minutes{1}; // passed already: search on from the next minute
      next_day = false;
      break;
    }
    if (next_day)
      t = local_min{day + date::days{1}};
  }
  return std::numeric_limits<std::int64_t>::max(); // unreachable: parse rejects never-days
}

} // namespace parley::outbound
