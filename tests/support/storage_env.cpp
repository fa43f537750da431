#include "support/storage_env.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>

#include <libpq-fe.h>
#include <unistd.h>

namespace parley::test {

bool services_required() {
  auto* v = std::getenv("PARLEY_REQUIRE_SERVICES");
  return v && std::string{v} == "1";
}

void pg_exec(const std::string& dsn, const std::string& sql) {
  auto* conn = PQconnectdb(dsn.c_str());
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);  // "does not exist, skipping"
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    auto* r = PQexec(conn, sql.c_str());
    auto s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
      error = PQerrorMessage(conn);
    PQclear(r);
  }
  PQfinish(conn);
  if (!error.empty())
    throw std::runtime_error("PostgreSQL: " + sql.substr(0, 60) + ": " + error);
}

std::optional<std::string> fresh_pg_dsn(const std::string& prefix) {
  auto* base = std::getenv("PARLEY_TEST_PG_DSN");
  if (!base || !*base)
    return std::nullopt;
  static std::atomic<int> n{0};
  auto name = prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++n);
  pg_exec(base, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  pg_exec(base, "CREATE DATABASE " + name);
  // A later keyword wins in a libpq connection string.
  return std::string{base} + " dbname=" + name;
}

} // namespace parley::test
