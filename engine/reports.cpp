#include "engine/reports.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include <date/tz.h>

#include "engine/report_detail.hpp"

namespace parley::engine {

namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;
using sys_ms = date::sys_time<milliseconds>;

/// Detail reports stop at this many rows (the table says it was cut).
constexpr std::size_t detail_limit = 100'000;
/// Abandon Delay and Speed of Accept read at most this many waits.
constexpr std::size_t wait_limit = 2'000'000;

const std::vector<std::string> names{"queue-summary",   "tenant-summary",  "agent-summary",
                                     "group-summary",   "not-ready",       "agent-states",
                                     "interactions",    "abandon-delay",   "speed-of-accept",
                                     "campaign-summary", "campaign-compliance"};

const std::vector<std::string> grains{"15m", "hour", "day", "week", "month", "quarter", "year", "total"};

const date::time_zone* zone_named(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

/// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" (a space for the T is fine), local.
std::optional<date::local_seconds> local_time(const std::string& text) {
  std::string s = text;
  if (s.size() == 10)
    s += "T00:00";
  if (s.size() != 16)
    return std::nullopt;
  if (s[10] == ' ')
    s[10] = 'T';
  std::istringstream in{s};
  date::local_seconds t;
  in >> date::parse("%Y-%m-%dT%H:%M", t);
  if (in.fail())
    return std::nullopt;
  return t;
}

std::int64_t to_ms(const date::time_zone* z, date::local_seconds t) {
  return date::floor<milliseconds>(z->to_sys(t, date::choose::earliest)).time_since_epoch().count();
}

date::local_time<milliseconds> local_of(const date::time_zone* z, std::int64_t ms) {
  return z->to_local(sys_ms{milliseconds{ms}});
}

} // namespace

namespace report_detail {

std::int64_t bucket_of(const date::time_zone* z, const std::string& by, std::int64_t ms, std::int64_t from_ms) {
  if (by == "15m")
    return storage::interval_of(ms);
  if (by == "total")
    return from_ms;
  auto local = local_of(z, ms);
  if (by == "hour")  // by elapsed time: the twice-lived hour of a fall-back day is two buckets
    return ms - (local - date::floor<std::chrono::hours>(local)).count();
  auto day = date::floor<date::days>(local);
  date::local_days start = day;
  if (by == "week") {
    auto wd = date::weekday{day};
    start = day - (wd - date::Monday);
  } else if (by == "month" || by == "quarter" || by == "year") {
    auto ymd = date::year_month_day{day};
    auto m = static_cast<unsigned>(ymd.month());
    auto first = by == "month" ? m : by == "quarter" ? (m - 1) / 3 * 3 + 1 : 1u;
    start = date::local_days{ymd.year() / date::month{first} / 1};
  }
  return to_ms(z, date::local_seconds{start});
}

std::string label_of(const date::time_zone* z, const std::string& by, std::int64_t ms) {
  if (by == "total")
    return "total";
  auto zt = date::make_zoned(z, date::floor<std::chrono::minutes>(sys_ms{milliseconds{ms}}));
  if (by == "15m" || by == "hour")
    return date::format("%F %H:%M %Z", zt);
  if (by == "quarter") {
    auto month = static_cast<unsigned>(date::year_month_day{date::floor<date::days>(zt.get_local_time())}.month());
    return date::format("%Y", zt) + "-Q" + std::to_string((month - 1) / 3 + 1);
  }
  return date::format(by == "month" ? "%Y-%m" : by == "year" ? "%Y" : "%F", zt);
}

json seconds(std::int64_t ms) {
  return std::round(static_cast<double>(ms) / 100.0) / 10.0;
}

json ratio(double num, double den, double scale) {
  if (den <= 0)
    return nullptr;
  return std::round(num * scale / den * 10.0) / 10.0;
}

} // namespace report_detail

namespace {

using namespace report_detail;

/// Local time of an instant, to the second, with its zone abbreviation.
std::string when(const date::time_zone* z, std::int64_t ms) {
  if (ms == 0)
    return "";
  auto zt = date::make_zoned(z, date::floor<std::chrono::seconds>(sys_ms{milliseconds{ms}}));
  return date::format("%F %T %Z", zt);
}

range range_of(const report_request& req, const config& cfg) {
  range r;
  auto zone = req.tz;
  if (zone.empty())
    zone = req.tenants.size() == 1 ? cfg.reporting.zone_of(req.tenants.front(), cfg.domain.stats.reset_time_zone)
                                   : cfg.domain.stats.reset_time_zone;
  r.zone = zone_named(zone);
  auto from = local_time(req.from);
  auto to = req.to.empty() ? std::optional<date::local_seconds>{*from + date::days{1}} : local_time(req.to);
  r.from_ms = to_ms(r.zone, *from);
  r.to_ms = to_ms(r.zone, *to);
  return r;
}

std::string sl_formula(const report_request& req, const config& cfg) {
  return req.service_level.empty() ? cfg.reporting.service_level_formula : req.service_level;
}

// -- queue summary ------------------------------------------------------------------

/// Queue Summary (a row per queue and media) or, `per_tenant`, Tenant Summary (per tenant
/// and media: its queues' rows summed; `object` names one tenant).
void queue_summary(storage::reporting_store& rep, const report_request& req, const config& cfg, const range& r,
                   bool per_tenant, report_table& t) {
  storage::agg_filter f{storage::interval_of(r.from_ms), r.to_ms, req.tenants, per_tenant ? "" : req.object};
  std::map<std::tuple<std::int64_t, std::string, std::string>, storage::queue_agg> sums;
  for (auto& a : rep.queue_aggs(f)) {
    if (per_tenant && !req.object.empty() && a.tenant != req.object)
      continue;
    auto& s = sums[{bucket_of(r.zone, req.by, a.interval_ms, r.from_ms), per_tenant ? a.tenant : a.queue, a.media}];
    s.tenant = a.tenant;
    s.entered += a.entered;
    s.distributed += a.distributed;
    s.distributed_within += a.distributed_within;
    s.distributed_of_entered += a.distributed_of_entered;
    s.abandoned += a.abandoned;
    s.abandoned_within += a.abandoned_within;
    s.short_abandoned += a.short_abandoned;
    s.overflowed += a.overflowed;
    s.cleared += a.cleared;
    s.wait_distributed_ms += a.wait_distributed_ms;
    s.wait_abandoned_ms += a.wait_abandoned_ms;
    s.max_wait_ms = std::max(s.max_wait_ms, a.max_wait_ms);
    s.transferred += a.transferred;
    s.conferenced += a.conferenced;
  }
  auto formula = sl_formula(req, cfg);
  t.columns = {"start", "tenant", "queue", "media", "entered", "distributed", "distributed_within",
               "abandoned", "abandoned_within", "short_abandoned", "overflowed", "cleared", "service_level",
               "asa_s", "avg_wait_s", "max_wait_s", "distributed_of_entered", "transferred", "conferenced"};
  if (per_tenant)
    t.columns.erase(t.columns.begin() + 2);
  for (auto& [key, s] : sums) {
    auto& [bucket, queue, media] = key;
    double sl_den = formula == "genesys" ? static_cast<double>(s.entered)
                    : formula == "connect" ? static_cast<double>(s.distributed + s.abandoned)
                                           : static_cast<double>(s.distributed + s.abandoned - s.abandoned_within);
    t.rows.push_back({label_of(r.zone, req.by, bucket), s.tenant, queue, media, s.entered, s.distributed,
                      s.distributed_within, s.abandoned, s.abandoned_within, s.short_abandoned, s.overflowed,
                      s.cleared, ratio(static_cast<double>(s.distributed_within), sl_den, 100.0),
                      ratio(static_cast<double>(s.wait_distributed_ms), static_cast<double>(s.distributed), 0.001),
                      ratio(static_cast<double>(s.wait_distributed_ms + s.wait_abandoned_ms),
                            static_cast<double>(s.distributed + s.abandoned), 0.001),
                      seconds(s.max_wait_ms), s.distributed_of_entered, s.transferred, s.conferenced});
    if (per_tenant)
      t.rows.back().erase(t.rows.back().begin() + 2);
  }
  t.title = std::string{per_tenant ? "Tenant" : "Queue"} + " Summary (service level: " + formula + ")";
}

// -- agent summary, not-ready reasons ------------------------------------------------

/// Agent Summary (a row per agent) or, `per_group`, Agent Group Summary (per group: its
/// agents' rows summed, and how many agents were logged in; `object` names one group).
void agent_summary(storage::reporting_store& rep, const report_request& req, const range& r, bool per_group,
                   report_table& t) {
  storage::agg_filter f{storage::interval_of(r.from_ms), r.to_ms, req.tenants, per_group ? "" : req.object};
  std::map<std::tuple<std::int64_t, std::string>, storage::agent_agg> sums;
  std::map<std::tuple<std::int64_t, std::string>, std::set<std::string>> agents;
  for (auto& a : rep.agent_aggs(f)) {
    if (per_group && !req.object.empty() && a.group != req.object)
      continue;
    std::tuple<std::int64_t, std::string> key{bucket_of(r.zone, req.by, a.interval_ms, r.from_ms),
                                              per_group ? a.group : a.agent};
    if (a.login_ms > 0)
      agents[key].insert(a.agent);
    auto& s = sums[key];
    s.tenant = a.tenant;
    s.group = a.group;
    s.login_ms += a.login_ms;
    s.ready_ms += a.ready_ms;
    s.not_ready_ms += a.not_ready_ms;
    s.acw_ms += a.acw_ms;
    s.busy_ms += a.busy_ms;
    s.idle_ready_ms += a.idle_ready_ms;
    s.idle_acw_ms += a.idle_acw_ms;
    s.offered += a.offered;
    s.accepted += a.accepted;
    s.rejected += a.rejected;
    s.timed_out += a.timed_out;
    s.revoked += a.revoked;
    s.accept_ms += a.accept_ms;
    s.handled += a.handled;
    s.handle_ms += a.handle_ms;
    s.hold_ms += a.hold_ms;
    s.transferred += a.transferred;
    s.conferenced += a.conferenced;
  }
  t.columns = {"start",    "tenant",   "agent",     "group",   "login_s",   "ready_s",   "not_ready_s",
               "acw_s",    "busy_s",   "occupancy", "offered", "accepted",  "rejected",  "timed_out",
               "revoked",  "avg_accept_s", "handled", "talk_s", "hold_s", "aht_s", "transferred", "conferenced"};
  if (per_group)
    t.columns[2] = "agents";
  for (auto& [key, s] : sums) {
    auto& [bucket, agent] = key;
    auto busy_acw = static_cast<double>(s.busy_ms + s.idle_acw_ms);
    json who = per_group ? json(agents[key].size()) : json(agent);
    t.rows.push_back({label_of(r.zone, req.by, bucket), s.tenant, who, s.group, seconds(s.login_ms),
                      seconds(s.ready_ms), seconds(s.not_ready_ms), seconds(s.acw_ms), seconds(s.busy_ms),
                      ratio(busy_acw, busy_acw + static_cast<double>(s.idle_ready_ms), 100.0), s.offered,
                      s.accepted, s.rejected, s.timed_out, s.revoked,
                      ratio(static_cast<double>(s.accept_ms), static_cast<double>(s.accepted), 0.001), s.handled,
                      seconds(s.handle_ms - s.hold_ms), seconds(s.hold_ms),
                      ratio(static_cast<double>(s.handle_ms + s.acw_ms), static_cast<double>(s.handled), 0.001),
                      s.transferred, s.conferenced});
  }
  t.title = per_group ? "Agent Group Summary" : "Agent Summary";
}

void not_ready(storage::reporting_store& rep, const report_request& req, const range& r, report_table& t) {
  storage::agg_filter f{storage::interval_of(r.from_ms), r.to_ms, req.tenants, req.object};
  std::map<std::tuple<std::int64_t, std::string, std::string>, std::pair<std::string, std::int64_t>> sums;
  for (auto& a : rep.reason_aggs(f)) {
    auto& s = sums[{bucket_of(r.zone, req.by, a.interval_ms, r.from_ms), a.agent, a.reason}];
    s.first = a.tenant;
    s.second += a.ms;
  }
  t.columns = {"start", "tenant", "agent", "reason", "not_ready_s"};
  for (auto& [key, s] : sums) {
    auto& [bucket, agent, reason] = key;
    t.rows.push_back({label_of(r.zone, req.by, bucket), s.first, agent, reason, seconds(s.second)});
  }
  t.title = "Not Ready by Reason";
}

// -- details ------------------------------------------------------------------------

void agent_states(storage::reporting_store& rep, const report_request& req, const range& r, report_table& t) {
  storage::agg_filter f{storage::interval_of(r.from_ms), r.to_ms, req.tenants, req.object};
  auto pieces = rep.agent_states(f, detail_limit);
  t.truncated = pieces.size() == detail_limit;
  t.columns = {"agent", "tenant", "group", "state", "reason", "busy", "from", "to", "duration_s"};
  // Pieces of one segment come together (ordered by agent, time): one row per segment.
  for (std::size_t i = 0; i < pieces.size();) {
    auto& p = pieces[i];
    std::size_t j = i + 1;
    while (j < pieces.size() && pieces[j].agent == p.agent && pieces[j].seg_from_ms == p.seg_from_ms)
      ++j;
    t.rows.push_back({p.agent, p.tenant, p.group, p.state, p.reason, p.busy, when(r.zone, p.seg_from_ms),
                      when(r.zone, p.seg_to_ms), seconds(p.seg_to_ms - p.seg_from_ms)});
    i = j;
  }
  t.title = "Agent State Details";
}

void interactions(storage::reporting_store& rep, const report_request& req, const range& r, report_table& t) {
  storage::agg_filter f{r.from_ms, r.to_ms, req.tenants, req.object};
  auto rows = rep.interactions(f, detail_limit);
  t.truncated = rows.size() == detail_limit;
  t.columns = {"iid",         "tenant",     "media",  "created", "ended",  "first_queue", "last_queue",
               "outcome",     "wait_s",     "handle_s", "hold_s", "transfers", "conferences", "handlings"};
  for (auto& x : rows)
    t.rows.push_back({x.iid, x.tenant, x.media, when(r.zone, x.created_ms), when(r.zone, x.ended_ms),
                      x.first_queue, x.last_queue, x.outcome, seconds(x.wait_ms), seconds(x.handle_ms),
                      seconds(x.hold_ms), x.transfers, x.conferences, x.handlings});
  t.title = "Interaction Detail";
}

/// Abandon Delay (abandoned waits) or Speed of Accept (distributed waits) per bucket of
/// wait: [0, e1), [e1, e2) ... [en, ∞), by queue, over the waits that ended in the range.
void wait_buckets(storage::reporting_store& rep, const report_request& req, const config& cfg, const range& r,
                  const std::string& why, report_table& t) {
  storage::agg_filter f{r.from_ms, r.to_ms, req.tenants, req.object};
  auto entries = rep.queue_entries(f, wait_limit);
  t.truncated = entries.size() == wait_limit;
  auto& edges = cfg.reporting.buckets_s;
  std::map<std::tuple<std::int64_t, std::string>, std::vector<std::int64_t>> counts;
  for (auto& e : entries) {
    if (e.why != why)
      continue;
    auto& c = counts[{bucket_of(r.zone, req.by, e.left_ms, r.from_ms), e.queue}];
    c.resize(edges.size() + 1);
    auto wait = e.left_ms - e.entered_ms;
    std::size_t k = 0;
    while (k < edges.size() && wait >= std::int64_t{edges[k]} * 1000)
      ++k;
    ++c[k];
  }
  t.columns = {"start", "queue"};
  for (std::size_t k = 0; k <= edges.size(); ++k)
    t.columns.push_back(k < edges.size() ? "under_" + std::to_string(edges[k]) + "s"
                                         : "over_" + std::to_string(edges.back()) + "s");
  t.columns.push_back("total");
  for (auto& [key, c] : counts) {
    auto& [bucket, queue] = key;
    std::vector<json> row{label_of(r.zone, req.by, bucket), queue};
    std::int64_t total = 0;
    for (auto n : c) {
      row.push_back(n);
      total += n;
    }
    row.push_back(total);
    t.rows.push_back(std::move(row));
  }
  t.title = why == "abandoned" ? "Abandon Delay" : "Speed of Accept";
}

std::string cell_text(const json& v) {
  if (v.is_null())
    return "-";
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_boolean())
    return v.get<bool>() ? "yes" : "no";
  if (v.is_number_float()) {
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(1);
    o << v.get<double>();
    return o.str();
  }
  return v.dump();
}

} // namespace

