// Historical reports over the API (docs/web.md, docs/reporting.md):
//   GET /api/v1/reports          the report names
//   GET /api/v1/reports/{name}?from=&to=&tz=&by=&queue=|agent=|campaign=|group=|tenant=&sl=&format=csv
// A report runs on a job of its own with its own store connection (it may read a month of
// rows), at most `max_running` at once (503 beyond); rows are the caller's tenants' only.
#include <algorithm>
#include <atomic>

#include <caf/all.hpp>

#include "engine/reports.hpp"
#include "engine/web/api.hpp"

namespace parley::engine::web {

namespace {

constexpr int max_running = 4;
std::atomic<int> running{0};

void names(call& c) {
  c.reply({{"reports", report_names()}});
}

void one_report(call& c) {
  auto q = [&](const char* key) {
    auto it = c.req.query.find(key);
    return it == c.req.query.end() ? std::string{} : it->second;
  };
  report_request req;
  req.name = c.params.at("name");
  req.from = q("from");
  req.to = q("to");
  req.tz = q("tz");
  if (auto by = q("by"); !by.empty())
    req.by = by;
  for (auto* k : {"queue", "agent", "campaign", "group", "tenant"})
    if (req.object.empty())
      req.object = q(k);
  req.service_level = q("sl");
  auto format = q("format");
  if (!format.empty() && format != "csv" && format != "json")
    return c.fail(400, wire::ErrorCode::invalid_argument, "format must be json or csv");
  if (std::find(report_names().begin(), report_names().end(), req.name) == report_names().end())
    return c.fail(404, wire::ErrorCode::unknown_id, check_report_request(req));
  if (auto why = check_report_request(req); !why.empty())
    return c.fail(400, wire::ErrorCode::invalid_argument, why);
  if (!c.id.who.all_tenants) {
    if (c.id.who.tenants.empty())
      return c.fail(404, wire::ErrorCode::unknown_id, "no tenant of yours has reports");
    req.tenants = c.id.who.tenants;
  }
  if (running.fetch_add(1) >= max_running) {
    running.fetch_sub(1);
    return c.fail(503, wire::ErrorCode::busy,
                  "already " + std::to_string(max_running) + " reports running; try again shortly");
  }
  auto store_cfg = store_config(c.env->cfg);
  auto copy = c;
  c.self->system().spawn<caf::detached>([copy, req, format, store_cfg](caf::event_based_actor*) {
    try {
      auto store = storage::open_store(store_cfg);
      auto table = run_report(store->reporting(), req, copy.env->cfg);
      running.fetch_sub(1);
      if (format == "csv")
        copy.respond({200, report_csv(table), "text/csv; charset=utf-8",
                      {{"Content-Disposition", "attachment; filename=\"" + req.name + "-" + req.from + ".csv\""}}});
      else
        copy.reply(report_json(table));
    } catch (const std::exception& e) {
      running.fetch_sub(1);
      copy.fail(503, wire::ErrorCode::storage_unavailable, e.what());
    }
  });
}

} // namespace

void add_report_routes(std::vector<route>& r) {
  r.push_back({verb::get, "/api/v1/reports", "report.read", names});
  r.push_back({verb::get, "/api/v1/reports/{name}", "report.read", one_report});
}

} // namespace parley::engine::web
