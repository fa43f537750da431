// The console's `report` command: historical reports (engine/reports.hpp) as a table on
// screen or a CSV file in the import directory, run on a job with its own store connection;
// `report status` and `report rebuild` ask the history actor (engine/history.hpp).
#include <filesystem>
#include <fstream>

#include <caf/all.hpp>

#include "engine/console/console_state.hpp"
#include "engine/list_jobs.hpp"
#include "engine/reports.hpp"
#include "engine/retention.hpp"
#include "actors/outbound/record_fields.hpp"

namespace parley::engine {

namespace {

const char* report_usage =
  "usage: report NAME --from DATE [--to DATE] [--tz ZONE] [--by 15m|hour|day|week|month|quarter|year|total] "
  "[--queue Q | --agent A | --campaign C | --group G | --tenant T] [--sl parley|genesys|connect] [--csv FILE] | "
  "report status | report rebuild --from DATE [--to DATE] [--tz ZONE] | report retention";

/// Writes `text` to a new file FILE in `dir` (aside, then renamed); "" or why not.
std::string write_new(const std::string& dir, const std::string& file, const std::string& text) {
  std::string why;
  auto path = resolve_export_file(dir, file, why);
  if (path.empty())
    return why;
  std::error_code ec;
  auto aside = path + ".part";
  {
    std::ofstream out{aside, std::ios::binary | std::ios::trunc};
    out << text;
    if (!out.flush())
      return "cannot write " + aside;
  }
  std::filesystem::rename(aside, path, ec);
  return ec ? "cannot rename " + aside + ": " + ec.message() : std::string{};
}

} // namespace

void run_report_command(console_self self, const std::vector<std::string>& w, const std::string& line) {
  auto& env = *self->state.env;
  if (w.size() == 2 && w[1] == "status") {
    if (!env.history)
      return fail(self, "historical reporting is off (reporting.enabled = false, or no store)");
    self->request(env.history, std::chrono::seconds{10}, caf::get_atom_v)
      .then(
        [=](const history_status& s) {
          done(self, "facts through event " + std::to_string(s.watermark) + " (engine time "
                       + std::to_string(s.watermark_ms) + "), " + std::to_string(s.dirty)
                       + " interval(s) to aggregate, lag " + std::to_string(s.lag_ms / 1000) + " s, "
                       + std::to_string(s.facts) + " fact(s) written by this run"
                       + (s.final_before_ms ? ", facts before " + outbound::utc_time(s.final_before_ms).substr(0, 10)
                                                + " deleted by retention (their aggregates are final)"
                                            : "")
                       + (s.error.empty() ? "" : ", last error: " + s.error) + "\n");
        },
        [=](caf::error& e) { fail(self, describe(e)); });
    return;
  }
  if (w.size() == 2 && w[1] == "retention") {
    if (self->state.level < role::admin)
      return fail(self, "report retention needs the admin level");
    self->state.job_line = line;  // it deletes: audited
    start_retention(self->system(), caf::actor{self}, env.cfg, env.domain->clk->now_ms());
    return;
  }
  report_request req;
  req.name = w.size() > 1 ? w[1] : "";
  std::string csv;
  for (std::size_t i = 2; i < w.size(); ++i) {
    auto& k = w[i];
    if (i + 1 >= w.size())
      return fail(self, report_usage);
    auto& v = w[++i];
    if (k == "--from")
      req.from = v;
    else if (k == "--to")
      req.to = v;
    else if (k == "--tz")
      req.tz = v;
    else if (k == "--by")
      req.by = v;
    else if (k == "--queue" || k == "--agent" || k == "--campaign" || k == "--group" || k == "--tenant")
      req.object = v;
    else if (k == "--sl")
      req.service_level = v;
    else if (k == "--csv")
      csv = v;
    else
      return fail(self, report_usage);
  }
  if (req.name == "rebuild") {
    if (self->state.level < role::admin)
      return fail(self, "report rebuild needs the admin level");
    if (!env.history)
      return fail(self, "historical reporting is off (reporting.enabled = false, or no store)");
    req.name = "queue-summary";  // only the range is checked
    if (auto why = check_report_request(req); !why.empty())
      return audited(self, line, [=] { return "error: " + why + "\n"; });
    auto [from_ms, to_ms] = report_range(req, env.cfg);
    self->request(env.history, std::chrono::seconds{30}, rebuild_atom_v, from_ms, to_ms)
      .then(
        [=](std::uint64_t n) {
          audited(self, line, [=] {
            return std::to_string(n) + " interval(s) marked for aggregation; they are recomputed from the facts\n";
          });
        },
        [=](caf::error& e) { audited(self, line, [=] { return "error: " + describe(e) + "\n"; }); });
    return;
  }
  if (auto why = check_report_request(req); !why.empty())
    return fail(self, why + "\n" + report_usage);
  if (!csv.empty())
    self->state.job_line = line;  // a file is written: audited
  auto store_cfg = store_config(env.cfg);
  auto cfg = std::make_shared<const config>(env.cfg);
  auto dir = import_dir(env.cfg);
  auto console = caf::actor{self};
  self->system().spawn<caf::detached>([=](caf::event_based_actor* job) {
    auto answer = [&](const std::string& text) { job->send(console, import_atom_v, text); };
    try {
      auto store = storage::open_store(store_cfg);
      auto table = engine::run_report(store->reporting(), req, *cfg);
      if (csv.empty())
        return answer(report_text(table));
      auto why = write_new(dir, csv, report_csv(table));
      answer(why.empty() ? std::to_string(table.rows.size()) + " row(s) written to " + csv + "\n"
                         : "error: " + why + "\n");
    } catch (const std::exception& e) {
      answer(std::string{"error: "} + e.what() + "\n");
    }
  });
}

} // namespace parley::engine