const std::vector<std::string>& report_names() {
  return names;
}

std::string check_report_request(const report_request& req) {
  if (std::find(names.begin(), names.end(), req.name) == names.end()) {
    std::string all;
    for (auto& n : names)
      all += (all.empty() ? "" : ", ") + n;
    return "no report named \"" + req.name + "\" (there are " + all + ")";
  }
  if (req.from.empty())
    return "--from is required (YYYY-MM-DD or YYYY-MM-DDTHH:MM, local time)";
  auto from = local_time(req.from);
  if (!from)
    return "from \"" + req.from + "\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM";
  if (!req.to.empty()) {
    auto to = local_time(req.to);
    if (!to)
      return "to \"" + req.to + "\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM";
    if (*to <= *from)
      return "to must be after from";
    if (*to - *from > date::days{3 * 366})
      return "a report covers three years at most";
  }
  if (!req.tz.empty() && !zone_named(req.tz))
    return "unknown time zone \"" + req.tz + "\" (an IANA name such as America/New_York)";
  if (std::find(grains.begin(), grains.end(), req.by) == grains.end())
    return "by \"" + req.by + "\" is not 15m, hour, day, week, month, quarter, year or total";
  if (!req.service_level.empty() && req.service_level != "parley" && req.service_level != "genesys"
      && req.service_level != "connect")
    return "service level formula \"" + req.service_level + "\" is not parley, genesys or connect";
  return {};
}

