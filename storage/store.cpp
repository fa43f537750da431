#include "storage/store.hpp"

#include "storage/migrate.hpp"

namespace parley::storage {

const char* to_string(backend_kind b) noexcept {
  switch (b) {
    case backend_kind::sqlite: return "sqlite";
    case backend_kind::postgresql: return "postgresql";
  }
  return "?";
}

const char* to_string(sync_mode m) noexcept {
  switch (m) {
    case sync_mode::full: return "full";
    case sync_mode::normal: return "normal";
  }
  return "?";
}

std::unique_ptr<store> open_store(const config& cfg) {
  switch (cfg.backend) {
    case backend_kind::sqlite: return open_sqlite(cfg);
    case backend_kind::postgresql: return open_postgresql(cfg);
  }
  throw storage_error("unknown storage backend (storage.backend: \"sqlite\" or \"postgresql\")",
                      false);
}

const std::vector<std::string>& migrations(backend_kind backend) {
  return migrations(std::string{to_string(backend)});
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
