// The API's contact-list routes: the lists a user sees (those the campaigns of their tenants
// dial; every list for a user of every tenant), creating one, uploading a CSV as an
// asynchronous import job with its progress and rejects file, previewing a CSV's columns
// and the mapping an import would use, exporting a list with its results, deleting one.
#include <sstream>

#include <caf/all.hpp>

#include "actors/outbound/csv_reader.hpp"
#include "actors/outbound/list_import.hpp"
#include "actors/outbound/record_fields.hpp"
#include "engine/list_jobs.hpp"
#include "engine/web/api.hpp"
#include "engine/web/import_jobs.hpp"
#include "engine/web/store_worker.hpp"
#include "engine/web/users.hpp"

namespace parley::engine::web {

namespace {

/// Exports beyond this many records are the console's job (`list export` writes a file).
constexpr std::uint64_t max_export_records = 2'000'000;

json import_row_json(const storage::import_row& i) {
  return {{"file", i.file},
          {"started", outbound::utc_time(i.started_ms)},
          {"finished", i.finished() ? json(outbound::utc_time(i.finished_ms)) : json(nullptr)},
          {"rows", i.rows},
          {"imported", i.imported},
          {"rejected", i.rejected},
          {"duplicates", i.duplicates},
          {"error", i.error}};
}

json list_json(storage::outbound_store& o, const storage::list_row& l, std::size_t imports) {
  json history = json::array();
  for (auto& i : o.imports(l.id, imports))
    history.push_back(import_row_json(i));
  return {{"name", l.name}, {"records", l.records}, {"created", outbound::utc_time(l.created_ms)}, {"imports", history}};
}

void lists(call& c) {
  on_outbound(c, [](const call& c, storage::outbound_store& o) {
    json items = json::array();
    for (auto& l : o.lists())
      if (sees_list(c, l.name))
        items.push_back(list_json(o, l, 1));
    c.reply({{"lists", items}});
  });
}

/// Runs `work` with the list named in the path when it exists and the caller sees it (else
/// answers 404).
template <class Work>
void with_list(const call& c, Work work) {
  auto name = c.params.at("name");
  if (!sees_list(c, name))
    return c.fail(404, wire::ErrorCode::unknown_id, "no list named " + name);
  on_outbound(c, [name, work](const call& c, storage::outbound_store& o) {
    auto l = o.list(name);
    if (!l)
      return c.fail(404, wire::ErrorCode::unknown_id, "no list named " + name);
    work(c, o, *l);
  });
}

void one_list(call& c) {
  with_list(c, [](const call& c, storage::outbound_store& o, const storage::list_row& l) {
    c.reply(list_json(o, l, 20));
  });
}

void create_list(call& c) {
  auto body = c.body_object();
  if (!body)
    return;
  auto name = body->value("name", json()).is_string() ? (*body)["name"].get<std::string>() : "";
  if (auto why = name_problem(name, "a list"); !why.empty())
    return c.refused(400, wire::ErrorCode::invalid_argument, why);
  if (!sees_list(c, name))
    return c.refused(403, wire::ErrorCode::not_allowed,
                     "a user of some tenants creates only lists their campaigns dial");
  on_outbound(c, [name](const call& c, storage::outbound_store& o) {
    try {
      auto l = o.create_list(name, now_ms());
      c.changed(list_json(o, l, 1), 201);
    } catch (const storage::storage_error& e) {
      if (e.transient())
        throw;
      c.refused(409, wire::ErrorCode::invalid_argument, e.what());
    }
  });
}

bool flag(const call& c, const char* key) {
  auto it = c.req.query.find(key);
  return it != c.req.query.end() && (it->second == "1" || it->second == "true" || it->second.empty());
}

/// A download's file name: what a header may carry safely.
std::string file_name(std::string s) {
  for (auto& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '-')
      ch = '_';
  return s;
}

std::string job_location(std::uint64_t id) {
  return "/api/v1/imports/" + std::to_string(id);
}

json job_json(const import_job& j) {
  double done = j.state != "running" ? 100.0
                : j.expected_rows   ? std::min(99.0, 100.0 * double(j.rows) / double(j.expected_rows))
                                    : 0.0;
  return {{"id", j.id},
          {"list", j.list},
          {"file", j.file},
          {"user", j.user},
          {"state", j.state},
          {"started", outbound::utc_time(j.started_ms)},
          {"finished", j.finished_ms ? json(outbound::utc_time(j.finished_ms)) : json(nullptr)},
          {"expected_rows", j.expected_rows},
          {"rows", j.rows},
          {"imported", j.imported},
          {"rejected", j.rejected},
          {"duplicates", j.duplicates},
          {"percent", done},
          {"error", j.error},
          {"rejects", j.rejected > 0 && j.state != "running" ? json(job_location(j.id) + "/rejects") : json(nullptr)}};
}

/// The mapping ?mapping_name= (a saved one) and ?mapping= (field=Column,..., over it) give,
/// passed to `then` in the store worker or straight away; answered 400 when there is none.
void with_mapping(const call& c, std::function<void(const call&, std::map<std::string, std::string>)> then) {
  auto query = [&](const char* key) {
    auto it = c.req.query.find(key);
    return it == c.req.query.end() ? std::string{} : it->second;
  };
  auto saved = query("mapping_name");
  auto text = query("mapping");
  auto resolve = [then, saved, text](const call& c, storage::outbound_store* o) {
    std::map<std::string, std::string> m;
    try {
      m = o ? outbound::resolve_mapping(*o, saved, text) : outbound::parse_mapping(text);
    } catch (const std::invalid_argument& e) {
      return c.error(400, wire::ErrorCode::invalid_argument, e.what());
    }
    then(c, std::move(m));
  };
  if (saved.empty())
    return resolve(c, nullptr);
  on_outbound(c, [resolve](const call& c, storage::outbound_store& o) { resolve(c, &o); });
}

/// POST /api/v1/lists/{name}/imports: the body is the CSV; ?mapping_name= a saved mapping,
/// ?mapping=field=Column,... (over it), ?append, ?dedupe, ?file= (the name the history shows).
void start_import(call& c) {
  auto name = c.params.at("name");
  if (auto why = name_problem(name, "a list"); !why.empty())
    return c.refused(400, wire::ErrorCode::invalid_argument, why);
  if (!sees_list(c, name))
    return c.refused(404, wire::ErrorCode::unknown_id, "no list named " + name + " among your campaigns' lists");
  if (c.req.body.empty())
    return c.refused(400, wire::ErrorCode::invalid_argument, "the body must be the CSV file (a header line first)");
  import_request req{name, "upload", {}, c.id.who.name, flag(c, "append"), flag(c, "dedupe")};
  if (auto it = c.req.query.find("file"); it != c.req.query.end() && !it->second.empty())
    req.file = it->second.substr(0, 200);
  auto csv = std::make_shared<std::string>(std::move(c.req.body));
  with_mapping(c, [req, csv](const call& c, std::map<std::string, std::string> mapping) mutable {
    req.mapping = std::move(mapping);
    auto id = c.imports->start(c.env->system, c.env->cfg, std::move(req), csv);
    if (!id)
      return c.refused(503, wire::ErrorCode::busy,
                       std::to_string(import_jobs::max_running) + " imports run already; try again when one ends");
    auto job = c.imports->get(*id);
    c.env->audit->write(c.req.peer, c.id.who.level, c.action + " " + c.req.path, "ok", c.id.who.name);
    c.respond({202, job_json(*job).dump(), "application/json", {{"Location", job_location(*id)}}});
  });
}

/// The job named in the path, when the caller may see its list (else answered 404).
std::optional<import_job> visible_job(const call& c) {
  std::uint64_t id = 0;
  try {
    id = std::stoull(c.params.at("id"));
  } catch (const std::exception&) {
  }
  auto job = id ? c.imports->get(id) : std::nullopt;
  if (!job || !sees_list(c, job->list)) {
    c.fail(404, wire::ErrorCode::unknown_id, "no import job " + c.params.at("id"));
    return std::nullopt;
  }
  return job;
}

void import_status(call& c) {
  if (auto job = visible_job(c))
    c.reply(job_json(*job));
}

void import_rejects(call& c) {
  auto job = visible_job(c);
  if (!job)
    return;
  std::string out = "line,reason\n";
  for (auto& r : job->rejects)
    out += std::to_string(r.line) + "," + outbound::csv_field(r.reason) + "\n";
  c.respond({200, std::move(out), "text/csv; charset=utf-8",
             {{"Content-Disposition", "attachment; filename=\"" + file_name(job->list) + "-import-"
                                        + std::to_string(job->id) + "-rejects.csv\""}}});
}

void preview_with(const call& c, std::map<std::string, std::string> mapping) {
  std::istringstream in{c.req.body.substr(0, 1 << 20)};
  outbound::csv_reader r{in};
  std::vector<std::string> header, fields;
  if (!r.next(header) || !r.error().empty())
    return c.fail(400, wire::ErrorCode::invalid_argument, "no CSV header line");
  json used = json::object();
  std::vector<bool> custom(header.size(), true);
  for (auto& field : outbound::mappable_fields()) {
    auto it = mapping.find(field);
    auto column = it == mapping.end() ? field : it->second;
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == column) {
        used[field] = column;
        custom[i] = false;
      }
  }
  json rest = json::array();
  for (std::size_t i = 0; i < header.size(); ++i)
    if (custom[i])
      rest.push_back(header[i]);
  json rows = json::array();
  while (rows.size() < 5 && r.next(fields))
    rows.push_back(fields);
  c.reply({{"columns", header},
           {"mapping", used},
           {"custom", rest},
           {"fields", outbound::mappable_fields()},
           {"rows", rows},
           {"problems", used.contains("phone") ? json::array() : json::array({"no phone column: map one, e.g. phone=Phone Number"})}});
}

/// POST /api/v1/lists/preview: the first lines of a CSV → its columns, the mapping an
/// import would use (?mapping_name= and ?mapping= first, then columns named like a field),
/// what would go to the record's custom fields, and the first rows.
void preview(call& c) {
  with_mapping(c, preview_with);
}

/// DELETE /api/v1/lists/{name}: as the console's `list delete` — refused while a campaign
/// dialing it runs, is paused or has calls under way; the records and import history go,
/// the dial attempts and compliance denials stay.
void delete_list(call& c) {
  auto name = c.params.at("name");
  if (!sees_list(c, name))
    return c.refused(404, wire::ErrorCode::unknown_id, "no contact list named " + name);
  if (!owns_list(c, name))
    return c.refused(403, wire::ErrorCode::not_allowed,
                     "list " + name + " is dialed by campaigns of other tenants too: a user of every tenant deletes it");
  check_list_unused(c.self, c.env->domain, name, [c, name](std::string objection) {
    if (!objection.empty())
      return c.refused(409, wire::ErrorCode::wrong_state,
                       "list " + name + " is in use: " + objection + "; stop the campaign first");
    on_outbound(c, [name](const call& c, storage::outbound_store& o) {
      auto gone = o.delete_list(name);
      if (!gone)
        return c.refused(404, wire::ErrorCode::unknown_id, "no contact list named " + name);
      c.changed({{"name", name}, {"records", gone->records}, {"imports", gone->imports}});
    });
  });
}

void export_list(call& c) {
  with_list(c, [](const call& c, storage::outbound_store& o, const storage::list_row& l) {
    if (l.records > max_export_records)
      return c.fail(413, wire::ErrorCode::limit_exceeded,
                    "list " + l.name + " has " + std::to_string(l.records) + " records; export it with the console's "
                      + "`list export` (a file), the API exports up to " + std::to_string(max_export_records));
    std::ostringstream out;
    outbound::export_csv(o, l.id, out);
    c.respond({200, out.str(), "text/csv; charset=utf-8",
               {{"Content-Disposition", "attachment; filename=\"" + file_name(l.name) + ".csv\""}}});
  });
}

} // namespace