std::pair<std::int64_t, std::int64_t> report_range(const report_request& req, const config& cfg) {
  auto r = range_of(req, cfg);
  return {r.from_ms, r.to_ms};
}

report_table run_report(storage::reporting_store& rep, const report_request& req, const config& cfg) {
  auto r = range_of(req, cfg);
  report_table t;
  t.zone = r.zone->name();
  t.from_ms = r.from_ms;
  t.to_ms = r.to_ms;
  if (req.name == "queue-summary" || req.name == "tenant-summary")
    queue_summary(rep, req, cfg, r, req.name == "tenant-summary", t);
  else if (req.name == "agent-summary" || req.name == "group-summary")
    agent_summary(rep, req, r, req.name == "group-summary", t);
  else if (req.name == "not-ready")
    not_ready(rep, req, r, t);
  else if (req.name == "agent-states")
    agent_states(rep, req, r, t);
  else if (req.name == "interactions")
    interactions(rep, req, r, t);
  else if (req.name == "abandon-delay")
    wait_buckets(rep, req, cfg, r, "abandoned", t);
  else if (req.name == "campaign-summary")
    campaign_summary(rep, req, cfg, r, t);
  else if (req.name == "campaign-compliance")
    campaign_compliance(rep, req, cfg, r, t);
  else
    wait_buckets(rep, req, cfg, r, "distributed", t);
  return t;
}

