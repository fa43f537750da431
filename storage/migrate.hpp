// migrate: applying the compiled-in migrations, the same way for every backend. Internal
// to storage/.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace parley::storage {

/// Applies `all[have..]`, each with its schema_version update in one transaction (`begin`
/// opens it; `exec` runs a statement and throws storage_error; `rollback` cleans up after a
/// failure). A database newer than `all` is refused: storage_error naming `where` and the
/// config key (`key`) to point elsewhere.
void apply_migrations(const std::vector<std::string>& all, int have, const std::string& where,
                      const std::string& key, const std::string& begin,
                      const std::function<void(const std::string&)>& exec,
                      const std::function<void()>& rollback);

} // namespace parley::storage
