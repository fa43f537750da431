#include "storage/store.hpp"

namespace parley::storage {

std::unique_ptr<store> open_store(const config& cfg) {
  if (cfg.backend == "sqlite")
    return open_sqlite(cfg);
  if (cfg.backend == "postgresql")
    return open_postgresql(cfg);
  throw storage_error("unknown storage backend \"" + cfg.backend
                        + "\" (storage.backend: \"sqlite\" or \"postgresql\")",
                      false);
}

} // namespace parley::storage