std::string report_text(const report_table& t) {
  std::vector<std::size_t> width(t.columns.size());
  std::vector<std::vector<std::string>> cells;
  for (std::size_t c = 0; c < t.columns.size(); ++c)
    width[c] = t.columns[c].size();
  for (auto& row : t.rows) {
    std::vector<std::string> line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line.push_back(cell_text(row[c]));
      width[c] = std::max(width[c], line.back().size());
    }
    cells.push_back(std::move(line));
  }
  std::ostringstream o;
  o << t.title << ", " << when(date::locate_zone(t.zone), t.from_ms) << " to " << when(date::locate_zone(t.zone), t.to_ms)
    << "\n";
  auto line = [&](const std::vector<std::string>& v) {
    for (std::size_t c = 0; c < v.size(); ++c) {
      auto pad = width[c] - v[c].size();
      bool left = c == 0 || (!t.rows.empty() && t.rows.front()[c].is_string());
      o << (c ? "  " : "") << (left ? v[c] + std::string(pad, ' ') : std::string(pad, ' ') + v[c]);
    }
    o << "\n";
  };
  line(t.columns);
  for (auto& c : cells)
    line(c);
  o << t.rows.size() << " row(s)" << (t.truncated ? " (cut at the limit: narrow the range)" : "") << "\n";
  return o.str();
}

