#include "engine/list_jobs.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <caf/all.hpp>
#include <date/date.h>
#include <spdlog/spdlog.h>

#include "actors/outbound/campaign_actor.hpp"
#include "actors/outbound/list_import.hpp"
#include "actors/outbound/record_fields.hpp"
#include "actors/runtime/domain.hpp"
#include "actors/runtime/types.hpp"
#include "engine/console/console_state.hpp"

namespace parley::engine {

namespace fs = std::filesystem;

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

} // namespace

namespace {

/// FILE inside `dir` (relative to it, or absolute), resolved; empty and `why` set when it
/// lies outside (.. or links included) or is the directory itself.
fs::path inside(const std::string& dir, const std::string& file, std::string& why) {
  std::error_code ec;
  auto base = fs::weakly_canonical(fs::absolute(dir), ec);
  auto path = fs::weakly_canonical(fs::path(file).is_absolute() ? fs::path(file) : base / file, ec);
  auto [b, p] = std::mismatch(base.begin(), base.end(), path.begin(), path.end());
  if (ec || b != base.end() || p == path.end()) {
    why = "\"" + file + "\" is outside the import directory " + base.string()
          + " (outbound.import_dir)";
    return {};
  }
  return path;
}

} // namespace

std::string resolve_export_file(const std::string& dir, const std::string& file, std::string& why) {
  auto path = inside(dir, file, why);
  std::error_code ec;
  if (!path.empty() && fs::exists(path, ec)) {
    why = "\"" + path.string() + "\" exists already (an export never overwrites)";
    return {};
  }
  return path.string();
}

std::string resolve_import_file(const std::string& dir, const std::string& file,
                                std::string& why) {
  auto path = inside(dir, file, why);
  std::error_code ec;
  if (!path.empty() && !fs::is_regular_file(path, ec)) {
    why = "no file \"" + path.string() + "\"";
    return {};
  }
  return path.string();
}

outbound::import_options import_settings(const config& cfg) {
  outbound::import_options opt;
  opt.default_prefix = cfg.outbound.default_country_prefix;
  opt.default_zone = cfg.outbound.default_timezone;
  opt.chunk_rows = cfg.outbound.import_chunk_rows;
  return opt;
}

caf::actor start_list_import(caf::actor_system& sys, const caf::actor& console, const config& cfg,
                             list_import_request req) {
  auto opt = import_settings(cfg);
  opt.file = req.file;
  opt.append = req.append;
  opt.dedupe = req.dedupe;
  auto store_cfg = store_config(cfg);
  auto dir = import_dir(cfg);
  return sys.spawn<caf::detached>([=](caf::event_based_actor* self) mutable {
    auto answer = [&](const std::string& text) { self->send(console, import_atom_v, text); };
    auto& list = req.list;
    std::string why;
    auto path = resolve_import_file(dir, req.file, why);
    if (path.empty())
      return answer("error: " + why + "\n");
    std::ifstream in{path, std::ios::binary};
    if (!in)
      return answer("error: cannot read \"" + path + "\"\n");
    try {
      auto store = storage::open_store(store_cfg);
      try {
        opt.mapping = outbound::resolve_mapping(store->outbound(), req.saved_mapping, req.mapping);
      } catch (const std::invalid_argument& e) {
        return answer(std::string{"error: "} + e.what() + "\n");
      }
      auto started = std::chrono::steady_clock::now();
      auto res = outbound::import_csv(
        store->outbound(), list, in, opt, now_ms(), [&](std::uint64_t rows, std::uint64_t imported) {
          self->send(console, progress_atom_v,
                     "progress: " + std::to_string(rows) + " row(s) read, "
                       + std::to_string(imported) + " imported\n");
        });
      auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (res.refused())
        spdlog::warn("list import {} from {}: refused: {}", list, path, res.error);
      else
        spdlog::info("list import {} from {}: {} read, {} imported, {} rejected{} in {:.2f} s{}",
                     list, path, res.rows, res.imported, res.rejected,
                     res.dedupe ? ", " + std::to_string(res.duplicates) + " duplicate(s)" : "",
                     secs, res.ok() ? "" : " (" + res.error + ")");
      std::ostringstream took;
      took.precision(2);
      if (res.ok())
        took << std::fixed << "took " << secs << " s\n";
      if ((res.ok() || res.refused()) && req.then == after_import::rename) {
        auto done = path + (res.ok() ? ".imported-" : ".duplicate-")
                    + date::format("%Y%m%dT%H%M%SZ", date::floor<std::chrono::seconds>(
                                                       std::chrono::system_clock::now()));
        std::error_code ec;
        fs::rename(path, done, ec);
        took << (ec ? "could not rename the file: " + ec.message() : "file renamed to " + done)
             << "\n";
      }
      answer(res.summary(list) + took.str());
    } catch (const storage::storage_error& e) {
      answer(std::string{"error: storage: "} + e.what() + "\n");
    }
  });
}

