// import_jobs: contact-list imports uploaded over the API, run as asynchronous jobs
// (POST /api/v1/lists/{name}/imports answers 202 with the job's Location). Each job runs
// outbound::import_csv — the console's `list import` rules: validation row by row, chunks
// of outbound.import_chunk_rows, the duplicate-file rule, append, dedupe — on a detached
// actor with its own store connection, straight from the uploaded bytes, and publishes its
// progress here: rows read, imported, rejected, duplicates, of about how many, and every
// rejected row's line and reason (the rejects file). At most 4 jobs run at once; the 100
// newest are kept after they end (a restart forgets them; the list's import history in the
// database keeps the counts).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <functional>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/outbound/list_import.hpp"

namespace parley::engine {
struct config;
}

namespace parley::engine::web {

struct import_job {
  std::uint64_t id = 0;
  std::string list, file, user;
  std::string state = "running";  ///< running, done, failed, refused
  std::int64_t started_ms = 0, finished_ms = 0;
  std::uint64_t expected_rows = 0;  ///< line breaks in the upload: the progress bar's 100 %
  std::uint64_t rows = 0, imported = 0, rejected = 0, duplicates = 0;
  bool created = false;             ///< the list was new
  std::string error;
  std::vector<outbound::row_error> rejects;
};

struct import_request {
  std::string list, file;
  std::map<std::string, std::string> mapping;  ///< field → column (outbound::resolve_mapping)
  std::string user;
  bool append = false, dedupe = false;
};

class import_jobs : public std::enable_shared_from_this<import_jobs> {
public:
  static constexpr std::size_t max_running = 4;
  static constexpr std::size_t kept = 100;

  /// Starts importing `csv` (taken) as `req` says; the job's id, or nullopt when
  /// max_running jobs run already.
  std::optional<std::uint64_t> start(caf::actor_system& sys, const config& cfg, import_request req,
                                     std::shared_ptr<std::string> csv);
  /// A copy of the job as it is now.
  std::optional<import_job> get(std::uint64_t id) const;

private:
  void update(std::uint64_t id, const std::function<void(import_job&)>& f);

  mutable std::mutex mx_;
  std::map<std::uint64_t, import_job> jobs_;
  std::uint64_t next_ = 1;
  std::size_t running_ = 0;
};

} // namespace parley::engine::web