std::string report_csv(const report_table& t) {
  auto field = [](const std::string& v) {
    if (v.find_first_of(",\"\r\n") == std::string::npos)
      return v;
    std::string out = "\"";
    for (char c : v)
      out += c == '"' ? std::string{"\"\""} : std::string(1, c);
    return out + "\"";
  };
  std::string out;
  for (std::size_t c = 0; c < t.columns.size(); ++c)
    out += (c ? "," : "") + field(t.columns[c]);
  out += "\r\n";
  for (auto& row : t.rows) {
    for (std::size_t c = 0; c < row.size(); ++c)
      out += (c ? "," : "") + field(row[c].is_null() ? std::string{} : cell_text(row[c]));
    out += "\r\n";
  }
  return out;
}

json report_json(const report_table& t) {
  json rows = json::array();
  for (auto& row : t.rows) {
    json o = json::object();
    for (std::size_t c = 0; c < row.size(); ++c)
      o[t.columns[c]] = row[c];
    rows.push_back(std::move(o));
  }
  return {{"title", t.title}, {"zone", t.zone}, {"from_ms", t.from_ms}, {"to_ms", t.to_ms},
          {"columns", t.columns}, {"rows", std::move(rows)}, {"truncated", t.truncated}};
}

} // namespace parley::engine
