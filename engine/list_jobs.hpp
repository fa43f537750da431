// list_jobs: contact-list jobs — import, export, delete, listing — for the console (`list
// import|export|delete`, `show lists`) and the job scheduler (timed imports). Files and
// databases block, so each job runs in a detached actor of its own with its own store
// connection (never on the actor threads); it sends (progress_atom, std::string line) to
// `to` while it works and (import_atom, std::string answer) once at the end, then quits.
// An answer that starts with "error: " is a failure (the console audits it as one).
#pragma once

#include <functional>
#include <string>

#include <caf/fwd.hpp>

#include "actors/outbound/list_import.hpp"
#include "actors/outbound/list_store_actor.hpp"
#include "actors/runtime/domain_fwd.hpp"
#include "engine/config.hpp"

namespace parley::engine {

/// What happens to an imported file.
enum class after_import { keep, rename };

/// One `list import` (or timed import): FILE inside the import directory into list NAME.
struct list_import_request {
  std::string list;
  std::string file;
  std::string mapping;  ///< "field=Column,..." or ""
  bool append = false;  ///< import even when the list has these contents already
  bool dedupe = false;  ///< skip rows whose phone the list (or an earlier row) has
  /// rename: a file imported without a storage error becomes FILE.imported-<UTC time>, one
  /// refused as a duplicate FILE.duplicate-<UTC time> — a timed import never takes a file
  /// twice, and the directory shows what happened to it.
  after_import then = after_import::keep;
  std::string saved_mapping;  ///< a saved mapping's name (--mapping=NAME), `mapping` over it
};

/// The import settings the config gives (default prefix and zone, chunk size).
outbound::import_options import_settings(const config& cfg);

/// Starts an import (outbound::import_csv: the duplicate-file rule, --append, --dedupe).
caf::actor start_list_import(caf::actor_system& sys, const caf::actor& to, const config& cfg,
                             list_import_request req);

/// Asks every spawned campaign that dials `list` whether it runs: `done` gets "" when none
/// is running, paused or has calls under way, else the first objection ("campaign spring is
/// running"). Every campaign answers (or fails) before `done` runs, in `self`.
void check_list_unused(caf::event_based_actor* self, const domain_ptr& dom, const std::string& list,
                       std::function<void(std::string)> done);

/// Starts deleting list NAME with its records and import history (dial attempts and
/// denials stay). Whether a campaign still uses it is the caller's check (check_list_unused).
void start_list_delete(caf::actor_system& sys, const caf::actor& to, const config& cfg,
                       std::string list);

/// Starts an export of list NAME with its results as CSV to FILE (inside the import
/// directory, a new file: written aside and renamed when complete), once `list_store` (when
/// valid) has committed every outcome sent to it before.
void start_list_export(caf::actor_system& sys, const caf::actor& to, const config& cfg,
                       outbound::list_store_actor list_store, std::string list, std::string file);

/// Starts a listing of the contact lists: records, creation and last import (RFC 3339 UTC).
void start_show_lists(caf::actor_system& sys, const caf::actor& to, const config& cfg);

/// FILE resolved inside `dir` ("" and `why` set when it is outside, missing or unreadable).
std::string resolve_import_file(const std::string& dir, const std::string& file,
                                std::string& why);
/// Where an export may be written: FILE inside `dir`, not there yet ("" and `why` set when
/// it is outside or exists: an export never overwrites).
std::string resolve_export_file(const std::string& dir, const std::string& file, std::string& why);

} // namespace parley::engine
