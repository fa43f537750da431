// The test command starts a throwaway PostgreSQL and Redis on loopback and passes their
// addresses in PARLEY_TEST_PG_DSN and PARLEY_TEST_REDIS_PORT. This checks they answer, so
// that a broken set-up shows here first rather than in the storage tests that use them.
// Without the variables (ctest run by hand) the test reports itself skipped (exit 77).
#include <doctest/doctest.h>

#include <cstdlib>
#include <iostream>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

namespace {

const char* env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) {
    std::cout << name << " is not set: run the README's test command; skipping\n";
    std::exit(77);
  }
  return v;
}

} // namespace

TEST_CASE("the throwaway PostgreSQL answers") {
  auto* conn = PQconnectdb(env("PARLEY_TEST_PG_DSN"));
  REQUIRE(conn);
  CAPTURE(PQerrorMessage(conn));
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  auto* res = PQexec(conn, "select 40 + 2");
  REQUIRE(PQresultStatus(res) == PGRES_TUPLES_OK);
  CHECK(std::string{PQgetvalue(res, 0, 0)} == "42");
  PQclear(res);
  PQfinish(conn);
}

TEST_CASE("the throwaway Redis answers") {
  auto port = std::atoi(env("PARLEY_TEST_REDIS_PORT"));
  timeval tv{5, 0};
  auto* ctx = redisConnectWithTimeout("127.0.0.1", port, tv);
  REQUIRE(ctx);
  REQUIRE(ctx->err == 0);
  auto* reply = static_cast<redisReply*>(redisCommand(ctx, "PING"));
  REQUIRE(reply);
  CHECK(std::string{reply->str, reply->len} == "PONG");
  freeReplyObject(reply);
  redisFree(ctx);
}
