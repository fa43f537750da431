// storage_env: the databases storage tests run on. SQLite needs only a temporary directory;
// PostgreSQL is the throwaway server scripts/services.sh starts for the test command, whose
// connection string arrives in PARLEY_TEST_PG_DSN.
#pragma once

#include <optional>
#include <string>

namespace parley::test {

/// True when the test command started the services (PARLEY_REQUIRE_SERVICES=1): a test that
/// needs PostgreSQL or Redis must then fail instead of skipping.
bool services_required();

/// A connection string for a new, empty database on the test server (named after `prefix`),
/// or nullopt when no server was configured.
std::optional<std::string> fresh_pg_dsn(const std::string& prefix);

/// Runs SQL on a PostgreSQL database; throws std::runtime_error with the server's message.
void pg_exec(const std::string& dsn, const std::string& sql);

} // namespace parley::test
