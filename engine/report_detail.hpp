// report_detail: what the report files share (reports.cpp, reports_campaign.cpp) — the
// range a request covers and the buckets of its zone, and how numbers are shown.
#pragma once

#include <cstdint>
#include <string>

#include <date/tz.h>
#include <nlohmann/json.hpp>

#include "engine/reports.hpp"

namespace parley::engine::report_detail {

/// The instants [from_ms, to_ms) a request covers, in its zone.
struct range {
  const date::time_zone* zone = nullptr;
  std::int64_t from_ms = 0, to_ms = 0;
};

/// The start of the bucket (`by`: 15m, hour, day, week, month, quarter, year, total) `ms` falls in.
std::int64_t bucket_of(const date::time_zone* z, const std::string& by, std::int64_t ms, std::int64_t from_ms);
/// The bucket's name in its zone ("2026-03-08", "2026-11-01 01:00 EST", "total").
std::string label_of(const date::time_zone* z, const std::string& by, std::int64_t ms);
/// Milliseconds as seconds, one decimal.
nlohmann::json seconds(std::int64_t ms);
/// num / den × scale, one decimal; null when there is nothing to divide by.
nlohmann::json ratio(double num, double den, double scale = 1.0);

/// Campaign Summary and Campaign Compliance (reports_campaign.cpp).
void campaign_summary(storage::reporting_store& rep, const report_request& req, const config& cfg,
                      const range& r, report_table& t);
void campaign_compliance(storage::reporting_store& rep, const report_request& req, const config& cfg,
                         const range& r, report_table& t);

} // namespace parley::engine::report_detail
