// list_jobs: contact-list jobs — import, export, listing — for the console (`list import`,
// `list export`, `show lists`) and the job scheduler (timed imports). Files and databases
// block, so each job runs in a detached actor of its own with its own store connection
// (never on the actor threads); it sends (progress_atom, std::string line) to `to` while it
// works and (import_atom, std::string answer) once at the end, then quits.
#pragma once

#include <string>

#include <caf/fwd.hpp>

#include "engine/config.hpp"

namespace parley::engine {

/// What happens to an imported file.
enum class after_import { keep, rename };

/// Starts an import of FILE (inside the import directory) into list NAME. With
/// after_import::rename a file imported without a storage error is renamed
/// FILE.imported-<UTC time>, so a timed import never takes the same file twice.
caf::actor start_list_import(caf::actor_system& sys, const caf::actor& to, const config& cfg,
                       std::string list, std::string file, std::string mapping,
                       after_import then = after_import::keep);

/// Starts an export of list NAME with its results as CSV to FILE (inside the import
/// directory, a new file: written aside and renamed when complete), once `list_store` (when
/// valid) has committed every outcome sent to it before.
void start_list_export(caf::actor_system& sys, const caf::actor& to, const config& cfg,
                       caf::actor list_store, std::string list, std::string file);

/// Starts a listing of the contact lists with their record counts.
void start_show_lists(caf::actor_system& sys, const caf::actor& to, const config& cfg);

/// FILE resolved inside `dir` ("" and `why` set when it is outside, missing or unreadable).
std::string resolve_import_file(const std::string& dir, const std::string& file,
                                std::string& why);

} // namespace parley::engine