void check_list_unused(caf::event_based_actor* self, const domain_ptr& dom, const std::string& list,
                       std::function<void(std::string)> done) {
  std::vector<outbound::campaign_actor> users;
  std::vector<std::string> names;
  for (auto& c : dom->cfg->outbound.campaigns)
    if (std::find(c.lists.begin(), c.lists.end(), list) != c.lists.end())
      if (auto a = dom->campaign(c.name)) {  // one a reload added is not spawned: nothing dials it
        users.push_back(a);
        names.push_back(c.name);
      }
  if (users.empty())
    return done({});
  auto objections = std::make_shared<std::map<std::string, std::string>>();
  auto left = std::make_shared<std::size_t>(users.size());
  auto decide = [=] {
    if (--*left == 0)
      done(objections->empty() ? std::string{} : objections->begin()->second);
  };
  for (std::size_t i = 0; i < users.size(); ++i) {
    auto name = names[i];
    self->request(users[i], std::chrono::seconds{5}, campaign_atom_v, caf::get_atom_v)
      .then(
        [=](const outbound::campaign_view& v) {
          if (v.state == "running" || v.state == "paused")
            (*objections)[name] = "campaign " + name + " is " + v.state;
          else if (v.in_flight > 0)
            (*objections)[name] = "campaign " + name + " is " + v.state + " but " + std::to_string(v.in_flight) +
                                  " of its call(s) are under way";
          decide();
        },
        [=](caf::error& e) {
          (*objections)[name] = "campaign " + name + " did not say whether it runs (" + describe(e) + ")";
          decide();
        });
  }
}

void start_list_delete(caf::actor_system& sys, const caf::actor& console, const config& cfg,
                       std::string list) {
  auto store_cfg = store_config(cfg);
  sys.spawn<caf::detached>([=](caf::event_based_actor* self) {
    auto answer = [=](const std::string& text) { self->send(console, import_atom_v, text); };
    try {
      auto store = storage::open_store(store_cfg);
      auto gone = store->outbound().delete_list(list);
      if (!gone)
        return answer("error: no contact list named " + list + " (see show lists)\n");
      spdlog::info("list delete {}: list {} with {} record(s) and {} import(s) removed", list,
                   gone->list_id, gone->records, gone->imports);
      answer("list " + list + " deleted: " + std::to_string(gone->records) + " record(s) and "
             + std::to_string(gone->imports) + " import(s) removed; its dial attempts and "
             "compliance denials are kept (list id " + std::to_string(gone->list_id) + ")\n");
    } catch (const storage::storage_error& e) {
      answer(std::string{"error: storage: "} + e.what() + "\n");
    }
  });
}

void start_list_export(caf::actor_system& sys, const caf::actor& console, const config& cfg,
                       outbound::list_store_actor list_store, std::string list, std::string file) {
  auto store_cfg = store_config(cfg);
  auto dir = import_dir(cfg);
  sys.spawn<caf::detached>([=](caf::event_based_actor* self) {
    auto answer = [=](const std::string& text) { self->send(console, import_atom_v, text); };
    auto run = [=] {
      std::string why;
      auto path = resolve_export_file(dir, file, why);
      if (path.empty())
        return answer("error: " + why + "\n");
      try {
        auto store = storage::open_store(store_cfg);
        auto& ob = store->outbound();
        auto l = ob.list(list);
        if (!l)
          return answer("error: no contact list named " + list + " (see show lists)\n");
        auto tmp = path + ".part";
        std::uint64_t rows = 0;
        {
          std::ofstream out{tmp, std::ios::binary | std::ios::trunc};
          if (!out)
            return answer("error: cannot write \"" + tmp + "\"\n");
          rows = outbound::export_csv(ob, l->id, out);
          out.flush();
          if (!out) {
            std::error_code ec;
            fs::remove(tmp, ec);
            return answer("error: writing \"" + tmp + "\" failed (disk full?)\n");
          }
        }
        fs::rename(tmp, path);  // readers never see half a file
        answer("list " + list + ": " + std::to_string(rows) + " record(s) exported to " + path + "\n");
      } catch (const storage::storage_error& e) {
        answer(std::string{"error: storage: "} + e.what() + "\n");
      } catch (const fs::filesystem_error& e) {
        answer(std::string{"error: "} + e.what() + "\n");
      }
    };
    if (!list_store)
      return run();
    // Outcomes the campaigns sent are buffered for group commit: the export shows them.
    self->request(list_store, std::chrono::seconds{10}, sync_atom_v)
      .then([=](caf::ok_atom) { run(); },
            [=](caf::error& e) { answer("error: contact lists not synced: " + describe(e) + "\n"); });
  });
}

namespace {

std::string last_import(storage::outbound_store& ob, std::uint64_t list_id) {
  auto last = ob.imports(list_id, 1);
  if (last.empty())
    return "-";
  auto& i = last.front();
  std::string out = outbound::utc_time(i.started_ms) + " " + i.file + " " + std::to_string(i.rows)
                    + " read, " + std::to_string(i.imported) + " imported, "
                    + std::to_string(i.rejected) + " rejected";
  if (i.deduped)
    out += ", " + std::to_string(i.duplicates) + " duplicate(s)";
  if (i.appended)
    out += " (--append)";
  if (!i.finished())
    out += " (running)";
  else if (!i.error.empty())
    out += " (stopped early: " + i.error + ")";
  return out;
}

} // namespace

void start_show_lists(caf::actor_system& sys, const caf::actor& console, const config& cfg) {
  auto store_cfg = store_config(cfg);
  sys.spawn<caf::detached>([=](caf::event_based_actor* self) {
    try {
      auto store = storage::open_store(store_cfg);
      auto& ob = store->outbound();
      std::ostringstream o;
      o << pad("LIST", 24) << pad("RECORDS", 12) << pad("CREATED", 22) << "LAST IMPORT\n";
      auto all = ob.lists();
      for (auto& l : all)
        o << pad(l.name, 24) << pad(std::to_string(l.records), 12)
          << pad(outbound::utc_time(l.created_ms), 22) << last_import(ob, l.id) << "\n";
      o << all.size() << " list(s)\n";
      self->send(console, import_atom_v, o.str());
    } catch (const storage::storage_error& e) {
      self->send(console, import_atom_v, std::string{"error: storage: "} + e.what() + "\n");
    }
  });
}

} // namespace parley::engine
