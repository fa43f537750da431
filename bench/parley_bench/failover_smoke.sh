#!/usr/bin/env bash
# ctest's smoke run of `parley-bench failover` (bench/CMakeLists.txt): two parleyd of an HA
# pair on a fresh database of the test command's PostgreSQL, two kill -9 rounds of about a
# second of load, 20 desktops. parley-bench exits 2 when an acknowledged submit was lost or
# an agent was not logged in again; the figures mean nothing here.
set -euo pipefail
bench=${1:?usage: failover_smoke.sh PATH/TO/parley-bench}
if [ -z "${PARLEY_TEST_PG_DSN:-}" ]; then
  [ "${PARLEY_REQUIRE_SERVICES:-}" = 1 ] && { echo "PARLEY_TEST_PG_DSN is not set"; exit 1; }
  echo "skipped: no PostgreSQL (PARLEY_TEST_PG_DSN)"
  exit 77
fi
db="failover_$$"
PGOPTIONS="-c client_min_messages=warning" psql "$PARLEY_TEST_PG_DSN" -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'PGOPTIONS="-c client_min_messages=warning" psql "$PARLEY_TEST_PG_DSN" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true' EXIT
"$bench" failover --dsn "$PARLEY_TEST_PG_DSN dbname=$db" --rounds 2 --duration 1.5 --agents 20 --gateways 2 \
  --set ha.renew_ms=250 --set ha.lease_ms=2000 --json --no-progress | tail -n 1
