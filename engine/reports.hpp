// reports: the historical reports (docs/reporting.md "Reports"), read from the aggregates
// and facts of storage::reporting_store and shaped into one table, the same for the
// console (a table on screen, --csv), the HTTP API (JSON or CSV) and the web UI.
//
// Times in a request are local to its zone (`tz`, else the tenant's reporting zone, else
// stats.reset_time_zone); rows are grouped into 15-minute, hour, day, week (ISO, Monday),
// month or whole-range buckets of that zone, DST-correct (date/tz). Ratios are recomputed
// from the summed numerators and denominators of the bucket, never averaged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/runtime/domain_config.hpp"
#include "engine/config.hpp"
#include "storage/reporting_store.hpp"

namespace parley::engine {

/// What a report is asked for; `parse_report_request` fills it from words or a query.
struct report_request {
  std::string name;           ///< one of report_names()
  std::string from, to;       ///< as given: YYYY-MM-DD or YYYY-MM-DDTHH:MM, local to `tz`
  std::string tz;             ///< IANA zone ("" = the tenant's reporting zone)
  std::string by = "day";     ///< 15m, hour, day, week, month, quarter, year, total
  std::string object;         ///< one queue, agent, campaign, group or tenant ("" = all)
  std::string service_level;  ///< parley, genesys, connect ("" = reporting.service_level_formula)
  std::vector<std::string> tenants;  ///< the caller's (empty: all)
};

/// A finished report: named columns and rows of JSON values (numbers stay numbers).
struct report_table {
  std::string title;
  std::string zone;           ///< the zone its times are in
  std::int64_t from_ms = 0, to_ms = 0;
  std::vector<std::string> columns;
  std::vector<std::vector<nlohmann::json>> rows;
  bool truncated = false;     ///< detail rows stopped at the limit
};

/// The report names, for help texts and the API's 404.
const std::vector<std::string>& report_names();

/// "" when `req` can be run, else why not (unknown name, bad time, bad zone, bad `by`).
std::string check_report_request(const report_request& req);

/// The instants [from, to) a checked request covers, UTC ms.
std::pair<std::int64_t, std::int64_t> report_range(const report_request& req, const config& cfg);

/// Runs `req` on `rep` (blocking: a store connection of its own). Throws storage_error.
report_table run_report(storage::reporting_store& rep, const report_request& req, const config& cfg);

/// The table as text columns for a terminal, and as CSV (RFC 4180).
std::string report_text(const report_table& t);
std::string report_csv(const report_table& t);
nlohmann::json report_json(const report_table& t);

} // namespace parley::engine
