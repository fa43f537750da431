#include "storage/store.hpp"

#include "storage/migrate.hpp"

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

void apply_migrations(const std::vector<std::string>& all, int have, const std::string& where,
                      const std::string& key, const std::string& begin,
                      const std::function<void(const std::string&)>& exec,
                      const std::function<void()>& rollback) {
  auto known = static_cast<int>(all.size());
  if (have > known)
    throw storage_error("the database " + where + " has schema version " + std::to_string(have)
                          + ", newer than this parleyd knows (" + std::to_string(known)
                          + "): run a newer parleyd or point " + key + " elsewhere",
                        false);
  for (auto v = have; v < known; ++v) {
    exec(begin);
    try {
      exec(all[v]);
      exec("DELETE FROM schema_version");
      exec("INSERT INTO schema_version VALUES (" + std::to_string(v + 1) + ")");
      exec("COMMIT");
    } catch (...) {
      rollback();
      throw;
    }
  }
}

} // namespace parley::storage