bool sees_list(const call& c, const std::string& name) {
  if (c.id.who.all_tenants)
    return true;
  for (auto& k : c.env->domain->cfg->outbound.campaigns)
    if (std::find(k.lists.begin(), k.lists.end(), name) != k.lists.end() && c.id.who.sees(c.queue_tenant(k.queue)))
      return true;
  return false;
}

bool owns_list(const call& c, const std::string& name) {
  if (c.id.who.all_tenants)
    return true;
  for (auto& k : c.env->domain->cfg->outbound.campaigns)
    if (std::find(k.lists.begin(), k.lists.end(), name) != k.lists.end() && !c.id.who.sees(c.queue_tenant(k.queue)))
      return false;
  return true;
}

void on_outbound(const call& c, std::function<void(const call&, storage::outbound_store&)> work) {
  auto copy = c;
  run_on(c.auth->db(), {[copy, work](storage::store& st) { work(copy, st.outbound()); },
                        [copy](const std::string& why) { copy.fail(503, wire::ErrorCode::storage_unavailable, why); }});
}

void add_list_routes(std::vector<route>& r) {
  r.push_back({verb::get, "/api/v1/lists", "list.read", lists});
  r.push_back({verb::post, "/api/v1/lists", "list.create", create_list});
  r.push_back({verb::post, "/api/v1/lists/preview", "list.import", preview});
  r.push_back({verb::get, "/api/v1/lists/{name}", "list.read", one_list});
  r.push_back({verb::delete_, "/api/v1/lists/{name}", "list.delete", delete_list});
  r.push_back({verb::post, "/api/v1/lists/{name}/imports", "list.import", start_import});
  r.push_back({verb::get, "/api/v1/lists/{name}/export", "list.export", export_list});
  r.push_back({verb::get, "/api/v1/imports/{id}", "list.read", import_status});
  r.push_back({verb::get, "/api/v1/imports/{id}/rejects", "list.read", import_rejects});
}

} // namespace parley::engine::web
