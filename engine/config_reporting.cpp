// The [reporting] keys of the option table (config_options.hpp): historical reporting's
// writer, its report defaults and each tenant's reporting zone (docs/reporting.md); and the
// [streams] keys: the export of the reporting events to Redis Streams (docs/streams.md).
#include <map>

#include "actors/stats/reset_schedule.hpp"
#include "engine/config_options.hpp"

namespace parley::engine::config_detail {

void add_reporting_options(std::vector<option>& o) {
  o.push_back(flag("reporting.enabled", [](config& c) -> auto& { return c.reporting.enabled; },
                   "write historical facts from the event log and aggregate them (docs/reporting.md)"));
  o.push_back(duration_ms("reporting.poll_ms", 10, 60'000, [](config& c) -> auto& { return c.reporting.poll; },
                          "how often the fact writer looks for new events (real time)"));
  o.push_back(integer("reporting.batch_events", 1, 1'000'000,
                      [](config& c) -> auto& { return c.reporting.batch_events; },
                      "events per fact transaction at most"));
  o.push_back(integer("reporting.short_abandon_s", 0, 3600,
                      [](config& c) -> auto& { return c.reporting.short_abandon_s; },
                      "an abandon after a wait shorter than this counts as short"));
  o.push_back(text("reporting.service_level_formula",
                   [](config& c) -> auto& { return c.reporting.service_level_formula; },
                   [](const std::string& v) -> std::string {
                     return v == "parley" || v == "genesys" || v == "connect"
                              ? std::string{}
                              : "\"" + v + "\" is not parley, genesys or connect";
                   },
                   "service level in reports: parley (the statistic's), genesys or connect"));
  o.push_back(integer("reporting.events_days", 0, 36'500, [](config& c) -> auto& { return c.reporting.events_days; },
                      "days the raw event log and the VQ event log are kept (events once their facts are written; 0: forever)"));
  o.push_back(integer("reporting.facts_days", 0, 36'500, [](config& c) -> auto& { return c.reporting.facts_days; },
                      "days facts, dial attempts and denials are kept (0: forever; attempts at least as "
                      "long as compliance reads them)"));
  o.push_back(integer("reporting.aggregates_days", 0, 36'500,
                      [](config& c) -> auto& { return c.reporting.aggregates_days; },
                      "days the 15-minute aggregates are kept (0: forever; not fewer than facts_days)"));
  o.push_back(text("reporting.retention_cron", [](config& c) -> auto& { return c.reporting.retention_cron; },
                   [](const std::string&) { return std::string{}; },  // checked with its zone
                   "when retention runs unless a [[schedule]] entry has action = \"retention\" (\"\": never)"));
  o.push_back(text("reporting.retention_zone", [](config& c) -> auto& { return c.reporting.retention_zone; },
                   [](const std::string&) { return std::string{}; },
                   "the IANA zone of reporting.retention_cron"));
  o.push_back({"reporting.buckets_s", kind::integer_list,
               "edges in seconds of the Abandon Delay and Speed of Accept buckets, ascending, up to 20",
               [](config& c, const toml::node& n) -> std::string {
                 std::vector<std::uint32_t> edges;
                 for (auto& e : *n.as_array()) {
                   auto v = e.as_integer()->get();
                   if (v <= 0 || v > 86'400 || (!edges.empty() && v <= edges.back()))
                     return "edges must be seconds from 1 to 86400, ascending";
                   edges.push_back(static_cast<std::uint32_t>(v));
                 }
                 if (edges.empty() || edges.size() > 20)
                   return "between 1 and 20 edges";
                 c.reporting.buckets_s = std::move(edges);
                 return {};
               },
               [](const config& c) {
                 std::string out = "[";
                 for (auto e : c.reporting.buckets_s)
                   out += (out.size() > 1 ? ", " : "") + std::to_string(e);
                 return out + "]";
               }});
  o.push_back({"reporting.time_zones", kind::string_list,
               "each tenant's reporting time zone, as \"tenant=IANA zone\" (others: stats.reset_time_zone)",
               [](config& c, const toml::node& n) -> std::string {
                 std::map<std::string, std::string> zones;
                 for (auto& e : *n.as_array()) {
                   auto v = e.as_string()->get();
                   auto eq = v.find('=');
                   if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
                     return "\"" + v + "\" is not tenant=zone (e.g. \"acme=America/New_York\")";
                   auto zone = v.substr(eq + 1);
                   if (auto why = stats::check_time_zone(zone); !why.empty())
                     return why;
                   if (!zones.emplace(v.substr(0, eq), zone).second)
                     return "tenant " + v.substr(0, eq) + " is named twice";
                 }
                 c.reporting.time_zones = std::move(zones);
                 return {};
               },
               [](const config& c) {
                 std::string out = "[";
                 for (auto& [tenant, zone] : c.reporting.time_zones)
                   out += (out.size() > 1 ? ", \"" : "\"") + tenant + "=" + zone + "\"";
                 return out + "]";
               }});
}

void add_streams_options(std::vector<option>& o) {
  o.push_back(flag("streams.export", [](config& c) -> auto& { return c.streams.export_events; },
                   "append every stored reporting and VQ event to Redis Streams (needs redis.host; docs/streams.md)"));
  o.push_back(text("streams.prefix", [](config& c) -> auto& { return c.streams.prefix; }, non_empty,
                   "key prefix of the streams: <prefix><tenant>:events"));
  o.push_back(integer("streams.max_len", 0, 1'000'000'000, [](config& c) -> auto& { return c.streams.max_len; },
                      "entries each stream keeps, about (0: no cap)"));
  o.push_back(integer("streams.max_age_s", 0, std::int64_t{36'500} * 86'400, [](config& c) -> auto& { return c.streams.max_age_s; },
                      "entries whose event is older than this are trimmed (0: no cap)"));
  o.push_back(integer("streams.batch_events", 1, 100'000,
                      [](config& c) -> auto& { return c.streams.batch_events; },
                      "events per append transaction at most"));
  o.push_back(duration_ms("streams.poll_ms", 10, 60'000, [](config& c) -> auto& { return c.streams.poll; },
                          "how often the exporter looks for new events once it has them all (real time)"));
  // Routing over Redis Streams: queues with router = "stream".
  o.push_back(text("streams.consumer", [](config& c) -> auto& { return c.streams.consumer; }, non_empty,
                   "this engine's consumer name in the group \"parley\" that reads <prefix><tenant>:instructions"));
  o.push_back(text("streams.router_group", [](config& c) -> auto& { return c.streams.router_group; }, non_empty,
                   "the routers' consumer group on <prefix><tenant>:to-route (the engine creates it)"));
  o.push_back(duration_ms("streams.claim_idle_ms", 100, 3'600'000,
                          [](config& c) -> auto& { return c.streams.claim_idle; },
                          "instructions another consumer of \"parley\" left pending this long are claimed"));
  o.push_back(integer("streams.route_max_len", 0, 1'000'000'000,
                      [](config& c) -> auto& { return c.streams.route_max_len; },
                      "routing requests <prefix><tenant>:to-route keeps, about (0: no cap)"));
}

} // namespace parley::engine::config_detail
