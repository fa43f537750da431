// The test command starts a throwaway PostgreSQL and Redis on loopback and passes their
// addresses in PARLEY_TEST_PG_DSN and PARLEY_TEST_REDIS_PORT. This checks they answer, so
// that a broken set-up shows here first rather than in the storage tests that use them.
// Without the variables (ctest run by hand) each case is skipped (ctest: "Skipped"); under
// PARLEY_REQUIRE_SERVICES=1 a missing one fails (support/storage_env.hpp).
#include <doctest/doctest.h>

#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "support/storage_env.hpp"

using namespace parley::test;

TEST_CASE("the throwaway PostgreSQL answers <postgresql>") {
  auto dsn = test_pg_dsn();
  if (!dsn)
    return;
  auto* conn = PQconnectdb(dsn->c_str());
  REQUIRE(conn);
  CAPTURE(PQerrorMessage(conn));
  REQUIRE(PQstatus(conn) == CONNECTION_OK);
  auto* res = PQexec(conn, "select 40 + 2");
  REQUIRE(PQresultStatus(res) == PGRES_TUPLES_OK);
  CHECK(std::string{PQgetvalue(res, 0, 0)} == "42");
  PQclear(res);
  PQfinish(conn);
}

TEST_CASE("the throwaway Redis answers <redis>") {
  auto port = test_redis_port();
  if (!port)
    return;
  timeval tv{5, 0};
  auto* ctx = redisConnectWithTimeout("127.0.0.1", *port, tv);
  REQUIRE(ctx);
  REQUIRE(ctx->err == 0);
  auto* reply = static_cast<redisReply*>(redisCommand(ctx, "PING"));
  REQUIRE(reply);
  CHECK(std::string{reply->str, reply->len} == "PONG");
  freeReplyObject(reply);
  redisFree(ctx);
}
