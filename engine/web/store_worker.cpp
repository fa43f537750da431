#include "engine/web/store_worker.hpp"

#include <memory>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "engine/config.hpp"

namespace parley::engine::web {

caf::actor spawn_store_worker(caf::actor_system& sys, const config& cfg, std::string name) {
  auto store_cfg = store_config(cfg);
  return sys.spawn<caf::detached>([store_cfg, name](caf::event_based_actor* self) -> caf::behavior {
    auto store = std::make_shared<std::unique_ptr<storage::store>>();
    return {
      [=](store_job& job) {
        try {
          if (!*store)
            *store = storage::open_store(store_cfg);
          job.run(**store);
        } catch (const storage::storage_error& e) {
          if (e.transient())
            store->reset();  // reconnect for the next job
          spdlog::warn("{}: {}", name, e.what());
          if (job.failed)
            job.failed(e.what());
        } catch (const std::exception& e) {
          spdlog::error("{}: {}", name, e.what());
          if (job.failed)
            job.failed(e.what());
        }
        (void)self;
      },
    };
  });
}

void run_on(const caf::actor& worker, store_job job) {
  caf::anon_send(worker, std::move(job));
}

} // namespace parley::engine::web
