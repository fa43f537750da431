// reports_campaign: Campaign Summary (the 15-minute campaign aggregates: an attempt counts
// in the bucket it was dialed, a denial where it was made) and Campaign Compliance (each
// campaign's abandon rate over its own window — abandon_window_days, 30 by default — ending
// at each bucket's end, and the answered calls offered to an agent within 2 s, counted from
// the attempt log's result rows with the SQL `campaign audit` uses). The attempt log has no
// tenant: a campaign's is its configured one ("" once it left the config: admins see it).
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "actors/outbound/compliance.hpp"
#include "actors/outbound/record_fields.hpp"
#include "engine/report_detail.hpp"

namespace parley::engine::report_detail {

namespace {

using json = nlohmann::json;

/// Compliance buckets read the attempt log once per bucket and window length: at most this
/// many buckets (the table says it was cut).
constexpr std::size_t compliance_buckets = 1'000;

struct campaign_facts {
  std::string tenant;
  std::chrono::milliseconds window{30LL * 24 * 3600 * 1000};
  double max_rate = 0.03;
};

/// What the config says of a campaign (defaults for one it no longer has).
campaign_facts facts_of(const config& cfg, const std::string& campaign) {
  campaign_facts out;
  if (auto* c = cfg.domain.outbound.find(campaign)) {
    out.tenant = c->tenant;
    out.window = c->abandon_window;
    out.max_rate = c->rules.max_abandon_rate;
  }
  return out;
}

bool visible(const report_request& req, const std::string& tenant) {
  return req.tenants.empty() || std::find(req.tenants.begin(), req.tenants.end(), tenant) != req.tenants.end();
}

/// The start of the bucket after the one that starts at `start`.
std::int64_t next_bucket(const range& r, const std::string& by, std::int64_t start) {
  constexpr std::int64_t hour = 3'600'000;
  if (by == "total")
    return r.to_ms;
  // A step that lands inside the next bucket whatever the length of this one (23–25-hour
  // days, 28–31-day months).
  std::int64_t step = by == "15m" ? storage::interval_ms : by == "hour" ? hour : by == "day" ? 25 * hour
                    : by == "week" ? 169 * hour : 32 * 24 * hour;
  return bucket_of(r.zone, by, start + step, r.from_ms);
}

} // namespace

void campaign_summary(storage::reporting_store& rep, const report_request& req, const config& cfg,
                      const range& r, report_table& t) {
  storage::agg_filter f{storage::interval_of(r.from_ms), r.to_ms, {}, req.object};
  struct sums {
    storage::campaign_agg a;
    std::map<std::string, std::int64_t> results, denials;
  };
  std::map<std::pair<std::int64_t, std::string>, sums> by;
  auto at = [&](std::int64_t interval, const std::string& campaign) -> sums& {
    return by[{bucket_of(r.zone, req.by, interval, r.from_ms), campaign}];
  };
  for (auto& a : rep.campaign_aggs(f)) {
    auto& s = at(a.interval_ms, a.campaign).a;
    s.dialed += a.dialed;
    s.answered += a.answered;
    s.abandoned += a.abandoned;
    s.connected += a.connected;
    s.connected_in_2s += a.connected_in_2s;
    s.connect_ms += a.connect_ms;
    s.talk_ms += a.talk_ms;
  }
  for (auto& c : rep.campaign_results(f))
    at(c.interval_ms, c.campaign).results[c.key] += c.n;
  for (auto& c : rep.campaign_denials(f))
    at(c.interval_ms, c.campaign).denials[c.key] += c.n;

  t.columns = {"start",     "tenant",       "campaign",        "dialed",         "answered",
               "answer_rate", "abandoned",  "abandon_rate",    "connected",      "connected_in_2s",
               "in_2s_of_answered", "avg_connect_s", "avg_talk_s"};
  std::vector<std::string> result_keys;
  for (int k = 1; k <= static_cast<int>(storage::call_result::opted_out); ++k) {
    result_keys.push_back(std::to_string(k));
    t.columns.push_back(std::string{"result_"} + outbound::to_name(static_cast<storage::call_result>(k)));
  }
  t.columns.push_back("denied");
  std::vector<std::string> reasons;
  for (int k = 1; k <= static_cast<int>(outbound::deny_reason::no_address); ++k) {
    reasons.push_back(outbound::to_name(static_cast<outbound::deny_reason>(k)));
    t.columns.push_back("denied_" + reasons.back());
  }
  for (auto& [key, s] : by) {
    auto& [bucket, campaign] = key;
    auto tenant = facts_of(cfg, campaign).tenant;
    if (!visible(req, tenant))
      continue;
    auto& a = s.a;
    auto answered = static_cast<double>(a.answered);
    std::vector<json> row{label_of(r.zone, req.by, bucket),
                          tenant,
                          campaign,
                          a.dialed,
                          a.answered,
                          ratio(answered, static_cast<double>(a.dialed), 100.0),
                          a.abandoned,
                          ratio(static_cast<double>(a.abandoned), answered, 100.0),
                          a.connected,
                          a.connected_in_2s,
                          ratio(static_cast<double>(a.connected_in_2s), answered, 100.0),
                          ratio(static_cast<double>(a.connect_ms), static_cast<double>(a.connected), 0.001),
                          ratio(static_cast<double>(a.talk_ms), static_cast<double>(a.connected), 0.001)};
    for (auto& k : result_keys)
      row.push_back(s.results.count(k) ? s.results.at(k) : 0);
    std::int64_t denied = 0;
    for (auto& [reason, n] : s.denials)
      denied += n;
    row.push_back(denied);
    for (auto& reason : reasons)
      row.push_back(s.denials.count(reason) ? s.denials.at(reason) : 0);
    t.rows.push_back(std::move(row));
  }
  t.title = "Campaign Summary";
}

void campaign_compliance(storage::reporting_store& rep, const report_request& req, const config& cfg,
                         const range& r, report_table& t) {
  t.columns = {"start",     "tenant",    "campaign",     "window_days", "attempts",        "answered",
               "abandoned", "abandon_rate", "max_rate", "within_cap",  "connected",       "connected_in_2s",
               "in_2s_of_answered"};
  // The window lengths to read: every configured campaign's (one query per length and
  // bucket), the default's for campaigns the config no longer has.
  std::set<std::int64_t> windows{campaign_facts{}.window.count()};
  for (auto& c : cfg.domain.outbound.campaigns)
    if (req.object.empty() || req.object == c.name)
      windows.insert(std::chrono::milliseconds{c.abandon_window}.count());
  std::size_t buckets = 0;
  for (auto start = bucket_of(r.zone, req.by, r.from_ms, r.from_ms); start < r.to_ms;
       start = next_bucket(r, req.by, start)) {
    if (++buckets > compliance_buckets) {
      t.truncated = true;
      break;
    }
    auto end = std::min(next_bucket(r, req.by, start), r.to_ms);
    std::vector<std::tuple<std::string, storage::campaign_window, campaign_facts>> rows;
    for (auto w : windows)
      for (auto& x : rep.campaign_windows({end - w, end, {}, req.object})) {
        auto facts = facts_of(cfg, x.campaign);
        if (facts.window.count() == w && visible(req, facts.tenant))
          rows.emplace_back(x.campaign, x, facts);
      }
    std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return std::get<0>(a) < std::get<0>(b); });
    for (auto& [campaign, x, facts] : rows) {
      auto answered = static_cast<double>(x.answered);
      bool within = static_cast<double>(x.abandoned) <= facts.max_rate * answered;
      t.rows.push_back({label_of(r.zone, req.by, start), facts.tenant, campaign,
                        ratio(static_cast<double>(facts.window.count()), 86'400'000.0), x.attempts, x.answered,
                        x.abandoned, ratio(static_cast<double>(x.abandoned), answered, 100.0),
                        ratio(facts.max_rate, 1.0, 100.0), within, x.connected, x.connected_in_2s,
                        ratio(static_cast<double>(x.connected_in_2s), answered, 100.0)});
    }
  }
  t.title = "Campaign Compliance (abandon rate over each campaign's window, ending at each bucket's end)";
}

} // namespace parley::engine::report_detail
