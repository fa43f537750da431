#include "engine/web/import_jobs.hpp"

#include <algorithm>
#include <sstream>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "engine/config.hpp"
#include "engine/list_jobs.hpp"
#include "engine/web/users.hpp"
#include "storage/store.hpp"

namespace parley::engine::web {

std::optional<std::uint64_t> import_jobs::start(caf::actor_system& sys, const config& cfg, import_request req,
                                                std::shared_ptr<std::string> csv) {
  auto opt = import_settings(cfg);
  opt.file = req.file;
  opt.append = req.append;
  opt.dedupe = req.dedupe;
  opt.max_errors = 1'000'000;  // the rejects file lists them all (a million at most)
  opt.progress_every = 1000;
  opt.mapping = req.mapping;
  std::uint64_t id = 0;
  {
    std::lock_guard lock{mx_};
    if (running_ >= max_running)
      return std::nullopt;
    ++running_;
    id = next_++;
    import_job j;
    j.id = id;
    j.list = req.list;
    j.file = req.file;
    j.user = req.user;
    j.started_ms = now_ms();
    auto lines = static_cast<std::uint64_t>(std::count(csv->begin(), csv->end(), '\n'));
    if (!csv->empty() && csv->back() != '\n')
      ++lines;
    j.expected_rows = lines > 0 ? lines - 1 : 0;  // the header is not a row
    jobs_[id] = std::move(j);
    // Forget the oldest finished jobs past `kept`.
    for (auto it = jobs_.begin(); jobs_.size() > kept && it != jobs_.end();)
      it = it->second.state == "running" ? std::next(it) : jobs_.erase(it);
  }
  auto store_cfg = store_config(cfg);
  sys.spawn<caf::detached>([self = shared_from_this(), id, req, csv, opt, store_cfg](caf::event_based_actor*) {
    outbound::import_result res;
    try {
      std::istringstream in{std::move(*csv)};
      auto store = storage::open_store(store_cfg);
      res = outbound::import_csv(store->outbound(), req.list, in, opt, now_ms(),
                                 [&](std::uint64_t rows, std::uint64_t imported) {
                                   self->update(id, [&](import_job& j) {
                                     j.rows = rows;
                                     j.imported = imported;
                                   });
                                 });
    } catch (const std::exception& e) {
      res.error = std::string{"storage: "} + e.what();
    }
    spdlog::info("list import {} uploaded by {} ({}): {} read, {} imported, {} rejected{}", req.list,
                 req.user, req.file, res.rows, res.imported, res.rejected,
                 res.ok() ? "" : " (" + res.error + ")");
    self->update(id, [&](import_job& j) {
      j.state = res.refused() ? "refused" : res.ok() ? "done" : "failed";
      j.finished_ms = now_ms();
      j.rows = res.rows;
      j.imported = res.imported;
      j.rejected = res.rejected;
      j.duplicates = res.duplicates;
      j.created = res.created;
      j.error = res.error;
      j.rejects = std::move(res.errors);
    });
    std::lock_guard lock{self->mx_};
    --self->running_;
  });
  return id;
}

std::optional<import_job> import_jobs::get(std::uint64_t id) const {
  std::lock_guard lock{mx_};
  auto it = jobs_.find(id);
  if (it == jobs_.end())
    return std::nullopt;
  return it->second;
}

void import_jobs::update(std::uint64_t id, const std::function<void(import_job&)>& f) {
  std::lock_guard lock{mx_};
  if (auto it = jobs_.find(id); it != jobs_.end())
    f(it->second);
}

} // namespace parley::engine::web
