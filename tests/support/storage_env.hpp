// storage_env: the services tests run on. SQLite needs only a temporary directory;
// PostgreSQL and Redis are the throwaway servers scripts/services.sh starts for the test
// command, whose addresses arrive in PARLEY_TEST_PG_DSN and PARLEY_TEST_REDIS_PORT.
//
// A case that needs a service asks for it here. When the service is not configured the
// helpers return nullopt and the case returns at once; the case then counts as skipped, not
// passed: the executable exits 77 (ctest: "Skipped") when nothing failed
// (support/doctest_main.cpp). Under PARLEY_REQUIRE_SERVICES=1 (the test command) a missing
// service is a failure instead. Such a case must carry the service in its name —
// "<postgresql>" or "<redis>", as a TEST_CASE_TEMPLATE instance over the backends does —
// so that cmake/parley.cmake can run it in a ctest entry of its own (NAME.postgresql);
// a case that asks for a service without the tag fails, naming the tag it lacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace parley::test {

/// True when the test command started the services (PARLEY_REQUIRE_SERVICES=1): a test that
/// needs PostgreSQL or Redis must then fail instead of skipping.
bool services_required();

/// PARLEY_TEST_PG_DSN (the server's own database), or nullopt: skipped (see above).
std::optional<std::string> test_pg_dsn();

/// A connection string for a new, empty database on the test server (named after `prefix`),
/// or nullopt: skipped (see above).
std::optional<std::string> fresh_pg_dsn(const std::string& prefix);

/// PARLEY_TEST_REDIS_PORT (a Redis on 127.0.0.1), or nullopt: skipped (see above).
std::optional<std::uint16_t> test_redis_port();

/// What the helpers above do when a service is missing, for a case that needs something
/// else of the test command's (e.g. PARLEY_TEST_PG_STOP): fails under
/// PARLEY_REQUIRE_SERVICES=1, otherwise marks the running case skipped. `tag` is the
/// service's name tag ("postgresql"), `variable` the variable that is not set.
void service_absent(const std::string& tag, const std::string& what, const char* variable);

/// Runs SQL on a PostgreSQL database; throws std::runtime_error with the server's message.
void pg_exec(const std::string& dsn, const std::string& sql);

/// For the main: test cases started in this run, and the services whose absence skipped
/// a case ("" when none did), e.g. "PostgreSQL (PARLEY_TEST_PG_DSN)".
std::size_t cases_run();
std::string skipped_services();

} // namespace parley::test
